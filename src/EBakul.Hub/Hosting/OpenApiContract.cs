using System.Reflection;
using System.Text.RegularExpressions;
using EBakul.Ledger.V1;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Any;
using Microsoft.OpenApi.Extensions;
using Microsoft.OpenApi.Models;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace EBakul.Hub.Hosting;

/// <summary>
/// Makes the generated OpenAPI document say what the JSON on the wire is (the proto3 JSON mapping the hub speaks):
/// 64-bit integers are strings (<c>type: string, format: int64</c>, as grpc-gateway's generator writes them), timestamps
/// <c>date-time</c>; every field of an answer is <c>required</c> (the hub writes each, with its default when unset), and
/// so is every request field the protos mark <c>(google.api.field_behavior) = REQUIRED</c> (AIP-203: the hub refuses a
/// request without it), as a query parameter or in the body, but not in a body beside the path that carries it; schemas are named by their proto full name (<c>ebakul.ledger.v1.ReceiptKind</c>);
/// errors are <c>google.rpc.Status</c> with typed <c>ErrorInfo</c> and <c>BadRequest</c> details for each HTTP status
/// the hub answers; the server is the address the document is read from.
/// </summary>
public sealed partial class OpenApiContract : IDocumentFilter
{
    private static readonly Lazy<(Dictionary<System.Type, string> Names, Dictionary<string, MessageDescriptor> Messages)> Protos = new(Load);

    /// <summary>A schema's name: the proto full name of a message or enum; a C# type's name otherwise.</summary>
    public static string SchemaId(System.Type type)
    {
        if (Protos.Value.Names.TryGetValue(type, out var name)) return name;
        if (type.DeclaringType?.DeclaringType is { } message && Protos.Value.Names.TryGetValue(message, out var parent))
            return $"{parent}.{type.Name}";
        return (type.FullName ?? type.Name).Replace('+', '.');
    }

    private static (Dictionary<System.Type, string>, Dictionary<string, MessageDescriptor>) Load()
    {
        var files = new List<FileDescriptor>();
        var roots = typeof(LedgerService).Assembly.GetTypes()
            .Select(t => t.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static))
            .Where(p => p?.PropertyType == typeof(FileDescriptor))
            .Select(p => (FileDescriptor)p!.GetValue(null)!)
            .Append(Google.Rpc.ErrorDetailsReflection.Descriptor).Append(Google.Rpc.StatusReflection.Descriptor);
        void Add(FileDescriptor file)
        {
            if (files.Contains(file)) return;
            files.Add(file);
            foreach (var dependency in file.Dependencies) Add(dependency);
        }
        foreach (var file in roots) Add(file);

