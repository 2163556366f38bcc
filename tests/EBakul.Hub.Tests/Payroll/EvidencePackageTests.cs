using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using EBakul.Hub.Hosting;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Payroll.V1;
using Xunit.Abstractions;
using static EBakul.Hub.Tests.Payroll.PayrollArrange;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Payroll;

/// <summary>
/// The evidence package of a month round-trips through the hub's own offline verifier, which catches a changed byte, a
/// changed amount and a removed purchase even when the tamperer rewrote the package's digest, and an altered audit event.
/// </summary>
public sealed class EvidencePackageTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ebakul-evidence-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_closed_month_with_a_correction_and_disputes_verifies_and_every_kind_of_tampering_is_caught()
    {
        using var hub = new HubFactory();
        var arrange = new PayrollArrange(hub);
        var p = await arrange.SeptemberAsync();
        await arrange.CloseAsync(September);
        var dispute = (await arrange.Payroll.FileDisputeAsync(new FileDisputeRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, AdjustmentKey = Key(p.Short, September, 1),
            Reason = DisputeReason.PurchaseMissing, Text = "nota 25 September", EvidenceReferences = { "NT-0925-17" },
        })).Dispute;
        hub.Clock.Set(Wib(2025, 10, 17, 9));
        await arrange.Payroll.ResolveDisputeAsync(new ResolveDisputeRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = Regency, DisputeId = dispute.DisputeId, Decision = DisputeDecision.Accept, Text = "nota asli",
        });
        await arrange.Quota.PurchaseAsync(p.Short, p.MerchantB, 50_000, Wib(2025, 9, 25));
        await arrange.CloseAsync(September);

        var package = await ExportAsync(hub, September);
        var (code, message) = await VerifyAsync(package);
        Assert.True(code == 0, message);
        Assert.StartsWith("evidence intact", message);

        var lines = File.ReadAllLines(package);
        // The export is recorded in the audit chain with the digest its end line carries.
        var digest = System.Text.Json.Nodes.JsonNode.Parse(lines[^1])!["sha256"]!.GetValue<string>();
        var exports = (await new EBakul.Audit.V1.AuditService.AuditServiceClient(hub.Channel).ListAuditEventsAsync(
            new EBakul.Audit.V1.ListAuditEventsRequest { RegencyCode = Regency, PageSize = 1000 })).Events.Where(e => e.Method == "evidence export").ToList();
        Assert.Contains(digest, Assert.Single(exports).Details);
        Assert.Contains(lines, l => l.Contains("\"type\":\"dispute\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("\"type\":\"audit\"", StringComparison.Ordinal));
        Assert.Equal(2, lines.Count(l => l.Contains("\"type\":\"adjustment\"", StringComparison.Ordinal) && l.Contains(p.Short, StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, l => l.Contains("Budi", StringComparison.Ordinal) || l.Contains("\"name\"", StringComparison.Ordinal));

        // One byte changed (a letter of the dispute's text): the digest no longer matches.
        var oneByte = Tampered(lines, l => l.Contains("\"type\":\"dispute\"", StringComparison.Ordinal), l => l.Replace("nota 25", "nota 26"), fixDigest: false);
        Assert.Contains("SHA-256", (await VerifyAsync(oneByte)).Message);

        // One amount changed, and the digest rewritten to match: the recomputation finds it.
        var purchaseOfCapped = (Func<string, bool>)(l => l.Contains("\"type\":\"purchase\"", StringComparison.Ordinal)
            && l.Contains(p.Capped, StringComparison.Ordinal) && l.Contains("\"amount_rupiah\":100000", StringComparison.Ordinal));
        var amount = Tampered(lines, purchaseOfCapped, l => l.Replace("\"amount_rupiah\":100000", "\"amount_rupiah\":150000"), fixDigest: true);
        var amountResult = await VerifyAsync(amount);
        Assert.Equal(1, amountResult.Code);
        Assert.Contains($"NIP {p.Capped}", amountResult.Message);

        // One counted purchase removed, the count and digest rewritten: the employee's result no longer follows.
        var removed = Tampered(lines, purchaseOfCapped, _ => null, fixDigest: true);
        var removedResult = await VerifyAsync(removed);
        Assert.Equal(1, removedResult.Code);
        Assert.Contains($"NIP {p.Capped}", removedResult.Message);

        // An audit event's content changed, the digest rewritten: its hash no longer matches.
        var audit = Tampered(lines, l => l.Contains("\"type\":\"audit\"", StringComparison.Ordinal) && l.Contains("FileDispute", StringComparison.Ordinal),
            l => l.Replace("nota 25 September", "nota palsu"), fixDigest: true);
        Assert.Contains("was altered", (await VerifyAsync(audit)).Message);

        // Cut short: the end line is missing.
        var cut = Path.Combine(_folder, "cut.jsonl");
        File.WriteAllLines(cut, lines[..^1]);
        Assert.Contains("cut short", (await VerifyAsync(cut)).Message);
    }

    [Fact]
    public async Task A_realistic_regency_month_round_trips()
    {
        using var hub = new HubFactory();
        hub.Settings["DemoData:Enabled"] = "true";
        hub.Settings["DemoData:Merchants"] = "5000";
        hub.Settings["DemoData:Employees"] = "10000";
        hub.Settings["DemoData:PurchasesPerEmployee"] = "6";
        _ = hub.Channel; // loads the demo data (September 2025) before serving
        var closed = await new PayrollArrange(hub).CloseAsync(September);
        Assert.True(closed.AdjustmentsCreated > 100, $"only {closed.AdjustmentsCreated} adjustments");

        var watch = Stopwatch.StartNew();
        var package = await ExportAsync(hub, September);
        var exported = watch.Elapsed;
        watch.Restart();
        var (code, message) = await VerifyAsync(package);
        log.WriteLine($"export {exported.TotalSeconds:0.0} s, verify {watch.Elapsed.TotalSeconds:0.0} s, {new FileInfo(package).Length / 1024} KiB: {message}");

        Assert.True(code == 0, message);
    }

    private async Task<string> ExportAsync(HubFactory hub, string period)
    {
        var path = Path.Combine(_folder, $"{Guid.NewGuid():N}.jsonl");
        var output = new StringWriter();
        var code = await HubCommands.RunAsync(hub.Services, ["evidence", "export", "--regency", Regency, "--period", period, "--out", path], output);
        Assert.True(code == 0, output.ToString());
        Assert.Contains("sha256", output.ToString());
        return path;
    }

    private static async Task<(int Code, string Message)> VerifyAsync(string path)
    {
        var output = new StringWriter();
        var code = await HubCommands.RunAsync(null!, ["evidence", "verify", path], output);
        return (code, output.ToString().Trim());
    }

    /// <summary>A copy of the package with the first line matching <paramref name="which"/> changed (or removed, for null).</summary>
    private string Tampered(string[] lines, Func<string, bool> which, Func<string, string?> change, bool fixDigest)
    {
        var copy = lines.ToList();
        var index = copy.FindIndex(l => which(l));
        Assert.True(index >= 0, "no line to tamper with");
        if (change(copy[index]) is { } changed) copy[index] = changed; else copy.RemoveAt(index);
        if (fixDigest)
        {
            var body = copy.Take(copy.Count - 1).ToList();
            var end = JsonNode.Parse(copy[^1])!.AsObject();
            end["lines"] = body.Count;
            end["sha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(body.Select(l => l + "\n")))));
            copy[^1] = end.ToJsonString();
        }
        var path = Path.Combine(_folder, $"{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(path, string.Concat(copy.Select(l => l + "\n")));
        return path;
    }
}
