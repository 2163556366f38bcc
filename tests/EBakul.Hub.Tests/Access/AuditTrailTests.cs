using EBakul.Audit.V1;
using EBakul.Hub.Audit;
using EBakul.Hub.Data;
using EBakul.Hub.Hosting;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Hub.Tests.Ledger;
using EBakul.Regions.V1;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace EBakul.Hub.Tests.Access;

public sealed class AuditTrailTests : IDisposable
{
    private readonly HubFactory _hub = new();

    public void Dispose() => _hub.Dispose();

    [Fact]
    public async Task Every_change_is_recorded_with_caller_method_and_request()
    {
        var arrange = new LedgerArrange(_hub);
        var purchase = await arrange.RecordAsync(arrange.Draft(await arrange.EmployeeAsync(), await arrange.MerchantAsync()));
        await arrange.Client.VoidPurchaseAsync(new EBakul.Ledger.V1.VoidPurchaseRequest { RequestId = "void-7", RegencyCode = "35.22", PurchaseId = purchase.PurchaseId, Reason = "nota ganda" });

        var audit = new AuditService.AuditServiceClient(_hub.Channel);
        var events = (await audit.ListAuditEventsAsync(new ListAuditEventsRequest { RegencyCode = "35.22" })).Events;

        Assert.Equal(["/ebakul.ledger.v1.LedgerService/RecordPurchase", "/ebakul.ledger.v1.LedgerService/VoidPurchase"], events.Select(e => e.Method));
        Assert.All(events, e => Assert.Equal(HubFactory.TestAdminId, e.CallerId));
        Assert.Equal("void-7", events[1].RequestId);
        Assert.Contains("nota ganda", events[1].Details);
        Assert.Equal(events[0].Hash, events[1].PreviousHash);

        var other = await audit.ListAuditEventsAsync(new ListAuditEventsRequest { RegencyCode = HubFactory.OtherRegencyCode });
        Assert.Empty(other.Events);
    }

    [Fact]
    public async Task Verify_detects_an_edited_or_deleted_event()
    {
        var arrange = new LedgerArrange(_hub);
        for (var i = 0; i < 3; i++) await arrange.RecordAsync(arrange.Draft(await arrange.EmployeeAsync(), await arrange.MerchantAsync()));
        Assert.Equal((0, "audit trail intact: 3 events, chain intact"), await Verify());

        var writer = _hub.Services.GetRequiredService<DatabaseWriter>();
        await writer.WriteAsync(tx => tx.Command("UPDATE audit_events SET details = replace(details, 'NT-', 'XX-') WHERE sequence = 2").ExecuteNonQuery());
        var (code, output) = await Verify();
        Assert.Equal(1, code);
        Assert.Contains("event 2 was altered", output);

        await writer.WriteAsync(tx => tx.Command("DELETE FROM audit_events WHERE sequence = 2").ExecuteNonQuery());
        (code, output) = await Verify();
        Assert.Equal(1, code);
        Assert.Contains("event 2 is missing", output);
    }

    [Fact]
    public void Nik_is_masked_in_details()
    {
        Assert.Equal("{\"ownerNik\": \"3522**********01\"}", AuditTrail.MaskNik("{\"ownerNik\": \"3522015708850001\"}"));
    }

    [Fact]
    public async Task Callers_command_issues_and_revokes_credentials()
    {
        var output = new StringWriter();
        var code = await HubCommands.RunAsync(_hub.Services,
            ["callers", "add", "app-x", "--kind", "app", "--regencies", "35.22", "--scopes", "regions.read"], output);
        Assert.Equal(0, code);
        var token = output.ToString().Split('\n', StringSplitOptions.TrimEntries).Single(l => l.StartsWith("ebk."));

        var client = new RegionService.RegionServiceClient(_hub.ChannelFor(token));
        Assert.Single((await client.ListRegenciesAsync(new ListRegenciesRequest())).Regencies);

        Assert.Equal(0, await HubCommands.RunAsync(_hub.Services, ["callers", "revoke", "app-x"], new StringWriter()));
        await RpcAssert.Expect(StatusCode.Unauthenticated, () => client.ListRegenciesAsync(new ListRegenciesRequest()).ResponseAsync);

        Assert.Equal(2, await HubCommands.RunAsync(_hub.Services, ["callers", "add", "bad", "--kind", "nope", "--regencies", "35.22", "--scopes", "all"], new StringWriter()));
        Assert.Equal(2, await HubCommands.RunAsync(_hub.Services, ["callers", "add", "bad", "--kind", "app", "--regencies", "35.22", "--scopes", "fly"], new StringWriter()));
    }

    private async Task<(int Code, string Output)> Verify()
    {
        var output = new StringWriter();
        var code = await HubCommands.RunAsync(_hub.Services, ["audit", "verify"], output);
        return (code, output.ToString().Trim());
    }
}
