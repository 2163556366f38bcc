using System.Net;
using System.Text;
using System.Text.Json;
using EBakul.Hub.Access;
using EBakul.Hub.Tests.Infrastructure;

namespace EBakul.Hub.Tests.Faults;

/// <summary>
/// Bodies that are not the request (broken JSON, bytes that are not UTF-8, nesting past any limit, values out of their
/// type's range) sent to every route of the HTTP/JSON endpoint that changes something: each is a 4xx with a
/// google.rpc.Status body (never a 5xx, never UNKNOWN or INTERNAL), and nothing is written.
/// </summary>
public sealed class MalformedJsonTests : IDisposable
{
    private readonly HubFactory _hub = new();

    public void Dispose() => _hub.Dispose();

    private static readonly string[] Bodies =
    [
        "",
        "{",
        """{"requestId":""",
        "null",
        "\"text\"",
        "[1,2]",
        """{"requestId":1e400}""",
        """{"requestId":"\ud800"}""",
        new string('[', 10_000) + new string(']', 10_000),
        string.Concat(Enumerable.Repeat("""{"merchant":""", 200)) + "{}" + new string('}', 200),
        """{"requestId":"m-1","purchase":{"occurTime":"10000-01-01T00:00:00Z","amountRupiah":"10000"}}""",
        """{"requestId":"m-2","purchase":{"occurTime":"2025-13-45T99:00:00Z"}}""",
        """{"requestId":"m-3","purchase":{"occurTime":"0001-01-01T00:00:00.000000001-23:59"}}""",
        """{"requestId":"m-4","purchase":{"amountRupiah":"99999999999999999999999"}}""",
        """{"requestId":"m-5","eligibleSince":"-0001-01-01T00:00:00Z"}""",
        """{"requestId":"m-6","updateMask":"a..b,,","merchant":{}}""",
        """{"requestId":"m-7","merchant":{"location":{"latitude":"north"}}}""",
        """{"requestId":"m-8","employees":[{"statusEffectiveDate":{"year":"two","month":13}}]}""",
        """{"requestId":"m-9","policy":{"effectiveFrom":"2025-99"}}""",
    ];

    /// <summary>Raw bodies that are not UTF-8.</summary>
    private static readonly byte[][] RawBodies =
    [
        [0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d],
        [0xc3, 0x28],
        [0x7b, 0x22, 0x72, 0x65, 0x71, 0x75, 0x65, 0x73, 0x74, 0x49, 0x64, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d],
    ];

    /// <summary>Every write route of the hub's OpenAPI document, its path parameters filled in.</summary>
    private async Task<List<(HttpMethod Method, string Path)>> WriteRoutesAsync(HttpClient client)
    {
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var routes = new List<(HttpMethod, string)>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            var filled = System.Text.RegularExpressions.Regex.Replace(path.Name, @"\{(\w+)\}", parameter => parameter.Groups[1].Value switch
            {
                "regencyCode" => TestData.Regency,
                "period" => "2025-09",
                "nip" => "198503152010011001",
                _ => "01a23f67814672c5ad623067ea68ddc0",
            });
            foreach (var method in path.Value.EnumerateObject().Select(m => m.Name))
                if (method is "post" or "patch" or "put" or "delete") routes.Add((new HttpMethod(method.ToUpperInvariant()), filled));
        }
        return routes;
    }

    [Fact]
    public async Task Malformed_bodies_on_every_json_write_route_are_4xx_with_a_status_and_write_nothing()
    {
        using var client = _hub.CreateClient();
        client.DefaultRequestHeaders.Add("Authorization", "Bearer " + _hub.IssueToken(new Caller
        {
            Id = "json-fuzz", DisplayName = "JSON fuzz", Kind = CallerKind.Admin, Scopes = string.Join(' ', Scopes.All),
            Regencies = CallerIdentity.AllRegencies, RateLimitPerSecond = 1_000_000,
        }));
        var routes = await WriteRoutesAsync(client);
        Assert.True(routes.Count >= 15, $"only {routes.Count} write routes found");
        var before = StoredRows.Count(_hub.DatabasePath);
        var failures = new List<string>();

        var contents = Bodies.Select(b => (Name: b.Length > 60 ? b[..60] + "…" : b, Make: (Func<HttpContent>)(() => new StringContent(b, Encoding.UTF8, "application/json"))))
            .Concat(RawBodies.Select(b => (Name: Convert.ToHexString(b), Make: (Func<HttpContent>)(() =>
            {
                var content = new ByteArrayContent(b);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                return content;
            }))));
        foreach (var (name, make) in contents)
        {
            foreach (var (method, path) in routes)
            {
                using var response = await client.SendAsync(new HttpRequestMessage(method, path) { Content = make() });
                var text = await response.Content.ReadAsStringAsync();
                int? code = null;
                try { code = JsonDocument.Parse(text).RootElement.GetProperty("code").GetInt32(); }
                catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException) { }
                if ((int)response.StatusCode is < 400 or >= 500 || code is null or 2 or 13)
                    failures.Add($"{method} {path} {name}: HTTP {(int)response.StatusCode}, code {code?.ToString() ?? "none"}: {text[..Math.Min(text.Length, 200)]}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(before, StoredRows.Count(_hub.DatabasePath));
    }
}
