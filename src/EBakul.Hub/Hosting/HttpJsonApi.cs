using EBakul.Ledger.V1;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.OpenApi.Models;
using Scalar.AspNetCore;

namespace EBakul.Hub.Hosting;

/// <summary>
/// The hub's HTTP/JSON surface on the <c>Http</c> endpoint: every unary and server-streaming RPC transcoded from its
/// <c>google.api.http</c> annotation (the call runs through the same interceptors as over gRPC: credentials, scopes,
/// regency binding, rate limit, audit, error mapping) after <see cref="TranscodedRequestChecks"/> has checked its query
/// string and body, the OpenAPI document generated from the protos at <c>/openapi/v1.json</c> (made to say what the wire
/// carries by <see cref="OpenApiContract"/>), and a reference page at <c>/docs</c> that loads nothing from another host.
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
                Description = "HTTP/JSON interface of the e-Bakul hub, transcoded from its gRPC services (the proto3 JSON mapping). "
                    + "Every call needs the header `Authorization: Bearer <token>`. int64 values (rupiah amounts, sequences) are "
                    + "JSON strings of digits (`\"420000\"`) in answers; on input a string or a whole JSON number is accepted. Errors "
                    + "are `google.rpc.Status` with an `ErrorInfo` (a stable `reason`) and, for bad fields, a `BadRequest`.",
            });
            var contracts = Path.Combine(AppContext.BaseDirectory, typeof(LedgerService).Assembly.GetName().Name + ".xml");
            if (File.Exists(contracts)) options.IncludeGrpcXmlComments(contracts, includeControllerXmlComments: true);
            // Relative: the hub this document was read from, at whatever address it is served.
            options.AddServer(new OpenApiServer { Url = "/", Description = "The hub that serves this document (its Kestrel:Endpoints:Http address)" });
            options.CustomOperationIds(api => api.ActionDescriptor.EndpointMetadata.OfType<Grpc.AspNetCore.Server.GrpcMethodMetadata>()
                .Select(m => $"{m.Method.ServiceName.Split('.')[^1]}_{m.Method.Name}").FirstOrDefault());
            // Two packages may both name a message Sanction: schemas (messages and enums) are named by their full proto name.
            options.CustomSchemaIds(OpenApiContract.SchemaId);
            options.DocumentFilter<OpenApiContract>();
            options.AddSecurityDefinition("bearer", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "A token issued by the hub's `callers add` command.",
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
        app.Use(TranscodedRequestChecks.CheckAsync);
        app.MapSwagger("/openapi/{documentName}.json").OnHttpEndpoint();
        // The reference page loads only from the hub (a regency's intranet may have no internet): its script comes from
        // the package itself, the fonts are the browser's own, and no third-party service (AI chat, MCP, SDK
        // generation, sharing, telemetry) is offered.
        app.MapScalarApiReference("/docs", options => options
            .WithTitle("e-Bakul hub: HTTP/JSON reference")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .DisableDefaultFonts()
            .DisableAgent()
            .DisableMcp()
            .DisableTelemetry()
            .HideClientButton()
            .HideDeveloperTools())
            .OnHttpEndpoint();
        return app;
    }

    /// <summary>Whether an endpoint is a transcoded (HTTP/JSON) gRPC method.</summary>
    public static bool IsTranscoded(Endpoint endpoint) => endpoint.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is not null;
}
