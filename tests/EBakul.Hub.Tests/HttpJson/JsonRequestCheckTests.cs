using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using EBakul.Hub.Access;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Merchants.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace EBakul.Hub.Tests.HttpJson;

/// <summary>
/// What a JSON call may carry besides its path: query parameters are checked against the request message (an unknown
/// name or a value of the wrong type is 400, not ignored or bound loosely), a body field that the path also gives must
/// agree with it, and every error over JSON has one compact google.rpc.Status shape with an ErrorInfo and, for a bad
/// field, a BadRequest violation named as the JSON names the field. The OpenAPI document says what the wire carries.
/// </summary>
public sealed class JsonRequestCheckTests : IDisposable
{
    private const string Merchants = "/v1/regencies/35.22/merchants";
    private readonly HubFactory _hub = new();

    public void Dispose() => _hub.Dispose();

    [Theory]
    [InlineData("/v1/regencies/35.22/adjustments:stream?period=2026-11", "period")]
    [InlineData("/v1/regencies/35.22/merchants?statuss=MERCHANT_STATUS_ACTIVE", "statuss")]
    [InlineData("/v1/regencies/35.22/merchants?status=MERCHANT_STATUS_ACTIVE&page_sise=5", "page_sise")]
    [InlineData("/v1/regencies/35.22/merchants?regencyCode=35.23", "regencyCode")]
    [InlineData("/v1/regencies?x=1", "x")]
    public async Task An_unknown_query_parameter_is_400_with_its_name(string path, string parameter)
    {
        using var client = AdminClient();
        var (status, body, _) = await ReadAsync(await client.GetAsync(path));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(3, body.GetProperty("code").GetInt32());
        Assert.Equal("QUERY_PARAMETER_UNKNOWN", Reason(body));
        var violation = Assert.Single(Violations(body));
        Assert.Equal(parameter, violation.GetProperty("field").GetString());
        Assert.Equal("QUERY_PARAMETER_UNKNOWN", violation.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_query_parameter_on_a_call_with_a_body_is_refused_and_writes_nothing()
    {
        using var client = AdminClient();
        var (status, body, _) = await ReadAsync(await client.PostAsync($"{Merchants}?dryRun=true", Json(RegisterBody("q-1"))));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("QUERY_PARAMETER_UNKNOWN", Reason(body));
        Assert.Equal(0, await CountMerchantsAsync());
    }

    [Theory]
    [InlineData("pageSize=abc", "pageSize", "not a whole number")]
    [InlineData("pageSize=1.5", "pageSize", "not a whole number")]
    [InlineData("pageSize=99999999999", "pageSize", "out of range")]
    [InlineData("status=ACTIVE", "status", "MERCHANT_STATUS_ACTIVE")]
    [InlineData("pageSize=5&pageSize=6", "pageSize", "given 2 times")]
    public async Task A_query_value_of_the_wrong_type_is_400_with_the_field(string query, string field, string expected)
    {
        using var client = AdminClient();
        var (status, body, _) = await ReadAsync(await client.GetAsync($"{Merchants}?{query}"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("QUERY_PARAMETER_INVALID", Reason(body));
        var violation = Assert.Single(Violations(body));
        Assert.Equal(field, violation.GetProperty("field").GetString());
        Assert.Contains(expected, violation.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Query_parameters_by_lower_camel_or_proto_name_filter_as_asked()
    {
        await TestData.RegisterActiveMerchantAsync(_hub.Channel);
        await TestData.RegisterMerchantAsync(_hub.Channel);
        using var client = AdminClient();
        foreach (var query in new[] { "status=MERCHANT_STATUS_ACTIVE&pageSize=10", "status=MERCHANT_STATUS_ACTIVE&page_size=10" })
        {
            var (status, body, _) = await ReadAsync(await client.GetAsync($"{Merchants}?{query}"));
            Assert.Equal(HttpStatusCode.OK, status);
            var merchants = body.GetProperty("merchants").EnumerateArray().ToList();
            Assert.Single(merchants);
            Assert.Equal("MERCHANT_STATUS_ACTIVE", merchants[0].GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task A_body_field_that_contradicts_the_path_is_refused_and_writes_nothing()
    {
        using var client = AdminClient();
        var contradicting = JsonNode.Parse(RegisterBody("c-1"))!;
        contradicting["regencyCode"] = HubFactory.OtherRegencyCode;
        var (status, body, _) = await ReadAsync(await client.PostAsync(Merchants, Json(contradicting.ToJsonString())));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("FIELD_CONTRADICTS_PATH", Reason(body));
        Assert.Equal("regencyCode", Assert.Single(Violations(body)).GetProperty("field").GetString());
        Assert.Equal(0, await CountMerchantsAsync());

        var agreeing = JsonNode.Parse(RegisterBody("c-2"))!;
        agreeing["regency_code"] = "35.22";
        var (agreed, _, _) = await ReadAsync(await client.PostAsync(Merchants, Json(agreeing.ToJsonString())));
        Assert.Equal(HttpStatusCode.OK, agreed);
        Assert.Equal(1, await CountMerchantsAsync());
    }

    [Fact]
    public async Task A_rupiah_amount_with_a_decimal_point_is_refused_not_read_as_75()
    {
        var employee = await RosterTestData.SyncEmployeeAsync(_hub.Channel);
        var merchant = await TestData.RegisterActiveMerchantAsync(_hub.Channel);
        using var client = AdminClient();
        foreach (var amount in new[] { "\"75.000\"", "75.5", "\"7.5e4\"", "\"75,000\"" })
        {
            var (status, body, _) = await ReadAsync(await client.PostAsync("/v1/regencies/35.22/purchases", Json($$"""
                {"requestId":"dec-1","purchase":{"employeeNip":"{{employee.Nip}}","merchantId":"{{merchant.MerchantId}}",
                 "amountRupiah":{{amount}},"occurTime":"2025-10-15T03:00:00Z","receiptKind":"RECEIPT_KIND_NOTA","receiptReference":"NOTA-DEC"} }
                """)));
            Assert.Equal(HttpStatusCode.BadRequest, status);
            var violation = Assert.Single(Violations(body));
            Assert.Equal("purchase.amountRupiah", violation.GetProperty("field").GetString());
            Assert.Equal("FIELD_TYPE_INVALID", violation.GetProperty("reason").GetString());
        }
        var (numberStatus, number, numberText) = await ReadAsync(await client.PostAsync("/v1/regencies/35.22/purchases", Json($$"""
            {"requestId":"dec-2","purchase":{"employeeNip":"{{employee.Nip}}","merchantId":"{{merchant.MerchantId}}",
             "amountRupiah":75000,"occurTime":"2025-10-15T03:00:00Z","receiptKind":"RECEIPT_KIND_NOTA","receiptReference":"NOTA-NUM"} }
            """)));
        Assert.True(numberStatus == HttpStatusCode.OK, numberText);
        Assert.Equal("75000", number.GetProperty("purchase").GetProperty("amountRupiah").GetString());
    }

    /// <summary>Requests refused by each layer: the query check, the body check, credentials, the domain's validation.</summary>
    public static TheoryData<string, string, string?, string, string?> Refusals() => new()
    {
        // method, path, body (null: none), the ErrorInfo reason, the violation's field (null: none)
        { "POST", "/v1/regencies/35.22/purchases", """{"requestId":"s-1","purchase":{"amountRupiah":"75.000"}}""", "JSON_INVALID", "purchase.amountRupiah" },
        { "POST", Merchants, "", "JSON_INVALID", null },
        { "POST", Merchants, "{\"requestId\":", "JSON_INVALID", null },
        { "FORM", Merchants, "requestId=s-2", "CONTENT_TYPE_UNSUPPORTED", null },
        { "GET", $"{Merchants}?pageSize=abc", null, "QUERY_PARAMETER_INVALID", "pageSize" },
        { "GET", $"{Merchants}?status=ACTIVE", null, "QUERY_PARAMETER_INVALID", "status" },
        { "GET", $"{Merchants}?statuss=x", null, "QUERY_PARAMETER_UNKNOWN", "statuss" },
        { "POST", Merchants, """{"requestId":"s-3","merchant":{"name":"Warung","ownerNik":"x"}}""", "REQUEST_INVALID", "merchant.ownerName" },
        { "GET", $"{Merchants}/M-NOT-THERE", null, "MERCHANT_NOT_FOUND", null },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Every_refusal_over_json_has_the_one_compact_status_shape(string method, string path, string? json, string reason, string? field)
    {
        using var client = AdminClient();
        using var request = new HttpRequestMessage(method == "GET" ? HttpMethod.Get : HttpMethod.Post, path);
        if (method == "FORM") request.Content = new StringContent(json!, Encoding.UTF8, "application/x-www-form-urlencoded");
        else if (json is not null) request.Content = Json(json);
        using var response = await client.SendAsync(request);
        var (status, body, text) = await ReadAsync(response);

        Assert.True((int)status is >= 400 and < 500, $"{status}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        // Compact: exactly what a JSON writer without indentation makes of it.
        Assert.Equal(JsonNode.Parse(text)!.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }), text);
        Assert.Equal(["code", "message", "details"], body.EnumerateObject().Select(p => p.Name));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("message").GetString()));
        var info = body.GetProperty("details")[0];
        Assert.Equal("type.googleapis.com/google.rpc.ErrorInfo", info.GetProperty("@type").GetString());
        Assert.Equal(reason, info.GetProperty("reason").GetString());
        Assert.Equal("ebakul.hub", info.GetProperty("domain").GetString());
        Assert.Equal(JsonValueKind.Object, info.GetProperty("metadata").ValueKind);
        if (field is null) return;
        var violations = Violations(body).ToList();
        Assert.Contains(violations, v => v.GetProperty("field").GetString() == field);
        Assert.All(violations, v => Assert.DoesNotContain('_', v.GetProperty("field").GetString()!));
        Assert.All(violations, v => Assert.False(string.IsNullOrEmpty(v.GetProperty("reason").GetString())));
    }

    [Fact]
    public async Task The_openapi_document_types_every_int64_field_as_a_string_and_every_timestamp_as_date_time()
    {
        using var client = _hub.CreateClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        var checkedFields = 0;
        foreach (var message in EBakul.Hub.Tests.Access.RegencyBindingTests.Contracts.SelectMany(AllMessages).Distinct())
        {
            if (!schemas.TryGetProperty(message.FullName, out var schema)) continue;
            foreach (var field in message.Fields.InDeclarationOrder())
            {
                if (!schema.GetProperty("properties").TryGetProperty(field.JsonName, out var property)) continue;
                if (field.IsRepeated && !field.IsMap) property = property.GetProperty("items");
                if (field.FieldType is FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 or FieldType.UInt64 or FieldType.Fixed64)
                {
                    Assert.True(property.GetProperty("type").GetString() == "string", $"{field.FullName} is not typed as a string");
                    Assert.EndsWith("int64", property.GetProperty("format").GetString());
                    checkedFields++;
                }
                if (field.FieldType == FieldType.Message && field.MessageType.FullName == "google.protobuf.Timestamp")
                    Assert.True(property.GetProperty("format").GetString() == "date-time", $"{field.FullName} is not a date-time");
            }
        }
        Assert.True(checkedFields >= 50, $"only {checkedFields} int64 fields were found in the document");
        Assert.DoesNotContain("\"integer\",\"format\":\"int64\"", document.RootElement.GetRawText().Replace(" ", "").Replace("\n", ""));
        foreach (var schema in schemas.EnumerateObject())
            Assert.Matches(@"^(ebakul|google)\.[a-z0-9.]+\.[A-Z][A-Za-z0-9.]*$", schema.Name);
        Assert.Equal("/", document.RootElement.GetProperty("servers")[0].GetProperty("url").GetString());
        var status = schemas.GetProperty("google.rpc.Status");
        Assert.Equal(["code", "details", "message"], status.GetProperty("required").EnumerateArray().Select(r => r.GetString()).Order());
    }

    [Fact]
    public async Task The_openapi_document_marks_required_what_the_protos_mark_required_and_the_hub_refuses_without_it()
    {
        using var client = _hub.CreateClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        string[] Required(string schema) => schemas.GetProperty(schema).TryGetProperty("required", out var required)
            ? [.. required.EnumerateArray().Select(r => r.GetString()!).Order()] : [];

        // The protos mark the fields the hub requires (google.api.field_behavior, AIP-203); the document follows them.
        var marked = EBakul.Hub.Tests.Access.RegencyBindingTests.Contracts.SelectMany(AllMessages).Distinct()
            .SelectMany(m => m.Fields.InDeclarationOrder())
            .Count(f => f.GetOptions()?.GetExtension(Google.Api.FieldBehaviorExtensions.FieldBehavior) is { } behaviors
                && behaviors.Contains(Google.Api.FieldBehavior.Required));
        Assert.True(marked >= 100, $"only {marked} fields are marked REQUIRED");
        Assert.Equal(["amountRupiah", "employeeNip", "merchantId", "occurTime", "receiptKind", "receiptReference"], Required("ebakul.ledger.v1.PurchaseDraft"));
        // The body does not repeat what the path carries; a close's preview needs no request id.
        Assert.Equal(["purchase", "requestId"], Required("ebakul.ledger.v1.RecordPurchaseRequest"));
        Assert.DoesNotContain("requestId", Required("ebakul.payroll.v1.ClosePeriodRequest"));
        Assert.Equal(["latitude", "longitude"], Required("ebakul.merchants.v1.GeoPoint"));
        var list = document.RootElement.GetProperty("paths").GetProperty("/v1/regencies/{regencyCode}/adjustments").GetProperty("get");
        var parameters = list.GetProperty("parameters").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.TryGetProperty("required", out var r) && r.GetBoolean());
        Assert.True(parameters["regencyCode"] && parameters["period"]);
        Assert.False(parameters["pageSize"]);

        // What the document calls required, the hub refuses without.
        using var admin = AdminClient();
        var (status, body, _) = await ReadAsync(await admin.PostAsync("/v1/regencies/35.22/purchases", Json(
            """{"requestId":"req-1","purchase":{"employeeNip":"198503152010011001","merchantId":"m","receiptKind":"RECEIPT_KIND_NOTA","receiptReference":"NT-1"}}""")));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(Violations(body), v => v.GetProperty("field").GetString() == "purchase.amountRupiah");
        (status, body, _) = await ReadAsync(await admin.GetAsync("/v1/regencies/35.22/compliance"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(Violations(body), v => v.GetProperty("field").GetString() == "period");
    }

    private static IEnumerable<MessageDescriptor> AllMessages(FileDescriptor file)
    {
        static IEnumerable<MessageDescriptor> Nested(MessageDescriptor m) => m.NestedTypes.SelectMany(Nested).Prepend(m);
        return file.MessageTypes.SelectMany(Nested);
    }

    private HttpClient AdminClient()
    {
        var client = _hub.CreateClient();
        client.DefaultRequestHeaders.Add("Authorization", "Bearer " + _hub.IssueToken(new Caller
        {
            Id = $"json-checks-{Guid.NewGuid():N}", DisplayName = "JSON checks", Kind = CallerKind.Admin, Scopes = string.Join(' ', Scopes.All),
            Regencies = CallerIdentity.AllRegencies, RateLimitPerSecond = 1_000_000,
        }));
        return client;
    }

    private static string RegisterBody(string requestId) =>
        $$"""{"requestId":"{{requestId}}","merchant":{{JsonFormatter.Default.Format(TestData.ValidMerchantDraft())}}}""";

    private async Task<int> CountMerchantsAsync()
    {
        var response = await new MerchantService.MerchantServiceClient(_hub.Channel).ListMerchantsAsync(new ListMerchantsRequest { RegencyCode = "35.22", PageSize = 100 });
        return response.Merchants.Count;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<(HttpStatusCode, JsonElement, string)> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone(), text);
    }

    private static string? Reason(JsonElement status) => status.GetProperty("details").EnumerateArray()
        .Where(d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.ErrorInfo")
        .Select(d => d.GetProperty("reason").GetString()).SingleOrDefault();

    private static IEnumerable<JsonElement> Violations(JsonElement status) => status.GetProperty("details").EnumerateArray()
        .Where(d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.BadRequest")
        .SelectMany(d => d.GetProperty("fieldViolations").EnumerateArray());
}
