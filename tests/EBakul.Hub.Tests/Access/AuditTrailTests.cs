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
    public async Task The_chain_stays_linked_across_undone_writes_and_writes_of_another_connection()
    {
        var arrange = new LedgerArrange(_hub);
        await arrange.RecordAsync(arrange.Draft(await arrange.EmployeeAsync(), await arrange.MerchantAsync()));

        // An item that appends an event and then fails: its event is undone with it.
        var writer = _hub.Services.GetRequiredService<DatabaseWriter>();
        var audit = _hub.Services.GetRequiredService<AuditTrail>();
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync<int>(tx =>
        {
            audit.Append(tx, "test", "/undone", "undone-1", "35.22", "{}");
            throw new InvalidOperationException("undone");
        }, rerunnable: true));
        await arrange.RecordAsync(arrange.Draft(await arrange.EmployeeAsync(), await arrange.MerchantAsync()));

        // Another writer on the same database (as another process, or another replica on PostgreSQL, would be) appends
        // between two of this hub's events.
        using (var outside = new DatabaseWriter(Microsoft.Extensions.Options.Options.Create(TestStore.DatabaseOptionsFor(_hub.DatabasePath))))
        {
            var outsideAudit = new AuditTrail(TimeProvider.System);
            await outside.WriteAsync(tx =>
            {
                outsideAudit.Append(tx, "outside", "/outside", "outside-1", "35.22", "{}");
                return 0;
            });
        }
        await arrange.RecordAsync(arrange.Draft(await arrange.EmployeeAsync(), await arrange.MerchantAsync()));

        Assert.Equal((0, "audit trail intact: 4 events, chain intact"), await Verify());
    }

    [Fact]
    public void Nik_is_masked_in_details()
    {
        Assert.Equal("{\"ownerNik\": \"3522**********01\"}", AuditTrail.MaskNik("{\"ownerNik\": \"3522015708850001\"}"));
    }

    [Fact]
    public void A_large_request_is_described_up_to_the_cut_with_every_nik_masked()
    {
        // Merchants whose owner NIK falls on every position around the 4,000-character cut.
        var request = new EBakul.Merchants.V1.ImportMerchantsRequest { RequestId = "chunk-1", RegencyCode = "35.22" };
        for (var i = 0; i < 200; i++)
        {
            request.Merchants.Add(new EBakul.Merchants.V1.MerchantDraft
            {
                Name = "Warung " + new string('x', i % 7), OwnerName = "Siti", OwnerNik = $"35220157088{i:D5}", KecamatanCode = "35.22.01",
            });
        }
        var details = AuditTrail.Describe(request);

        Assert.EndsWith("…(cut)", details);
        Assert.True(details.Length <= 4000 + "…(cut)".Length, $"{details.Length} characters");
        Assert.DoesNotContain("35220157088", details);
        Assert.Matches("3522\\*+[0-9]{2}", details);
        Assert.StartsWith("{ \"requestId\": \"chunk-1\"", details);

        var small = new EBakul.Merchants.V1.RegisterMerchantRequest { RequestId = "r-1", RegencyCode = "35.22" };
        Assert.Equal("{ \"requestId\": \"r-1\", \"regencyCode\": \"35.22\" }", AuditTrail.Describe(small));
    }

    [Fact]
    public void The_request_hash_ignores_the_request_id_and_leaves_the_request_as_it_was()
    {
        var a = new EBakul.Merchants.V1.RegisterMerchantRequest { RequestId = "r-1", RegencyCode = "35.22" };
        var b = new EBakul.Merchants.V1.RegisterMerchantRequest { RequestId = "r-2", RegencyCode = "35.22" };
        var c = new EBakul.Merchants.V1.RegisterMerchantRequest { RequestId = "r-1", RegencyCode = "35.23" };

        Assert.Equal(IdempotentWrites.HashWithoutRequestId(a), IdempotentWrites.HashWithoutRequestId(b));
        Assert.NotEqual(IdempotentWrites.HashWithoutRequestId(a), IdempotentWrites.HashWithoutRequestId(c));
        Assert.Equal("r-1", a.RequestId);
    }

    [Fact]
    public async Task Callers_command_issues_and_revokes_credentials()
    {
        var output = new StringWriter();
        var messages = new StringWriter();
        var code = await HubCommands.RunAsync(_hub.Services,
            ["callers", "add", "app-x", "--kind", "app", "--regencies", "35.22", "--scopes", "regions.read"], output, messages);
        Assert.Equal(0, code);
        // Standard output is the token alone (a script can capture it); the words around it go to standard error.
        var token = output.ToString().TrimEnd('\n');
        Assert.Matches("^ebk\\.[^\\s]+$", token);
        Assert.Contains("app-x", messages.ToString());

        var client = new RegionService.RegionServiceClient(_hub.ChannelFor(token));
        Assert.Single((await client.ListRegenciesAsync(new ListRegenciesRequest())).Regencies);

        Assert.Equal(0, await HubCommands.RunAsync(_hub.Services, ["callers", "revoke", "app-x"], new StringWriter()));
        await RpcAssert.Expect(StatusCode.Unauthenticated, () => client.ListRegenciesAsync(new ListRegenciesRequest()).ResponseAsync);

        Assert.Equal(2, await HubCommands.RunAsync(_hub.Services, ["callers", "add", "bad", "--kind", "nope", "--regencies", "35.22", "--scopes", "all"], new StringWriter()));
        Assert.Equal(2, await HubCommands.RunAsync(_hub.Services, ["callers", "add", "bad", "--kind", "app", "--regencies", "35.22", "--scopes", "fly"], new StringWriter()));
    }

    [Fact]
    public async Task Owner_nik_is_masked_in_the_audit_trail()
    {
        var draft = TestData.ValidMerchantDraft();
        await TestData.RegisterMerchantAsync(_hub.Channel, draft);

        var events = (await new AuditService.AuditServiceClient(_hub.Channel).ListAuditEventsAsync(new ListAuditEventsRequest { RegencyCode = "35.22" })).Events;

        var registration = Assert.Single(events, e => e.Method == "/ebakul.merchants.v1.MerchantService/RegisterMerchant");
        Assert.DoesNotContain(draft.OwnerNik, registration.Details);
        Assert.Contains(AuditTrail.Mask(draft.OwnerNik), registration.Details);
    }

    [Fact]
    public async Task Deadline_ends_a_following_stream()
    {
        var client = new EBakul.Ledger.V1.LedgerService.LedgerServiceClient(_hub.Channel);
        using var call = client.StreamLedgerEntries(new EBakul.Ledger.V1.StreamLedgerEntriesRequest { RegencyCode = "35.22", Follow = true },
            deadline: DateTime.UtcNow.AddSeconds(1));
        var ex = await Assert.ThrowsAsync<RpcException>(async () => { while (await call.ResponseStream.MoveNext()) { } });
        // Both ends watch the deadline. Usually the client's timer fires first (DEADLINE_EXCEEDED); on a busy machine the
        // server may reset the stream first, which the client reads as INTERNAL. Either way the stream has ended.
        Assert.True(ex.StatusCode is StatusCode.DeadlineExceeded or StatusCode.Internal, ex.ToString());
    }

    private async Task<(int Code, string Output)> Verify()
    {
        var output = new StringWriter();
        var code = await HubCommands.RunAsync(_hub.Services, ["audit", "verify"], output);
        return (code, output.ToString().Trim());
    }
}
