using EBakul.Ledger.V1;
using EBakul.Hub.Errors;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.OpenApi.Models;
using Scalar.AspNetCore;

namespace EBakul.Hub.Hosting;

/// <summary>
/// The hub's HTTP/JSON surface on the <c>Http</c> endpoint: every unary and server-streaming RPC transcoded from its
/// <c>google.api.http</c> annotation (the call runs through the same interceptors as over gRPC: credentials, scopes,
/// regency binding, rate limit, audit, error mapping), the OpenAPI document generated from the protos at
/// <c>/openapi/v1.json</c>, and a reference page at <c>/docs</c>.
/// </summary>
public static class HttpJsonApi
{
    /// <summary>Where the OpenAPI document is served.</summary>
    public const string OpenApiPath = "/openapi/v1.json";

    /// <summary>Registers JSON transcoding and the OpenAPI generator.</summary>
    public static IServiceCollection AddHubHttpJson(this IServiceCollection services)
    {
        // The error details the hub sends (ErrorInfo, BadRequest) must be known to write them as JSON Any with "@type".
        // int64 (rupiah, sequences) is written as a JSON string, as the proto3 JSON mapping says: a PHP or JavaScript
        // number would lose digits above 2^53.
        services.AddGrpc().AddJsonTranscoding(options =>
        {
            options.TypeRegistry = TypeRegistry.FromFiles(Google.Rpc.ErrorDetailsReflection.Descriptor);
            options.JsonSettings = new GrpcJsonSettings { WriteInt64sAsStrings = true };
        });
        services.AddGrpcSwagger();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "e-Bakul integration hub",
                Version = "v1",
                Description = "HTTP/JSON interface of the e-Bakul hub, transcoded from its gRPC services. Every call needs "
                    + "'Authorization: Bearer <token>'; int64 values (rupiah) travel as JSON strings; errors are google.rpc.Status.",
            });
            var contracts = Path.Combine(AppContext.BaseDirectory, typeof(LedgerService).Assembly.GetName().Name + ".xml");
            if (File.Exists(contracts)) options.IncludeGrpcXmlComments(contracts, includeControllerXmlComments: true);
            options.AddServer(new OpenApiServer { Url = "http://127.0.0.1:5081", Description = "The hub's default HTTP endpoint (Kestrel:Endpoints:Http)" });
            options.CustomOperationIds(api => api.ActionDescriptor.EndpointMetadata.OfType<Grpc.AspNetCore.Server.GrpcMethodMetadata>()
                .Select(m => $"{m.Method.ServiceName.Split('.')[^1]}_{m.Method.Name}").FirstOrDefault());
            options.OperationFilter<ErrorResponses>();
            // Two packages may both name a message Sanction: schemas are named by their full proto name.
            options.CustomSchemaIds(SchemaId);
            options.AddSecurityDefinition("bearer", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "A token issued by the hub's 'callers add' command.",
            });
            options.AddSecurityRequirement(new OpenApiSecurityRequirement
            {
                [new OpenApiSecurityScheme { Reference = new OpenApiReference { Type = ReferenceType.SecurityScheme, Id = "bearer" } }] = [],
            });
        });
        return services;
    }

    /// <summary>Maps the OpenAPI document and the reference page, on the HTTP endpoint only.</summary>
    public static WebApplication MapHubHttpJson(this WebApplication app)
    {
        app.Use(RefuseMalformedBodiesAsync);
        app.MapSwagger("/openapi/{documentName}.json").OnHttpEndpoint();
        // The reference page's script is served from the package itself: it works without internet access.
        app.MapScalarApiReference("/docs", options => options
            .WithTitle("e-Bakul hub: HTTP/JSON reference")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json"))
            .OnHttpEndpoint();
        return app;
    }

    /// <summary>
    /// Reads the JSON body of a transcoded call with the protobuf JSON parser before transcoding does, so that what
    /// transcoding would let through or answer vaguely gets a precise 400 <c>google.rpc.Status</c> and reaches no
    /// service: unknown fields, wrong types, broken JSON, and bodies over the message size limit.
    /// </summary>
    private static async Task RefuseMalformedBodiesAsync(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is not { HttpRule.Body: "*" } transcoded
            || context.Request.ContentLength == 0)
        {
            await next(context);
            return;
        }
        var limit = context.RequestServices.GetRequiredService<IConfiguration>().GetValue("Grpc:MaxReceiveMessageSize", 16 * 1024 * 1024);
        if (context.Request.ContentLength > limit)
        {
            await WriteBadRequestAsync(context, "BODY_TOO_LARGE", $"the request body exceeds the limit of {limit} bytes; send fewer rows per call");
            return;
        }
        context.Request.EnableBuffering(bufferThreshold: 64 * 1024, bufferLimit: limit + 1L);
        string json;
        try
        {
            using var reader = new StreamReader(context.Request.Body, leaveOpen: true);
            json = await reader.ReadToEndAsync(context.RequestAborted);
        }
        catch (IOException) when (!context.RequestAborted.IsCancellationRequested)
        {
            await WriteBadRequestAsync(context, "BODY_TOO_LARGE", $"the request body exceeds the limit of {limit} bytes; send fewer rows per call");
            return;
        }
        context.Request.Body.Position = 0;
        if (json.Length > 0)
        {
            try
            {
                BodyParser.Parse(json, transcoded.MethodDescriptor.InputType);
            }
            catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidJsonException)
            {
                await WriteBadRequestAsync(context, "JSON_INVALID", $"the request body is not a valid {transcoded.MethodDescriptor.InputType.Name}: {ex.Message}");
                return;
            }
        }
        await next(context);
    }

    private static readonly JsonParser BodyParser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));

    private static readonly JsonFormatter StatusFormatter = new(JsonFormatter.Settings.Default.WithTypeRegistry(
        TypeRegistry.FromFiles(Google.Rpc.ErrorDetailsReflection.Descriptor)));

    private static async Task WriteBadRequestAsync(HttpContext context, string reason, string message)
    {
        var status = new Google.Rpc.Status { Code = (int)Grpc.Core.StatusCode.InvalidArgument, Message = message };
        status.Details.Add(Any.Pack(new ErrorInfo { Reason = reason, Domain = HubErrorInterceptor.ErrorDomain }));
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(StatusFormatter.Format(status), context.RequestAborted);
    }

    private static string SchemaId(System.Type type) =>
        type.GetProperty("Descriptor", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)?.GetValue(null) is MessageDescriptor message
            ? message.FullName
            : (type.FullName ?? type.Name).Replace('+', '.');

    /// <summary>Documents the error answers every operation may give: a <c>google.rpc.Status</c> body.</summary>
    private sealed class ErrorResponses : Swashbuckle.AspNetCore.SwaggerGen.IOperationFilter
    {
        public void Apply(OpenApiOperation operation, Swashbuckle.AspNetCore.SwaggerGen.OperationFilterContext context)
        {
            var status = context.SchemaGenerator.GenerateSchema(typeof(Google.Rpc.Status), context.SchemaRepository);
            var body = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = status } };
            operation.Responses["4XX"] = new OpenApiResponse
            {
                Description = "The caller's mistake: google.rpc.Status with ErrorInfo (reason) and, for invalid input, BadRequest (field violations). "
                    + "400 INVALID_ARGUMENT, FAILED_PRECONDITION or OUT_OF_RANGE; 401 UNAUTHENTICATED; 403 PERMISSION_DENIED; 404 NOT_FOUND; "
                    + "409 ALREADY_EXISTS or ABORTED; 429 RESOURCE_EXHAUSTED (rate limit).",
                Content = body,
            };
            operation.Responses["5XX"] = new OpenApiResponse
            {
                Description = "The hub's side: google.rpc.Status; 503 UNAVAILABLE may be retried with the same request_id.",
                Content = body,
            };
        }
    }

    /// <summary>Whether an endpoint is a transcoded (HTTP/JSON) gRPC method.</summary>
    public static bool IsTranscoded(Endpoint endpoint) => endpoint.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is not null;
}
