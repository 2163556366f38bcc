using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EBakul.Hub.Tests.Infrastructure;

/// <summary>A client of the test issuer, with the claims the hub reads (<c>ebakul_kind</c>, <c>ebakul_regencies</c>, <c>ebakul_office</c>).</summary>
public sealed record IssuerClient(string ClientId, string ClientSecret, string Scope, string? Kind = null, string? Regencies = null, string? Office = null);

/// <summary>
/// A real OAuth 2.0 / OpenID Connect issuer (oidc-provider, tests/oidc-issuer/issuer.mjs) in its own Node process on a free
/// loopback port: the client_credentials grant, JWT access tokens for <see cref="Audience"/>. Tokens come from its token
/// endpoint over HTTP, as a calling system gets them.
/// </summary>
public sealed class OidcIssuerProcess : IAsyncDisposable
{
    /// <summary>The audience the issuer's tokens name unless another resource is asked for.</summary>
    public const string Audience = "https://hub.ebakul.test";

    private readonly Process _process;
    private readonly HttpClient _http = new();

    private OidcIssuerProcess(Process process, string address)
    {
        _process = process;
        Address = address;
    }

    /// <summary>The issuer (<c>http://127.0.0.1:PORT</c>): its <c>iss</c> and the hub's <c>Authority</c>.</summary>
    public string Address { get; }

    /// <summary>Starts the issuer with these clients.</summary>
    public static async Task<OidcIssuerProcess> StartAsync(IReadOnlyList<IssuerClient> clients, int accessTokenTtlSeconds = 600)
    {
        var settings = new JsonObject
        {
            ["audience"] = Audience,
            ["accessTokenTtl"] = accessTokenTtlSeconds,
            ["clients"] = new JsonArray([.. clients.Select(c => (JsonNode)new JsonObject
            {
                ["client_id"] = c.ClientId, ["client_secret"] = c.ClientSecret, ["scope"] = c.Scope,
                ["ebakul_kind"] = c.Kind, ["ebakul_regencies"] = c.Regencies, ["ebakul_office"] = c.Office,
            })]),
        };
        var root = RestartableHubProcess.FindRepositoryRoot();
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true, // the issuer leaves when its standard input closes, also when this process dies
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(root, "tests", "oidc-issuer", "issuer.mjs"));
        start.ArgumentList.Add(settings.ToJsonString());
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line is null || !line.StartsWith("issuer ", StringComparison.Ordinal))
        {
            process.Kill(entireProcessTree: true);
            lock (errors) throw new InvalidOperationException($"the test issuer did not start: {line} {errors}");
        }
        return new OidcIssuerProcess(process, line["issuer ".Length..].Trim());
    }

    /// <summary>A client-credentials token from the token endpoint; <paramref name="resource"/> asks for another audience.</summary>
    public async Task<string> TokenAsync(IssuerClient client, string? scope = null, string? resource = null)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = client.ClientId, ["client_secret"] = client.ClientSecret,
            ["scope"] = scope ?? client.Scope,
        };
        if (resource is not null) form["resource"] = resource;
        using var response = await _http.PostAsync($"{Address}/token", new FormUrlEncodedContent(form));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"token endpoint: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>The issuer's public signing keys (its JWKS document).</summary>
    public async Task<JsonElement> JwksAsync()
    {
        var discovery = await _http.GetFromJsonAsync<JsonElement>($"{Address}/.well-known/openid-configuration");
        return await _http.GetFromJsonAsync<JsonElement>(discovery.GetProperty("jwks_uri").GetString());
    }

    /// <summary>Rotates the signing key: a new key first, the old ones still published. Answers the key ids, newest first.</summary>
    public async Task<string[]> RotateKeysAsync()
    {
        using var response = await _http.PostAsync($"{Address}/test/rotate-keys", null);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return [.. body.GetProperty("kids").EnumerateArray().Select(k => k.GetString()!)];
    }

    /// <summary>Settings that make a hub accept this issuer's tokens as issuer <paramref name="index"/>, named <paramref name="name"/>.</summary>
    public Dictionary<string, string?> HubSettings(int index = 0, string name = "test-issuer") => new()
    {
        [$"Access:Issuers:{index}:Authority"] = Address,
        [$"Access:Issuers:{index}:Name"] = name,
        [$"Access:Issuers:{index}:Audience"] = Audience,
        [$"Access:Issuers:{index}:MinimumRefreshInterval"] = "00:00:01",
    };

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(5))) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
