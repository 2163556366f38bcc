using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace EBakul.Hub.Tests.EndToEnd;

/// <summary>
/// The real hub process called as a PHP or JavaScript system would: plain HTTP/1.1 and JSON on the HTTP endpoint,
/// the three tasks of docs/clients.md (register a merchant, record a purchase, read an employee's progress), the
/// OpenAPI document and the reference page; the JSON routes are not on the gRPC endpoint.
/// </summary>
public sealed class HubProcessJsonTests(HubProcess hub) : IClassFixture<HubProcess>
{
    [Fact]
    public async Task A_call_without_a_token_is_401_with_a_status_body()
    {
        using var client = new HttpClient { BaseAddress = new Uri(hub.HttpAddress) };
        var response = await client.GetAsync("/v1/regencies/35.22/kecamatan");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(16, json.RootElement.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Register_a_merchant_record_a_purchase_and_read_the_employees_progress_over_json()
    {
        using var client = Client();
        var employees = await GetJsonAsync(client, "/v1/regencies/35.22/employees?pageSize=1&status=EMPLOYEE_STATUS_ACTIVE");
        var nip = employees.GetProperty("employees")[0].GetProperty("nip").GetString();

        var registered = await PostJsonAsync(client, "/v1/regencies/35.22/merchants", """
            {"requestId":"e2e-json-reg-1","merchant":{"name":"Warung Bu Sri JSON","ownerName":"Sri Wahyuni",
             "ownerNik":"3522015708850001","category":"MERCHANT_CATEGORY_FOOD_AND_DRINK","scale":"MERCHANT_SCALE_MICRO",
             "kecamatanCode":"35.22.15","address":"Jl. Panglima Sudirman No. 5, Bojonegoro"}}
            """);
        var merchantId = registered.GetProperty("merchant").GetProperty("merchantId").GetString();
        Assert.Equal("MERCHANT_STATUS_PENDING_VERIFICATION", registered.GetProperty("merchant").GetProperty("status").GetString());
        await PostJsonAsync(client, $"/v1/regencies/35.22/merchants/{merchantId}:verify", """{"requestId":"e2e-json-verify-1","reason":"field visit"}""");

        var occurred = DateTimeOffset.UtcNow.AddSeconds(2).ToString("yyyy-MM-ddTHH:mm:ssZ"); // after the verification just made (within the clock-skew allowance)
        var recorded = await PostJsonAsync(client, "/v1/regencies/35.22/purchases", $$"""
            {"requestId":"e2e-json-buy-1","purchase":{"employeeNip":"{{nip}}","merchantId":"{{merchantId}}",
             "amountRupiah":"75000","occurTime":"{{occurred}}","receiptKind":"RECEIPT_KIND_NOTA","receiptReference":"NOTA-E2E-1"} }
            """);
        var period = recorded.GetProperty("purchase").GetProperty("period").GetString();
        Assert.Equal("75000", recorded.GetProperty("purchase").GetProperty("amountRupiah").GetString());

        var evaluation = await GetJsonAsync(client, $"/v1/regencies/35.22/employees/{nip}:evaluate?period={period}");
        Assert.Equal(JsonValueKind.Object, evaluation.ValueKind);
        Assert.Contains("75000", evaluation.GetRawText());
    }

    [Fact]
    public async Task The_openapi_document_and_the_reference_page_are_served_on_the_http_endpoint()
    {
        using var client = new HttpClient { BaseAddress = new Uri(hub.HttpAddress) };
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        Assert.True(document.RootElement.GetProperty("paths").TryGetProperty("/v1/regencies/{regencyCode}/purchases", out _));
        var page = await client.GetStringAsync("/docs/");
        Assert.Contains("scalar.js", page);
        var script = await client.GetAsync("/docs/scalar.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    [Fact]
    public async Task The_json_routes_are_not_on_the_grpc_endpoint()
    {
        using var handler = new SocketsHttpHandler();
        using var client = new HttpClient(handler) { BaseAddress = new Uri(hub.Address), DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", hub.DevelopmentToken());
        var response = await client.GetAsync("/v1/regencies");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private HttpClient Client()
    {
        var client = new HttpClient { BaseAddress = new Uri(hub.HttpAddress) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", hub.DevelopmentToken());
        return client;
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<JsonElement> PostJsonAsync(HttpClient client, string path, string json)
    {
        var response = await client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
