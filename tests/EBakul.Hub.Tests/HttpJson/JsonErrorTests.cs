using System.Net;
using System.Text;
using System.Text.Json;
using EBakul.Hub.Access;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Merchants.V1;
using Google.Protobuf;

namespace EBakul.Hub.Tests.HttpJson;

/// <summary>
/// The hub's statuses over HTTP/JSON: google.rpc.Status bodies with ErrorInfo and BadRequest details (each with its
/// "@type"), the HTTP status transcoding maps each code to, int64 money as JSON strings, and bodies that cannot be a
/// request (unknown fields, wrong types, broken JSON, over the size limit) refused with 400 and nothing written.
/// </summary>
public sealed class JsonErrorTests : IDisposable
{
    private const string Merchants = "/v1/regencies/35.22/merchants";
    private readonly HubFactory _hub = new();

    public void Dispose() => _hub.Dispose();

    [Fact]
    public async Task A_call_without_credentials_is_401_with_the_reason()
    {
        using var client = _hub.CreateClient();
        var (status, body) = await ReadAsync(await client.GetAsync("/v1/regencies"));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(16, body.GetProperty("code").GetInt32());
        Assert.Equal("CREDENTIALS_MISSING", Detail(body, "google.rpc.ErrorInfo").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Invalid_input_is_400_with_every_field_violation()
    {
        using var client = AdminClient();
        var (status, body) = await ReadAsync(await client.PostAsync(Merchants, Json("""{"requestId":"r-1","merchant":{"name":"Warung"}}""")));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(3, body.GetProperty("code").GetInt32());
        Assert.Equal("REQUEST_INVALID", Detail(body, "google.rpc.ErrorInfo").GetProperty("reason").GetString());
        var fields = Detail(body, "google.rpc.BadRequest").GetProperty("fieldViolations").EnumerateArray()
            .Select(v => v.GetProperty("field").GetString()).ToList();
        // Named as the JSON body names them (lowerCamel), not by their proto names.
        Assert.Contains("merchant.ownerName", fields);
        Assert.Contains("merchant.category", fields);
        Assert.DoesNotContain("merchant.name", fields);
        Assert.DoesNotContain(fields, f => f!.Contains('_'));
        Assert.Contains("merchant.ownerName: is required", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_missing_merchant_is_404()
    {
        using var client = AdminClient();
        var (status, body) = await ReadAsync(await client.GetAsync($"{Merchants}/M-NOT-THERE"));
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("MERCHANT_NOT_FOUND", Detail(body, "google.rpc.ErrorInfo").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_request_id_reused_for_another_payload_is_refused_with_its_reason()
    {
        using var client = AdminClient();
        var first = await client.PostAsync(Merchants, Json(RegisterBody("r-reuse", TestData.ValidMerchantDraft())));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var (status, body) = await ReadAsync(await client.PostAsync(Merchants, Json(RegisterBody("r-reuse", TestData.ValidMerchantDraft()))));
        Assert.Equal(HttpStatusCode.BadRequest, status); // FAILED_PRECONDITION: transcoding answers 400
        Assert.Equal(9, body.GetProperty("code").GetInt32());
        Assert.Equal("REQUEST_ID_REUSED", Detail(body, "google.rpc.ErrorInfo").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_retry_with_the_same_request_id_returns_the_first_answer()
    {
        using var client = AdminClient();
        var body = RegisterBody("r-retry", TestData.ValidMerchantDraft());
        var first = await (await client.PostAsync(Merchants, Json(body))).Content.ReadAsStringAsync();
        var second = await (await client.PostAsync(Merchants, Json(body))).Content.ReadAsStringAsync();
        Assert.Equal(first, second);
        Assert.Equal(1, await CountMerchantsAsync());
    }

    [Theory]
    [InlineData("""{"requestId":"r-2","merchant":{"nama":"Warung"}}""", "merchant.nama", "FIELD_UNKNOWN", "MerchantDraft has no field nama")]
    [InlineData("""{"requestId":2}""", "requestId", "FIELD_TYPE_INVALID", "must be a JSON string, not the number 2")]
    [InlineData("""{"requestId":"r-3","merchant":{"category":"WARUNG"}}""", "merchant.category", "FIELD_TYPE_INVALID", "\"WARUNG\" is not a value of MerchantCategory")]
    [InlineData("""{"request_id":"r-5","merchant":{"owner_name":7}}""", "merchant.ownerName", "FIELD_TYPE_INVALID", "must be a JSON string")]
    [InlineData("""{"requestId":"r-4","merchant":""", null, null, "not valid JSON")]
    [InlineData("""[1,2]""", null, null, "must be a JSON object of RegisterMerchantRequest")]
    public async Task A_body_that_is_not_the_request_is_400_and_writes_nothing(string json, string? field, string? fieldReason, string expected)
    {
        using var client = AdminClient();
        var (status, body) = await ReadAsync(await client.PostAsync(Merchants, Json(json)));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(3, body.GetProperty("code").GetInt32());
        Assert.Contains(expected, body.GetProperty("message").GetString());
        Assert.Equal("JSON_INVALID", Detail(body, "google.rpc.ErrorInfo").GetProperty("reason").GetString());
        if (field is null)
        {
            Assert.DoesNotContain(body.GetProperty("details").EnumerateArray(), d => d.GetProperty("@type").GetString()!.EndsWith("BadRequest"));
        }
        else
        {
            var violation = Assert.Single(Detail(body, "google.rpc.BadRequest").GetProperty("fieldViolations").EnumerateArray());
            Assert.Equal(field, violation.GetProperty("field").GetString());
            Assert.Equal(fieldReason, violation.GetProperty("reason").GetString());
        }
        Assert.Equal(0, await CountMerchantsAsync());
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_400_and_writes_nothing()
    {
        using var hub = new HubFactory();
        hub.Settings["Grpc:MaxReceiveMessageSize"] = "65536";
        using var client = hub.CreateClient();
        client.DefaultRequestHeaders.Add("Authorization", $"Bearer {AdminToken(hub)}");
        var draft = TestData.ValidMerchantDraft();
        draft.Address = new string('x', 70_000);
        var (status, body) = await ReadAsync(await client.PostAsync(Merchants, Json(RegisterBody("r-big", draft))));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("BODY_TOO_LARGE", Detail(body, "google.rpc.ErrorInfo").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_caller_over_its_rate_limit_gets_429()
    {
        var token = _hub.IssueToken(new Caller
        {
            Id = "slow", DisplayName = "Slow", Kind = CallerKind.RegencySystem, Scopes = Scopes.RegionsRead,
            Regencies = CallerIdentity.AllRegencies, RateLimitPerSecond = 2,
        });
        using var client = _hub.CreateClient();
        client.DefaultRequestHeaders.Add("Authorization", $"Bearer {token}");
        // A burst of 20 at once: the bucket holds 4 and refills 2 a second, so some pass and the rest are refused. (Sent
        // together, so that a slow machine cannot spread them over enough seconds for the bucket to refill.)
        var answers = new List<(HttpStatusCode Status, JsonElement Body)>();
        for (var round = 0; round < 5 && !answers.Any(a => a.Status == HttpStatusCode.TooManyRequests); round++)
            answers.AddRange(await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ => await ReadAsync(await client.GetAsync("/v1/regencies")))));
        Assert.Contains(answers, a => a.Status == HttpStatusCode.OK);
        var body = answers.First(a => a.Status == HttpStatusCode.TooManyRequests).Body;
        Assert.Equal(8, body.GetProperty("code").GetInt32());
        Assert.Equal("RATE_LIMITED", Detail(body, "google.rpc.ErrorInfo").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_purchase_recorded_over_json_carries_rupiah_as_a_string_and_is_read_back()
    {
        var employee = await RosterTestData.SyncEmployeeAsync(_hub.Channel);
        var merchant = await TestData.RegisterActiveMerchantAsync(_hub.Channel);
        using var client = AdminClient();
        var record = $$"""
            {"requestId":"buy-1","purchase":{"employeeNip":"{{employee.Nip}}","merchantId":"{{merchant.MerchantId}}",
             "amountRupiah":"125000","occurTime":"2025-10-15T03:00:00Z","receiptKind":"RECEIPT_KIND_NOTA","receiptReference":"NOTA-77"} }
            """;
        var (status, body) = await ReadAsync(await client.PostAsync("/v1/regencies/35.22/purchases", Json(record)));
        Assert.Equal(HttpStatusCode.OK, status);
        var purchase = body.GetProperty("purchase");
        Assert.Equal(JsonValueKind.String, purchase.GetProperty("amountRupiah").ValueKind);
        Assert.Equal("125000", purchase.GetProperty("amountRupiah").GetString());
        Assert.Equal("ENTRY_KIND_PURCHASE", purchase.GetProperty("kind").GetString());

        var (readStatus, read) = await ReadAsync(await client.GetAsync($"/v1/regencies/35.22/purchases/{purchase.GetProperty("purchaseId").GetString()}"));
        Assert.Equal(HttpStatusCode.OK, readStatus);
        Assert.Equal("125000", read.GetProperty("purchase").GetProperty("amountRupiah").GetString());

        var (duplicateStatus, duplicate) = await ReadAsync(await client.PostAsync("/v1/regencies/35.22/purchases", Json(record.Replace("buy-1", "buy-2"))));
        Assert.Equal(HttpStatusCode.Conflict, duplicateStatus);
        Assert.Equal(6, duplicate.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Import_batch_answers_a_result_per_row()
    {
        using var client = AdminClient();
        var good = JsonFormatter.Default.Format(TestData.ValidMerchantDraft());
        var bad = JsonFormatter.Default.Format(TestData.ValidMerchantDraft(category: MerchantCategory.ModernRetail));
        var (status, body) = await ReadAsync(await client.PostAsync($"{Merchants}:import", Json($$"""{"requestId":"imp-1","merchants":[{{good}},{{bad}}]}""")));
        Assert.Equal(HttpStatusCode.OK, status);
        var outcomes = body.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("outcome").GetString()).ToList();
        Assert.Equal(["IMPORT_OUTCOME_ACCEPTED", "IMPORT_OUTCOME_REJECTED"], outcomes);
        Assert.Equal(1, body.GetProperty("acceptedCount").GetInt32());
        Assert.Equal(1, await CountMerchantsAsync());
    }

    [Fact]
    public async Task Sync_batch_answers_a_result_per_row()
    {
        using var client = AdminClient();
        var row = JsonFormatter.Default.Format(RosterTestData.Employee());
        var (status, body) = await ReadAsync(await client.PostAsync("/v1/regencies/35.22/employees:sync", Json($$"""{"requestId":"sync-1","employees":[{{row}}]}""")));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("SYNC_OUTCOME_CREATED", body.GetProperty("results")[0].GetProperty("outcome").GetString());
    }

    private HttpClient AdminClient()
    {
        var client = _hub.CreateClient();
        client.DefaultRequestHeaders.Add("Authorization", $"Bearer {AdminToken(_hub)}");
        return client;
    }

    private static string AdminToken(HubFactory hub) => hub.IssueToken(new Caller
    {
        Id = $"json-admin-{Guid.NewGuid():N}", DisplayName = "JSON admin", Kind = CallerKind.Admin, Scopes = string.Join(' ', Scopes.All),
        Regencies = CallerIdentity.AllRegencies, RateLimitPerSecond = 1_000_000,
    });

    private static string RegisterBody(string requestId, MerchantDraft draft) =>
        $$"""{"requestId":"{{requestId}}","merchant":{{JsonFormatter.Default.Format(draft)}}}""";

    private async Task<int> CountMerchantsAsync()
    {
        var response = await new MerchantService.MerchantServiceClient(_hub.Channel).ListMerchantsAsync(new ListMerchantsRequest { RegencyCode = "35.22", PageSize = 100 });
        return response.Merchants.Count;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<(HttpStatusCode, JsonElement)> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static JsonElement Detail(JsonElement status, string type) => status.GetProperty("details").EnumerateArray()
        .Single(d => d.GetProperty("@type").GetString() == $"type.googleapis.com/{type}");
}