        var names = new Dictionary<System.Type, string>();
        var messages = new Dictionary<string, MessageDescriptor>();
        void AddEnum(EnumDescriptor e)
        {
            if (e.ClrType is not null) names[e.ClrType] = e.FullName;
        }
        void AddMessage(MessageDescriptor m)
        {
            messages[m.FullName] = m;
            if (m.ClrType is not null) names[m.ClrType] = m.FullName;
            foreach (var nested in m.NestedTypes) AddMessage(nested);
            foreach (var e in m.EnumTypes) AddEnum(e);
        }
        foreach (var file in files)
        {
            foreach (var m in file.MessageTypes) AddMessage(m);
            foreach (var e in file.EnumTypes) AddEnum(e);
        }
        return (names, messages);
    }

    /// <inheritdoc />
    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        var schemas = document.Components.Schemas;
        var requests = new HashSet<string>();
        // The fields each request message's path carries ({regencyCode}): required there, not again in the body.
        var inPath = new Dictionary<string, HashSet<string>>();
        foreach (var api in context.ApiDescriptions)
        {
            if (api.ActionDescriptor.EndpointMetadata.OfType<GrpcJsonTranscodingMetadata>().FirstOrDefault() is not { } transcoded) continue;
            CollectMessages(transcoded.MethodDescriptor.InputType, requests);
            if (!inPath.TryGetValue(transcoded.MethodDescriptor.InputType.FullName, out var path))
                inPath[transcoded.MethodDescriptor.InputType.FullName] = path = new HashSet<string>(StringComparer.Ordinal);
            foreach (Match name in PathParameter().Matches(api.RelativePath ?? "")) path.Add(name.Groups[1].Value);
            // A required field read from the query string is a required parameter.
            if (document.Paths.TryGetValue("/" + api.RelativePath, out var item)
                && Enum.TryParse<OperationType>(api.HttpMethod, ignoreCase: true, out var verb)
                && item.Operations.TryGetValue(verb, out var operation))
            {
                foreach (var parameter in operation.Parameters.Where(p => p.In == ParameterLocation.Query))
                    if (transcoded.MethodDescriptor.InputType.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == parameter.Name) is { } field
                        && IsRequired(field))
                        parameter.Required = true;
            }
        }

        foreach (var (name, schema) in schemas)
        {
            if (!Protos.Value.Messages.TryGetValue(name, out var message)) continue;
            var isAnswerOnly = !requests.Contains(name) && message.File.Package.StartsWith("ebakul.", StringComparison.Ordinal);
            foreach (var field in message.Fields.InDeclarationOrder())
            {
                if (!schema.Properties.TryGetValue(field.JsonName, out var property)) continue;
                if (field.IsMap) Retype(property.AdditionalProperties, field.MessageType.FindFieldByNumber(2));
                else if (field.IsRepeated) Retype(property.Items, field);
                else Retype(property, field);
                // Every field of an answer is written (defaults too) except a oneof's unset members and unset messages.
                if (isAnswerOnly && field.RealContainingOneof is null && !field.HasPresence) schema.Required.Add(field.JsonName);
                else if (!isAnswerOnly && IsRequired(field) && !(inPath.TryGetValue(name, out var path) && path.Contains(field.JsonName)))
                    schema.Required.Add(field.JsonName);
            }
            // A write's request id: required where the protos say so (every write but a close's preview, validate_only).
            if (message.FindFieldByName("request_id") is { } requestId && requests.Contains(name) && IsRequestMessage(name, context))
            {
                if (schema.Properties.TryGetValue(requestId.JsonName, out var property))
                {
                    property.Pattern = "^[A-Za-z0-9._:-]{1,64}$";
                    property.MaxLength = 64;
                }
            }
        }

        foreach (var operation in document.Paths.Values.SelectMany(p => p.Operations.Values))
        {
            foreach (var parameter in operation.Parameters)
                if (parameter.Schema is { Reference: null, Format: "int64" or "uint64" } integer) AsDecimalString(integer, integer.Format);
            operation.Responses.Remove("default");
            operation.Responses.Remove("4XX");
            operation.Responses.Remove("5XX");
            foreach (var (status, _, _) in ErrorStatuses)
                operation.Responses[status] = new OpenApiResponse { Reference = new OpenApiReference { Type = ReferenceType.Response, Id = ResponseId(status) } };
            operation.Responses["default"] = new OpenApiResponse { Reference = new OpenApiReference { Type = ReferenceType.Response, Id = "Error" } };
        }

        // A method answering google.api.HttpBody sends the document itself (e.g. a statement as HTML), not JSON.
        foreach (var api in context.ApiDescriptions)
        {
            if (api.ActionDescriptor.EndpointMetadata.OfType<GrpcJsonTranscodingMetadata>().FirstOrDefault() is not { } transcoded
                || transcoded.MethodDescriptor.OutputType.FullName != "google.api.HttpBody"
                || !document.Paths.TryGetValue("/" + api.RelativePath, out var item)
                || !Enum.TryParse<OperationType>(api.HttpMethod, ignoreCase: true, out var verb)
                || !item.Operations.TryGetValue(verb, out var operation)) continue;
            operation.Responses["200"] = new OpenApiResponse
            {
                Description = "The document itself; its Content-Type says what it is (e.g. text/html for a statement to print).",
                Content = new Dictionary<string, OpenApiMediaType> { ["*/*"] = new() { Schema = new OpenApiSchema { Type = "string", Format = "binary" } } },
            };
        }

        AddErrorSchemas(schemas);
        foreach (var (status, codes, description) in ErrorStatuses)
            document.Components.Responses[ResponseId(status)] = ErrorResponse($"{codes}: {description}");
        document.Components.Responses["Error"] = ErrorResponse("Any other status (500 INTERNAL, UNKNOWN): google.rpc.Status.");
        RemoveUnreferenced(document);
    }

    /// <summary>The error statuses every call may answer, each with its google.rpc codes.</summary>
    private static readonly (string Status, string Codes, string Description)[] ErrorStatuses =
    [
        ("400", "INVALID_ARGUMENT, FAILED_PRECONDITION or OUT_OF_RANGE",
            "the request is wrong (a BadRequest names each bad field as the JSON names it) or not possible in this state. ErrorInfo.reason says which."),
        ("401", "UNAUTHENTICATED", "no token, or one the hub does not know (CREDENTIALS_MISSING, CREDENTIALS_INVALID)."),
        ("403", "PERMISSION_DENIED", "the token lacks the call's scope, or the regency or office is not the caller's (SCOPE_MISSING, REGENCY_NOT_ALLOWED)."),
        ("404", "NOT_FOUND", "no such resource (said only to callers allowed to know)."),
        ("409", "ALREADY_EXISTS or ABORTED", "a duplicate (e.g. the same receipt twice), or a conflict that a retry may resolve."),
        ("429", "RESOURCE_EXHAUSTED", "over the caller's rate limit (RATE_LIMITED): retry after a pause with the same requestId."),
        ("503", "UNAVAILABLE", "the hub cannot serve now: retry with the same requestId."),
    ];

    private static string ResponseId(string status) => $"Error{status}";

    private static OpenApiResponse ErrorResponse(string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/json"] = new() { Schema = Ref("google.rpc.Status") },
        },
    };

    private static OpenApiSchema Ref(string id) => new() { Reference = new OpenApiReference { Type = ReferenceType.Schema, Id = id } };

    /// <summary>Whether the protos mark the field <c>(google.api.field_behavior) = REQUIRED</c>.</summary>
    private static bool IsRequired(FieldDescriptor field) =>
        field.GetOptions()?.GetExtension(Google.Api.FieldBehaviorExtensions.FieldBehavior) is { } behaviors
        && behaviors.Contains(Google.Api.FieldBehavior.Required);

    [GeneratedRegex(@"\{([A-Za-z0-9_.]+)\}")]
    private static partial Regex PathParameter();

    private static bool IsRequestMessage(string name, DocumentFilterContext context) =>
        context.ApiDescriptions.Any(api => api.ActionDescriptor.EndpointMetadata.OfType<GrpcJsonTranscodingMetadata>()
            .Any(t => t.MethodDescriptor.InputType.FullName == name));

    private static void CollectMessages(MessageDescriptor message, HashSet<string> seen)
    {
        if (!seen.Add(message.FullName)) return;
        foreach (var field in message.Fields.InDeclarationOrder())
            if (field.FieldType == FieldType.Message) CollectMessages(field.MessageType, seen);
    }

    /// <summary>Gives a field's schema the JSON form of its proto type where the generator got it wrong.</summary>
    private static void Retype(OpenApiSchema? schema, FieldDescriptor field)
    {
        if (schema is null || schema.Reference is not null) return;
        switch (field.FieldType)
        {
            case FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64:
                AsDecimalString(schema, "int64");
                break;
            case FieldType.UInt64 or FieldType.Fixed64:
                AsDecimalString(schema, "uint64");
                break;
            case FieldType.Message when field.MessageType.FullName == "google.protobuf.Timestamp":
                schema.Type = "string";
                schema.Format = "date-time";
                break;
            case FieldType.Message when field.MessageType.FullName == "google.protobuf.Duration":
                schema.Type = "string";
                schema.Pattern = @"^-?[0-9]+(\.[0-9]{1,9})?s$";
                break;
            case FieldType.Message when field.MessageType.FullName is "google.protobuf.Int64Value" or "google.protobuf.UInt64Value":
                AsDecimalString(schema, field.MessageType.Name == "Int64Value" ? "int64" : "uint64");
                break;
        }
    }

    /// <summary>A 64-bit integer as the proto3 JSON mapping writes it: a JSON string of digits.</summary>
    private static void AsDecimalString(OpenApiSchema schema, string format)
    {
        schema.Type = "string";
        schema.Format = format;
        schema.Pattern = format == "int64" ? "^-?[0-9]+$" : "^[0-9]+$";
    }

    private static void AddErrorSchemas(IDictionary<string, OpenApiSchema> schemas)
    {
        OpenApiSchema TypeUrl(string type) => new()
        {
            Type = "string",
            Enum = [new OpenApiString($"type.googleapis.com/{type}")],
            Description = "Names the detail's type.",
        };
        schemas["google.rpc.Status"] = new OpenApiSchema
        {
            Type = "object",
            Description = "The body of every error answer (the gRPC status the call ended with).",
            Required = new SortedSet<string> { "code", "message", "details" },
            Properties = new Dictionary<string, OpenApiSchema>
            {
                ["code"] = new() { Type = "integer", Format = "int32", Description = "The google.rpc.Code: 3 INVALID_ARGUMENT, 5 NOT_FOUND, 7 PERMISSION_DENIED, 16 UNAUTHENTICATED…" },
                ["message"] = new() { Type = "string", Description = "For people; programs read ErrorInfo.reason." },
                ["details"] = new()
                {
                    Type = "array",
                    Description = "An ErrorInfo always; a BadRequest when fields are wrong.",
                    Items = new OpenApiSchema
                    {
                        OneOf = [Ref("google.rpc.ErrorInfo"), Ref("google.rpc.BadRequest")],
                        Discriminator = new OpenApiDiscriminator
                        {
                            PropertyName = "@type",
                            Mapping = new Dictionary<string, string>
                            {
                                ["type.googleapis.com/google.rpc.ErrorInfo"] = "#/components/schemas/google.rpc.ErrorInfo",
                                ["type.googleapis.com/google.rpc.BadRequest"] = "#/components/schemas/google.rpc.BadRequest",
                            },
                        },
                    },
                },
            },
        };
        schemas["google.rpc.ErrorInfo"] = new OpenApiSchema
        {
            Type = "object",
            Description = "Why the call failed, as a stable code to program against (docs/clients.md lists the reasons).",
            Required = new SortedSet<string> { "@type", "reason", "domain", "metadata" },
            Properties = new Dictionary<string, OpenApiSchema>
            {
                ["@type"] = TypeUrl("google.rpc.ErrorInfo"),
                ["reason"] = new() { Type = "string", Pattern = "^[A-Z][A-Z0-9_]*$", Description = "UPPER_SNAKE, e.g. MERCHANT_NOT_ACTIVE, QUERY_PARAMETER_UNKNOWN." },
                ["domain"] = new() { Type = "string", Description = "ebakul.hub" },
                ["metadata"] = new()
                {
                    Type = "object", AdditionalProperties = new OpenApiSchema { Type = "string" },
                    Description = "The figures that decided it, for some reasons (lowerCamel keys); empty otherwise.",
                },
            },
        };
        schemas["google.rpc.BadRequest"] = new OpenApiSchema
        {
            Type = "object",
            Description = "Every wrong field of the request.",
            Required = new SortedSet<string> { "@type", "fieldViolations" },
            Properties = new Dictionary<string, OpenApiSchema>
            {
                ["@type"] = TypeUrl("google.rpc.BadRequest"),
                ["fieldViolations"] = new() { Type = "array", Items = Ref("google.rpc.BadRequest.FieldViolation") },
            },
        };
        schemas["google.rpc.BadRequest.FieldViolation"] = new OpenApiSchema
        {
            Type = "object",
            Required = new SortedSet<string> { "field", "reason", "description" },
            Properties = new Dictionary<string, OpenApiSchema>
            {
                ["field"] = new() { Type = "string", Description = "The field's path as the JSON names it, e.g. purchase.amountRupiah, merchants[3].ownerNik; a query parameter as sent." },
                ["reason"] = new() { Type = "string", Description = "UPPER_SNAKE, e.g. FIELD_REQUIRED, FIELD_TYPE_INVALID." },
                ["description"] = new() { Type = "string" },
            },
        };
        schemas["google.protobuf.Any"] = new OpenApiSchema
        {
            Type = "object",
            Description = "A message of the type that @type names, with that message's fields.",
            Required = new SortedSet<string> { "@type" },
            Properties = new Dictionary<string, OpenApiSchema> { ["@type"] = new() { Type = "string" } },
            AdditionalProperties = new OpenApiSchema(),
        };
    }

    private static readonly Regex SchemaReference = new("\"#/components/schemas/([^\"]+)\"");

    /// <summary>Removes schemas nothing refers to (what the generator made of C# types that are not on the wire).</summary>
    private static void RemoveUnreferenced(OpenApiDocument document)
    {
        static IEnumerable<string> References(Microsoft.OpenApi.Interfaces.IOpenApiSerializable element) =>
            SchemaReference.Matches(element.SerializeAsJson(OpenApiSpecVersion.OpenApi3_0)).Select(m => m.Groups[1].Value);
        var schemas = document.Components.Schemas;
        var reached = new HashSet<string>();
        var pending = new Stack<string>(document.Paths.Values.SelectMany(p => References(p))
            .Concat(document.Components.Responses.Values.SelectMany(r => References(r))));
        while (pending.TryPop(out var name))
        {
            if (!reached.Add(name) || !schemas.TryGetValue(name, out var schema)) continue;
            foreach (var inner in References(schema)) pending.Push(inner);
        }
        foreach (var name in schemas.Keys.Where(n => !reached.Contains(n)).ToList()) schemas.Remove(name);
    }
}
