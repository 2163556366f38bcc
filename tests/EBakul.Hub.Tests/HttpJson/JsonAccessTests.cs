using System.Net;
using System.Text;
using System.Text.Json;
using EBakul.Hub.Access;
using EBakul.Hub.Tests.Infrastructure;
using Google.Api;
using Google.Protobuf.Reflection;

namespace EBakul.Hub.Tests.HttpJson;

/// <summary>
/// The HTTP/JSON routes go through the same interceptors as gRPC: every transcoded method, called over JSON by a
/// caller admitted only to another regency, or lacking the method's scope, is refused exactly as over gRPC
/// (403 with the same google.rpc.Status reason), before anything is looked up.
/// </summary>
public sealed class JsonAccessTests : IDisposable
{
    private readonly HubFactory _hub = new();

    public void Dispose() => _hub.Dispose();

    private static IEnumerable<MethodDescriptor> AllMethods() => EBakul.Hub.Tests.Access.RegencyBindingTests.Contracts.SelectMany(f => f.Services).SelectMany(s => s.Methods);

    /// <summary>Every transcoded method that names a regency, by its gRPC name.</summary>
    public static TheoryData<string> TranscodedMethods()
    {
        var data = new TheoryData<string>();
        foreach (var method in AllMethods().Where(m => HttpRuleOf(m) is not null && m.InputType.FindFieldByName("regency_code") is not null))
            data.Add($"/{method.Service.FullName}/{method.Name}");
        return data;
    }

    [Fact]
    public void Every_unary_and_server_streaming_method_has_an_http_route_and_no_client_stream_has_one()
    {
        foreach (var method in AllMethods())
        {
            if (method.IsClientStreaming) Assert.Null(HttpRuleOf(method));
            else Assert.True(HttpRuleOf(method) is not null, $"{method.FullName} has no google.api.http annotation");
        }
    }

    [Theory]
    [MemberData(nameof(TranscodedMethods))]
    public async Task Another_regency_is_denied_over_json_for(string fullName)
    {
        var token = _hub.IssueToken(new Caller
        {
            Id = "tuban-everything", DisplayName = "Tuban", Kind = CallerKind.Etpp, Scopes = string.Join(' ', Scopes.All),
            Regencies = HubFactory.OtherRegencyCode, RateLimitPerSecond = 10_000,
        });
        var (status, body) = await CallAsync(Find(fullName), token, "35.22");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal(7, body.GetProperty("code").GetInt32());
        Assert.Equal("REGENCY_NOT_ALLOWED", Reason(body));
    }

    [Theory]
    [MemberData(nameof(TranscodedMethods))]
    public async Task A_missing_scope_is_denied_over_json_for(string fullName)
    {
        var method = Find(fullName);
        var scope = Scopes.ByMethod[fullName];
        var token = _hub.IssueToken(new Caller
        {
            Id = "without-scope", DisplayName = "Without the scope", Kind = CallerKind.Etpp,
            Scopes = string.Join(' ', Scopes.All.Where(s => s != scope)), Regencies = CallerIdentity.AllRegencies, RateLimitPerSecond = 10_000,
        });
        var (status, body) = await CallAsync(method, token, "35.22");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("SCOPE_MISSING", Reason(body));
    }

    [Fact]
    public async Task A_denied_caller_gets_the_same_answer_for_an_existing_and_a_missing_merchant()
    {
        var merchant = await TestData.RegisterMerchantAsync(_hub.Channel);
        var token = _hub.IssueToken(new Caller
        {
            Id = "tuban-reader", DisplayName = "Tuban", Kind = CallerKind.RegencySystem, Scopes = Scopes.MerchantsRead,
            Regencies = HubFactory.OtherRegencyCode, RateLimitPerSecond = 10_000,
        });
        using var client = _hub.CreateClient();
        client.DefaultRequestHeaders.Add("Authorization", $"Bearer {token}");
        var existing = await client.GetAsync($"/v1/regencies/35.22/merchants/{merchant.MerchantId}");
        var missing = await client.GetAsync("/v1/regencies/35.22/merchants/M-DOES-NOT-EXIST");
        Assert.Equal(HttpStatusCode.Forbidden, existing.StatusCode);
        Assert.Equal(existing.StatusCode, missing.StatusCode);
        Assert.Equal(
            (await existing.Content.ReadAsStringAsync()).Replace(merchant.MerchantId, "ID"),
            (await missing.Content.ReadAsStringAsync()).Replace("M-DOES-NOT-EXIST", "ID"));
    }

    private MethodDescriptor Find(string fullName) => AllMethods().Single(m => $"/{m.Service.FullName}/{m.Name}" == fullName);

    /// <summary>Calls a method's route with every path variable but the regency filled with a placeholder.</summary>
    private async Task<(HttpStatusCode Status, JsonElement Body)> CallAsync(MethodDescriptor method, string token, string regency)
    {
        var rule = HttpRuleOf(method)!;
        var (verb, template) = rule.PatternCase switch
        {
            HttpRule.PatternOneofCase.Get => (HttpMethod.Get, rule.Get),
            HttpRule.PatternOneofCase.Post => (HttpMethod.Post, rule.Post),
            HttpRule.PatternOneofCase.Patch => (HttpMethod.Patch, rule.Patch),
            HttpRule.PatternOneofCase.Put => (HttpMethod.Put, rule.Put),
            HttpRule.PatternOneofCase.Delete => (HttpMethod.Delete, rule.Delete),
            _ => throw new InvalidOperationException($"unexpected pattern {rule.PatternCase}"),
        };
        var path = System.Text.RegularExpressions.Regex.Replace(template.Replace("{regency_code}", regency), @"\{[a-z_]+\}", "2025-09");
        using var request = new HttpRequestMessage(verb, path);
        request.Headers.Add("Authorization", $"Bearer {token}");
        if (rule.Body.Length > 0) request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        using var client = _hub.CreateClient();
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        // A server stream that fails before its first message answers with the status, not a stream.
        return (response.StatusCode, JsonDocument.Parse(text.Trim()).RootElement.Clone());
    }

    private static string? Reason(JsonElement status) => status.GetProperty("details").EnumerateArray()
        .Where(d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.ErrorInfo")
        .Select(d => d.GetProperty("reason").GetString()).SingleOrDefault();

    private static HttpRule? HttpRuleOf(MethodDescriptor method) => method.GetOptions()?.GetExtension(AnnotationsExtensions.Http);
}
