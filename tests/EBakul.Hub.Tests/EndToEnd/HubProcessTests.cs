using System.Text.Json;
using Google.Protobuf;
using Google.Rpc;

namespace EBakul.Hub.Tests.EndToEnd;

/// <summary>The real hub process called with <c>buf curl</c> (gRPC over HTTP/2, schema from server reflection).</summary>
public sealed class HubProcessTests(HubProcess hub) : IClassFixture<HubProcess>
{
    [Fact]
    public async Task Health_check_answers_serving()
    {
        var result = await hub.CurlAsync("grpc.health.v1.Health/Check");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal("SERVING", json.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Reflection_lists_the_services()
    {
        var result = await hub.CurlAsync(null, null, "--list-services");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var services = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("ebakul.regions.v1.RegionService", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }

    [Fact]
    public async Task ListKecamatan_returns_the_28_kecamatan_of_Bojonegoro()
    {
        var result = await hub.CurlAsync("ebakul.regions.v1.RegionService/ListKecamatan", """{"regency_code": "35.22"}""");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var kecamatan = json.RootElement.GetProperty("kecamatan").EnumerateArray()
            .Select(k => (Code: k.GetProperty("code").GetString(), Name: k.GetProperty("name").GetString()))
            .ToList();
        Assert.Equal(28, kecamatan.Count);
        Assert.Equal(("35.22.01", "Ngraho"), kecamatan[0]);
        Assert.Contains(("35.22.15", "Bojonegoro"), kecamatan);
        Assert.Equal(("35.22.28", "Gayam"), kecamatan[27]);
    }

    [Fact]
    public async Task A_missing_regency_code_is_invalid_argument_naming_the_field()
    {
        var result = await hub.CurlAsync("ebakul.regions.v1.RegionService/ListKecamatan", """{"regency_code": ""}""");
        Assert.NotEqual(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stderr);
        Assert.Equal("invalid_argument", json.RootElement.GetProperty("code").GetString());
        Assert.Contains("regency_code", json.RootElement.GetProperty("message").GetString());

        // buf prints the google.rpc details it cannot name as base64 protobuf: decode them.
        var details = json.RootElement.GetProperty("details").EnumerateArray()
            .ToDictionary(d => d.GetProperty("type").GetString()!, d => ByteString.FromBase64(Padded(d.GetProperty("value").GetString()!)));
        var violation = Assert.Single(BadRequest.Parser.ParseFrom(details["google.rpc.BadRequest"]).FieldViolations);
        Assert.Equal("regency_code", violation.Field);
        Assert.Equal("FIELD_REQUIRED", ErrorInfo.Parser.ParseFrom(details["google.rpc.ErrorInfo"]).Reason);
    }

    [Fact]
    public async Task An_unknown_regency_is_not_found()
    {
        var result = await hub.CurlAsync("ebakul.regions.v1.RegionService/ListKecamatan", """{"regency_code": "35.99"}""");
        Assert.NotEqual(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stderr);
        Assert.Equal("not_found", json.RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public void The_demo_data_option_on_the_command_line_loads_data_before_serving()
    {
        Assert.Contains("Demo data loaded", hub.Output);
        Assert.Contains("400 merchants", hub.Output);
    }

    private static string Padded(string base64) => base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
}
