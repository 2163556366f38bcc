using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EBakul.Hub.Errors;
using Google.Api;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;

namespace EBakul.Hub.Hosting;

/// <summary>
/// Checks a transcoded (HTTP/JSON) call against its request message before transcoding reads it, so that whatever
/// transcoding would bind loosely, ignore or answer with a parser's words gets a 400 <c>google.rpc.Status</c> in the
/// hub's one shape (an <c>ErrorInfo</c> with a stable reason and, for a bad field, a <c>BadRequest</c> violation named
/// as the JSON names it) and reaches no service:
/// <list type="bullet">
/// <item>query parameters: each must name a field of the request (lowerCamel or proto name, <c>a.b</c> for a nested
/// field) that is neither in the path nor in the body, once unless repeated, with a value of the field's type
/// (<c>QUERY_PARAMETER_UNKNOWN</c>, <c>QUERY_PARAMETER_INVALID</c>);</item>
/// <item>the body: a JSON object of the request with known fields of the right types, whole numbers for integers
/// (<c>"75.000"</c> is refused, not read as 75), enum values by name (<c>JSON_INVALID</c>); a JSON content type
/// (<c>CONTENT_TYPE_UNSUPPORTED</c>); within the size limit (<c>BODY_TOO_LARGE</c>);</item>
/// <item>a body field that the path also gives must agree with the path (<c>FIELD_CONTRADICTS_PATH</c>).</item>
/// </list>
/// A body that passes is handed on in the canonical proto3 JSON form, so transcoding's own parser never meets what it
/// would read differently.
/// </summary>
public static class TranscodedRequestChecks
{
    /// <summary>A query parameter that names no field the call takes from the query string.</summary>
    public const string QueryParameterUnknown = "QUERY_PARAMETER_UNKNOWN";

    /// <summary>A query parameter whose value is not of its field's type, or given more than once for a single field.</summary>
    public const string QueryParameterInvalid = "QUERY_PARAMETER_INVALID";

    /// <summary>A body that is not JSON, not the request message, or has a field of the wrong type.</summary>
    public const string JsonInvalid = "JSON_INVALID";

    /// <summary>A body over <c>Grpc:MaxReceiveMessageSize</c>.</summary>
    public const string BodyTooLarge = "BODY_TOO_LARGE";

    /// <summary>A body sent with a content type other than JSON.</summary>
    public const string ContentTypeUnsupported = "CONTENT_TYPE_UNSUPPORTED";

    /// <summary>A body field that says otherwise than the path.</summary>
    public const string FieldContradictsPath = "FIELD_CONTRADICTS_PATH";

    private static readonly JsonParser BodyParser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));

    /// <summary>The status bodies written here: compact, every field present, as transcoding writes the hub's other errors.</summary>
    public static readonly JsonFormatter StatusFormatter = new(JsonFormatter.Settings.Default
        .WithTypeRegistry(TypeRegistry.FromFiles(ErrorDetailsReflection.Descriptor))
        .WithFormatDefaultValues(true));

    /// <summary>The middleware: checks a transcoded call's query string and body, or answers 400.</summary>
    public static async Task CheckAsync(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is not { } transcoded)
        {
            await next(context);
            return;
        }
        var rule = transcoded.HttpRule;
        var input = transcoded.MethodDescriptor.InputType;
        var pathFields = PathVariables(rule);

        var queryViolations = CheckQuery(context.Request.Query, input, pathFields, hasBody: rule.Body.Length > 0);
        if (queryViolations.Count > 0)
        {
            var reason = queryViolations.Any(v => v.Reason == QueryParameterUnknown) ? QueryParameterUnknown : QueryParameterInvalid;
            await WriteBadRequestAsync(context, reason, Summary(queryViolations), queryViolations);
            return;
        }
        if (rule.Body.Length == 0)
        {
            await next(context);
            return;
        }

        if (context.Request.ContentType is { Length: > 0 } contentType && !IsJson(contentType))
        {
            await WriteBadRequestAsync(context, ContentTypeUnsupported,
                $"the request body must be JSON (Content-Type: application/json), not {contentType.Split(';')[0].Trim()}");
            return;
        }
        var limit = context.RequestServices.GetRequiredService<IConfiguration>().GetValue("Grpc:MaxReceiveMessageSize", 16 * 1024 * 1024);
        var tooLarge = $"the request body exceeds the limit of {limit} bytes; send fewer rows per call";
        if (context.Request.ContentLength > limit)
        {
            await WriteBadRequestAsync(context, BodyTooLarge, tooLarge);
            return;
        }
        byte[] body;
        try
        {
            body = await ReadBodyAsync(context.Request.Body, limit, context.RequestAborted);
        }
        catch (InvalidDataException)
        {
            await WriteBadRequestAsync(context, BodyTooLarge, tooLarge);
            return;
        }
        if (body.Length == 0)
        {
            await WriteBadRequestAsync(context, JsonInvalid,
                $"the request body is empty: send a JSON object of {input.Name} ({{}} when no field is needed)");
            return;
        }

        if (!IsUtf8(body))
        {
            await WriteBadRequestAsync(context, JsonInvalid, "the request body is not UTF-8 text");
            return;
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            await WriteBadRequestAsync(context, JsonInvalid, $"the request body is not valid JSON: {ex.Message}");
            return;
        }
        using (document)
        {
            var violations = new List<FieldViolation>();
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                await WriteBadRequestAsync(context, JsonInvalid,
                    $"the request body must be a JSON object of {input.Name}, not a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}");
                return;
            }
            CheckMessage(document.RootElement, input, "", violations, depth: 0);
            if (violations.Count > 0)
            {
                await WriteBadRequestAsync(context, JsonInvalid, $"the request body is not a valid {input.Name}: {Summary(violations)}", violations);
                return;
            }
        }

        IMessage request;
        try
        {
            request = BodyParser.Parse(Encoding.UTF8.GetString(body), input);
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidJsonException or FormatException or ArgumentException)
        {
            await WriteBadRequestAsync(context, JsonInvalid, $"the request body is not a valid {input.Name}: {ex.Message}");
            return;
        }

        var contradictions = new List<FieldViolation>();
        foreach (var path in pathFields)
        {
            if (input.FindFieldByName(path) is not { FieldType: FieldType.String, IsRepeated: false } field) continue;
            var inBody = (string)field.Accessor.GetValue(request);
            var inPath = context.Request.RouteValues.TryGetValue(path, out var routeValue) ? routeValue?.ToString() : null;
            if (inBody.Length > 0 && inPath is not null && inBody != inPath)
                contradictions.Add(new FieldViolation(field.JsonName, FieldContradictsPath,
                    $"is \"{inBody}\" in the body but \"{inPath}\" in the path; leave it out of the body or give the same value"));
        }
        if (contradictions.Count > 0)
        {
            await WriteBadRequestAsync(context, FieldContradictsPath, Summary(contradictions), contradictions);
            return;
        }

        var canonical = Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(request));
        context.Request.Body = new MemoryStream(canonical, writable: false);
        context.Request.ContentLength = canonical.Length;
        context.Request.ContentType = "application/json";
        await next(context);
    }

    /// <summary>Answers 400 INVALID_ARGUMENT with an <c>ErrorInfo</c> and, when there are any, the field violations.</summary>
    public static async Task WriteBadRequestAsync(HttpContext context, string reason, string message, IReadOnlyList<FieldViolation>? violations = null)
    {
        var status = new Google.Rpc.Status { Code = (int)Grpc.Core.StatusCode.InvalidArgument, Message = message };
        status.Details.Add(Any.Pack(new ErrorInfo { Reason = reason, Domain = HubErrorInterceptor.ErrorDomain }));
        if (violations is { Count: > 0 })
        {
            var badRequest = new BadRequest();
            foreach (var v in violations)
                badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = v.Field, Reason = v.Reason, Description = v.Description });
            status.Details.Add(Any.Pack(badRequest));
        }
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(Compact(StatusFormatter.Format(status)), context.RequestAborted);
    }

    private static readonly JsonSerializerOptions CompactJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The protobuf formatter's JSON without its spaces, as transcoding writes the hub's other answers.</summary>
    private static string Compact(string json) => System.Text.Json.Nodes.JsonNode.Parse(json)!.ToJsonString(CompactJson);

    private static string Summary(IReadOnlyList<FieldViolation> violations) =>
        violations.Count == 1
            ? $"{violations[0].Field}: {violations[0].Description}"
            : $"{violations.Count} fields are invalid: " + string.Join("; ", violations.Select(v => $"{v.Field}: {v.Description}"));

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static bool IsUtf8(byte[] body)
    {
        try
        {
            StrictUtf8.GetCharCount(body);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static bool IsJson(string contentType)
    {
        var mediaType = contentType.Split(';')[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<byte[]> ReadBodyAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit) throw new InvalidDataException("body over the limit");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>The fields the route template binds, by proto name (<c>regency_code</c>).</summary>
    public static IReadOnlyList<string> PathVariables(HttpRule rule)
    {
        var template = rule.PatternCase switch
        {
            HttpRule.PatternOneofCase.Get => rule.Get,
            HttpRule.PatternOneofCase.Post => rule.Post,
            HttpRule.PatternOneofCase.Put => rule.Put,
            HttpRule.PatternOneofCase.Patch => rule.Patch,
            HttpRule.PatternOneofCase.Delete => rule.Delete,
            HttpRule.PatternOneofCase.Custom => rule.Custom.Path,
            _ => "",
        };
        return Regex.Matches(template, @"\{([A-Za-z0-9_.]+)(?:=[^}]*)?\}").Select(m => m.Groups[1].Value).ToList();
    }

    // ---- query string ----

    private static List<FieldViolation> CheckQuery(IQueryCollection query, MessageDescriptor input, IReadOnlyList<string> pathFields, bool hasBody)
    {
        var violations = new List<FieldViolation>();
        foreach (var (key, values) in query)
        {
            if (hasBody)
            {
                violations.Add(new FieldViolation(key, QueryParameterUnknown,
                    "this call takes its fields from the JSON body; its query string must be empty"));
                continue;
            }
            var resolved = Resolve(key, input, out var problem);
            if (resolved is null)
            {
                violations.Add(new FieldViolation(key, QueryParameterUnknown, problem + "; " + Known(input, pathFields)));
                continue;
            }
            var (field, protoPath, jsonPath) = resolved.Value;
            if (pathFields.Contains(protoPath))
            {
                violations.Add(new FieldViolation(jsonPath, QueryParameterUnknown, "is given in the path, not in the query string"));
                continue;
            }
            if (!field.IsRepeated && values.Count > 1)
            {
                violations.Add(new FieldViolation(jsonPath, QueryParameterInvalid, $"is given {values.Count} times; it takes one value"));
                continue;
            }
            foreach (var value in values)
            {
                if (CheckText(value ?? "", field) is { } wrong)
                {
                    violations.Add(new FieldViolation(jsonPath, QueryParameterInvalid, wrong));
                    break;
                }
            }
        }
        return violations;
    }

    /// <summary>The field a query key names (<c>a.b</c>: a nested field), or null with what is wrong.</summary>
    private static (FieldDescriptor Field, string ProtoPath, string JsonPath)? Resolve(string key, MessageDescriptor input, out string problem)
    {
        var message = input;
        var protoPath = new List<string>();
        var jsonPath = new List<string>();
        var segments = key.Split('.');
        for (var i = 0; i < segments.Length; i++)
        {
            var field = FindField(message, segments[i]);
            if (field is null)
            {
                problem = $"{message.Name} has no field {segments[i]}";
                return null;
            }
            protoPath.Add(field.Name);
            jsonPath.Add(field.JsonName);
            var last = i == segments.Length - 1;
            if (field.IsMap || (field.FieldType == FieldType.Message && !IsQueryValueMessage(field.MessageType) && (last || field.IsRepeated)))
            {
                problem = $"{string.Join('.', jsonPath)} is not a single value: name one of its fields";
                return null;
            }
            if (last)
            {
                problem = "";
                return (field, string.Join('.', protoPath), string.Join('.', jsonPath));
            }
            if (field.FieldType != FieldType.Message || IsQueryValueMessage(field.MessageType))
            {
                problem = $"{string.Join('.', jsonPath)} has no fields";
                return null;
            }
            message = field.MessageType;
        }
        problem = "empty name";
        return null;
    }

    private static string Known(MessageDescriptor input, IReadOnlyList<string> pathFields)
    {
        var names = input.Fields.InDeclarationOrder().Where(f => !pathFields.Contains(f.Name)).Select(f => f.JsonName).ToList();
        return names.Count == 0 ? "this call takes no query parameters" : "this call's query parameters: " + string.Join(", ", names);
    }

    /// <summary>Well-known messages written as one JSON string or number, which a query parameter can carry.</summary>
    private static bool IsQueryValueMessage(MessageDescriptor message) => message.FullName switch
    {
        "google.protobuf.Timestamp" or "google.protobuf.Duration" or "google.protobuf.FieldMask" => true,
        _ => IsWrapper(message),
    };

    private static bool IsWrapper(MessageDescriptor message) =>
        message.File.Name == "google/protobuf/wrappers.proto";

    /// <summary>What is wrong with a query parameter's value for its field, or null when it is of the field's type.</summary>
    private static string? CheckText(string text, FieldDescriptor field)
    {
        if (field.FieldType == FieldType.Message)
        {
            var message = field.MessageType;
            if (IsWrapper(message)) return CheckText(text, message.FindFieldByNumber(1));
            if (message.FullName == "google.protobuf.FieldMask") return null;
            try
            {
                BodyParser.Parse(JsonSerializer.Serialize(text), message);
                return null;
            }
            catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidJsonException or FormatException)
            {
                return message.FullName == "google.protobuf.Timestamp"
                    ? $"\"{text}\" is not an RFC 3339 time (e.g. 2025-11-20T12:30:00+07:00)"
                    : $"\"{text}\" is not a duration (e.g. 90s)";
            }
        }
        return field.FieldType switch
        {
            FieldType.String => null,
            FieldType.Bool => text is "true" or "false" ? null : $"\"{text}\" is not true or false",
            FieldType.Enum => EnumProblem(text, field.EnumType),
            FieldType.Bytes => IsBase64(text) ? null : $"\"{text}\" is not base64",
            FieldType.Float or FieldType.Double => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? null : $"\"{text}\" is not a number",
            _ => IntegerProblem(text, field.FieldType),
        };
    }

    private static string? EnumProblem(string text, EnumDescriptor type) =>
        type.FindValueByName(text) is not null ? null
            : $"\"{text}\" is not a value of {type.Name}: one of {string.Join(", ", type.Values.Select(v => v.Name))}";

    private static bool IsBase64(string text)
    {
        var standard = text.Replace('-', '+').Replace('_', '/');
        standard = standard.PadRight(standard.Length + (4 - standard.Length % 4) % 4, '=');
        return Convert.TryFromBase64String(standard, new byte[standard.Length], out _);
    }

    private static readonly Regex WholeNumber = new(@"^-?[0-9]+$", RegexOptions.CultureInvariant);

    /// <summary>What is wrong with <paramref name="text"/> as an integer of <paramref name="type"/>: digits only, in range.</summary>
    private static string? IntegerProblem(string text, FieldType type)
    {
        if (!WholeNumber.IsMatch(text))
            return $"\"{text}\" is not a whole number: digits only, without a decimal point, thousands separator or exponent";
        var inRange = type switch
        {
            FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
            FieldType.UInt32 or FieldType.Fixed32 => uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _),
            FieldType.UInt64 or FieldType.Fixed64 => ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _),
            _ => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
        };
        return inRange ? null : $"{text} is out of range for {type.ToString().ToLowerInvariant()}";
    }

    // ---- body ----

    private static FieldDescriptor? FindField(MessageDescriptor message, string name) =>
        message.FindFieldByName(name) ?? message.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == name);

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static void CheckMessage(JsonElement json, MessageDescriptor message, string path, List<FieldViolation> violations, int depth)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            violations.Add(new FieldViolation(path, "FIELD_TYPE_INVALID", $"must be a JSON object ({message.Name}), not {Describe(json)}"));
            return;
        }
        foreach (var property in json.EnumerateObject())
        {
            var field = FindField(message, property.Name);
            var fieldPath = Join(path, field?.JsonName ?? property.Name);
            if (field is null)
            {
                violations.Add(new FieldViolation(fieldPath, "FIELD_UNKNOWN", $"{message.Name} has no field {property.Name}"));
                continue;
            }
            var value = property.Value;
            if (value.ValueKind == JsonValueKind.Null) continue;
            if (field.IsMap)
            {
                if (value.ValueKind != JsonValueKind.Object)
                {
                    violations.Add(new FieldViolation(fieldPath, "FIELD_TYPE_INVALID", $"must be a JSON object (a map), not {Describe(value)}"));
                    continue;
                }
                var valueField = field.MessageType.FindFieldByNumber(2);
                foreach (var entry in value.EnumerateObject())
                    CheckValue(entry.Value, valueField, $"{fieldPath}[{entry.Name}]", violations, depth);
            }
            else if (field.IsRepeated)
            {
                if (value.ValueKind != JsonValueKind.Array)
                {
                    violations.Add(new FieldViolation(fieldPath, "FIELD_TYPE_INVALID", $"must be a JSON array, not {Describe(value)}"));
                    continue;
                }
                var index = 0;
                foreach (var item in value.EnumerateArray())
                    CheckValue(item, field, $"{fieldPath}[{index++}]", violations, depth);
            }
            else
            {
                CheckValue(value, field, fieldPath, violations, depth);
            }
            if (violations.Count >= 100) return;
        }
    }

    private static void CheckValue(JsonElement value, FieldDescriptor field, string path, List<FieldViolation> violations, int depth)
    {
        if (value.ValueKind == JsonValueKind.Null) return;
        string? problem;
        switch (field.FieldType)
        {
            case FieldType.Message:
                var message = field.MessageType;
                if (IsWrapper(message))
                {
                    CheckValue(value, message.FindFieldByNumber(1), path, violations, depth);
                    return;
                }
                if (message.File.Package == "google.protobuf")
                {
                    // Timestamp, Duration, FieldMask, Struct, Value, ListValue, Any, Empty: the protobuf parser knows them.
                    try
                    {
                        BodyParser.Parse(value.GetRawText(), message);
                        problem = null;
                    }
                    catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidJsonException or FormatException)
                    {
                        problem = message.FullName == "google.protobuf.Timestamp"
                            ? $"must be an RFC 3339 time as a JSON string (e.g. \"2025-11-20T12:30:00+07:00\"), not {Describe(value)}"
                            : $"is not a valid {message.Name}: {ex.Message}";
                    }
                    break;
                }
                CheckMessage(value, message, path, violations, depth + 1);
                return;
            case FieldType.String:
                problem = value.ValueKind == JsonValueKind.String ? null : $"must be a JSON string, not {Describe(value)}";
                break;
            case FieldType.Bool:
                problem = value.ValueKind is JsonValueKind.True or JsonValueKind.False ? null : $"must be true or false, not {Describe(value)}";
                break;
            case FieldType.Bytes:
                problem = value.ValueKind == JsonValueKind.String && IsBase64(value.GetString()!) ? null : $"must be base64 in a JSON string, not {Describe(value)}";
                break;
            case FieldType.Enum:
                problem = value.ValueKind switch
                {
                    JsonValueKind.String => EnumProblem(value.GetString()!, field.EnumType),
                    JsonValueKind.Number when value.TryGetInt32(out _) => null,
                    _ => $"must be a value of {field.EnumType.Name} by name, not {Describe(value)}",
                };
                break;
            case FieldType.Float or FieldType.Double:
                problem = value.ValueKind switch
                {
                    JsonValueKind.Number => null,
                    JsonValueKind.String when value.GetString() is "NaN" or "Infinity" or "-Infinity"
                        || double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out _) => null,
                    _ => $"must be a number, not {Describe(value)}",
                };
                break;
            default:
                problem = value.ValueKind is JsonValueKind.String or JsonValueKind.Number
                    ? IntegerProblem(value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText(), field.FieldType)
                    : $"must be a whole number (as a JSON string, e.g. \"75000\", or a number), not {Describe(value)}";
                break;
        }
        if (problem is not null) violations.Add(new FieldViolation(path, "FIELD_TYPE_INVALID", problem));
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Shorten(value.GetString()!)}\"",
        JsonValueKind.Number => $"the number {Shorten(value.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
