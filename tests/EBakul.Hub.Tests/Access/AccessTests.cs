using EBakul.Hub.Access;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Hub.Tests.Ledger;
using EBakul.Ledger.V1;
using EBakul.Merchants.V1;
using EBakul.Payroll.V1;
using EBakul.Regions.V1;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;

namespace EBakul.Hub.Tests.Access;

public sealed class AccessTests : IDisposable
{
    private readonly HubFactory _hub = new();

    public void Dispose() => _hub.Dispose();

    private string Token(string id, CallerKind kind, string scopes, string regencies = "35.22", string? office = null, int rate = 10_000) =>
        _hub.IssueToken(new Caller
        {
            Id = id, DisplayName = id, Kind = kind, Scopes = scopes, Regencies = regencies, OfficeCode = office, RateLimitPerSecond = rate,
        });

    [Fact]
    public async Task Calls_without_a_valid_credential_are_unauthenticated()
    {
        var anonymous = new RegionService.RegionServiceClient(_hub.ChannelFor(null));
        var missing = await RpcAssert.Expect(StatusCode.Unauthenticated, () => anonymous.ListRegenciesAsync(new ListRegenciesRequest()).ResponseAsync);
        Assert.Equal("CREDENTIALS_MISSING", missing.Reason());

        foreach (var forged in new[] { "ebk.nope.nope", "garbage", "ebk..", "" })
        {
            var client = new RegionService.RegionServiceClient(_hub.ChannelFor(forged));
            var invalid = await RpcAssert.Expect(StatusCode.Unauthenticated, () => client.ListRegenciesAsync(new ListRegenciesRequest()).ResponseAsync);
            Assert.Contains(invalid.Reason(), new[] { "CREDENTIALS_INVALID", "CREDENTIALS_MISSING" });
        }
    }

    [Fact]
    public async Task Health_and_reflection_need_no_credential()
    {
        var health = new Health.HealthClient(_hub.ChannelFor(null));
        var reply = await health.CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Revoked_credential_is_refused()
    {
        var token = Token("app-1", CallerKind.EbakulApp, Scopes.RegionsRead);
        var client = new RegionService.RegionServiceClient(_hub.ChannelFor(token));
        await client.ListRegenciesAsync(new ListRegenciesRequest());

        await _hub.Services.GetRequiredService<CredentialStore>().RevokeAllAsync("app-1", CancellationToken.None);

        var status = await RpcAssert.Expect(StatusCode.Unauthenticated, () => client.ListRegenciesAsync(new ListRegenciesRequest()).ResponseAsync);
        Assert.Equal("CREDENTIALS_INVALID", status.Reason());
    }

    [Fact]
    public async Task Callers_presenting_an_expired_credential_at_once_share_one_database_read()
    {
        var token = Token("app-2", CallerKind.EbakulApp, Scopes.RegionsRead);
        var store = _hub.Services.GetRequiredService<CredentialStore>();
        Assert.Equal("app-2", (await store.AuthenticateAsync(token, CancellationToken.None))?.Id);
        _hub.Clock.Advance(CredentialStore.CacheLifetime + TimeSpan.FromSeconds(1));
        var readsBefore = store.DatabaseReads;

        var identities = await Task.WhenAll(Enumerable.Range(0, 64)
            .Select(_ => Task.Run(() => store.AuthenticateAsync(token, CancellationToken.None).AsTask())));

        Assert.All(identities, identity => Assert.Equal("app-2", identity?.Id));
        Assert.Equal(readsBefore + 1, store.DatabaseReads);

        // The shared read still checks each secret, and a revocation is seen at once.
        var forged = token[..^2] + (token.EndsWith("xx") ? "yy" : "xx");
        Assert.Null(await store.AuthenticateAsync(forged, CancellationToken.None));
        await store.RevokeAllAsync("app-2", CancellationToken.None);
        Assert.Null(await store.AuthenticateAsync(token, CancellationToken.None));
    }

    [Fact]
    public async Task Missing_scope_is_permission_denied_and_changes_nothing()
    {
        var reader = new LedgerService.LedgerServiceClient(_hub.ChannelFor(Token("reader", CallerKind.EbakulApp, Scopes.PurchasesRead)));
        var arrange = new LedgerArrange(_hub);
        var draft = arrange.Draft(await arrange.EmployeeAsync(), await arrange.MerchantAsync());

        var status = await RpcAssert.Expect(StatusCode.PermissionDenied, () => reader.RecordPurchaseAsync(
            new RecordPurchaseRequest { RequestId = "r", RegencyCode = "35.22", Purchase = draft }).ResponseAsync);

        Assert.Equal("SCOPE_MISSING", status.Reason());
        Assert.Empty((await arrange.Client.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = "35.22" })).Purchases);
    }

    [Fact]
    public async Task Only_etpp_may_pull_and_acknowledge_adjustments()
    {
        var admin = new PayrollService.PayrollServiceClient(_hub.ChannelFor(
            Token("bkd", CallerKind.Admin, $"{Scopes.PayrollAdmin} {Scopes.PayrollPull} {Scopes.PayrollAcknowledge}")));

        var pull = await RpcAssert.Expect(StatusCode.PermissionDenied, () => admin.ListAdjustmentsAsync(
            new ListAdjustmentsRequest { RegencyCode = "35.22", Period = "2025-09" }).ResponseAsync);
        Assert.Equal("CALLER_KIND_NOT_ALLOWED", pull.Reason());
        var ack = await RpcAssert.Expect(StatusCode.PermissionDenied, () => admin.AcknowledgeAdjustmentsAsync(new AcknowledgeAdjustmentsRequest
        {
            RequestId = "a", RegencyCode = "35.22", Acknowledgements = { new AdjustmentAcknowledgement { IdempotencyKey = "k", EtppReference = "r" } },
        }).ResponseAsync);
        Assert.Equal("CALLER_KIND_NOT_ALLOWED", ack.Reason());
    }

    [Fact]
    public async Task Another_regency_is_denied_before_anything_is_looked_up()
    {
        var arrange = new LedgerArrange(_hub);
        var purchase = await arrange.RecordAsync(arrange.Draft(await arrange.EmployeeAsync(), await arrange.MerchantAsync()));
        var tuban = new LedgerService.LedgerServiceClient(_hub.ChannelFor(
            Token("tuban-app", CallerKind.RegencySystem, $"{Scopes.PurchasesRead} {Scopes.PurchasesWrite} {Scopes.RegionsRead}", regencies: HubFactory.OtherRegencyCode)));

        // The same answer whether the purchase exists or not: nothing leaks across regencies.
        foreach (var id in new[] { purchase.PurchaseId, "does-not-exist" })
        {
            var status = await RpcAssert.Expect(StatusCode.PermissionDenied, () => tuban.GetPurchaseAsync(
                new GetPurchaseRequest { RegencyCode = "35.22", PurchaseId = id }).ResponseAsync);
            Assert.Equal("REGENCY_NOT_ALLOWED", status.Reason());
        }
        await RpcAssert.Expect(StatusCode.PermissionDenied, () => tuban.VoidPurchaseAsync(
            new VoidPurchaseRequest { RequestId = "v", RegencyCode = "35.22", PurchaseId = purchase.PurchaseId, Reason = "x" }).ResponseAsync);
        await RpcAssert.Expect(StatusCode.PermissionDenied, () => tuban.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = "35.22" }).ResponseAsync);
        await RpcAssert.Expect(StatusCode.PermissionDenied, async () =>
        {
            using var call = tuban.StreamLedgerEntries(new StreamLedgerEntriesRequest { RegencyCode = "35.22" });
            await call.ResponseStream.MoveNext();
        });
        var regions = new RegionService.RegionServiceClient(_hub.ChannelFor(Token("tuban-2", CallerKind.RegencySystem, Scopes.RegionsRead, regencies: HubFactory.OtherRegencyCode)));
        await RpcAssert.Expect(StatusCode.PermissionDenied, () => regions.ListKecamatanAsync(new ListKecamatanRequest { RegencyCode = "35.22" }).ResponseAsync);
        var visible = await regions.ListRegenciesAsync(new ListRegenciesRequest());
        Assert.Equal(HubFactory.OtherRegencyCode, Assert.Single(visible.Regencies).Code);
    }

    [Fact]
    public async Task Provincial_platform_acts_for_every_admitted_regency_and_no_other()
    {
        var province = new RegionService.RegionServiceClient(_hub.ChannelFor(
            Token("jatim-bejo", CallerKind.ProvincialPlatform, Scopes.RegionsRead, regencies: $"35.22 {HubFactory.OtherRegencyCode}")));
        Assert.Equal(28, (await province.ListKecamatanAsync(new ListKecamatanRequest { RegencyCode = "35.22" })).Kecamatan.Count);
        Assert.Single((await province.ListKecamatanAsync(new ListKecamatanRequest { RegencyCode = HubFactory.OtherRegencyCode })).Kecamatan);
        await RpcAssert.Expect(StatusCode.PermissionDenied, () => province.ListKecamatanAsync(new ListKecamatanRequest { RegencyCode = "35.24" }).ResponseAsync);
    }

    [Fact]
    public async Task Office_system_records_and_reads_only_its_own_employees_purchases()
    {
        var arrange = new LedgerArrange(_hub);
        var merchant = await arrange.MerchantAsync();
        var ours = await arrange.EmployeeAsync(officeCode: "1.02.01");
        var theirs = await arrange.EmployeeAsync(officeCode: "4.01.01");
        var theirPurchase = await arrange.RecordAsync(arrange.Draft(theirs, merchant));
        var office = new LedgerService.LedgerServiceClient(_hub.ChannelFor(Token("dinkes-app", CallerKind.OfficeSystem,
            $"{Scopes.PurchasesRead} {Scopes.PurchasesWrite}", office: "1.02.01")));

        var own = (await office.RecordPurchaseAsync(new RecordPurchaseRequest { RequestId = "o1", RegencyCode = "35.22", Purchase = arrange.Draft(ours, merchant) })).Purchase;
        Assert.Equal("dinkes-app", own.RecordedBy);

        // Another office's employee, and an NIP that is on no roster, get the same answer.
        foreach (var nip in new[] { theirs, "199001012015012999" })
        {
            var status = await RpcAssert.Expect(StatusCode.PermissionDenied, () => office.RecordPurchaseAsync(
                new RecordPurchaseRequest { RequestId = $"o-{nip}", RegencyCode = "35.22", Purchase = arrange.Draft(nip, merchant) }).ResponseAsync);
            Assert.Equal("OUTSIDE_CALLER_OFFICE", status.Reason());
        }
        foreach (var id in new[] { theirPurchase.PurchaseId, "does-not-exist" })
        {
            await RpcAssert.Expect(StatusCode.PermissionDenied, () => office.GetPurchaseAsync(new GetPurchaseRequest { RegencyCode = "35.22", PurchaseId = id }).ResponseAsync);
            await RpcAssert.Expect(StatusCode.PermissionDenied, () => office.VoidPurchaseAsync(
                new VoidPurchaseRequest { RequestId = $"v-{id}", RegencyCode = "35.22", PurchaseId = id, Reason = "x" }).ResponseAsync);
        }
        await RpcAssert.Expect(StatusCode.PermissionDenied, () => office.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = "35.22", OfficeCode = "4.01.01" }).ResponseAsync);

        var listed = await office.ListPurchasesAsync(new ListPurchasesRequest { RegencyCode = "35.22" });
        Assert.Equal(own.PurchaseId, Assert.Single(listed.Purchases).PurchaseId);
        using var feed = office.StreamLedgerEntries(new StreamLedgerEntriesRequest { RegencyCode = "35.22" });
        var fed = new List<string>();
        await foreach (var e in feed.ResponseStream.ReadAllAsync()) fed.Add(e.Entry.PurchaseId);
        Assert.Equal([own.PurchaseId], fed);
    }

    [Fact]
    public async Task Rate_limit_answers_resource_exhausted_not_unavailable()
    {
        var client = new RegionService.RegionServiceClient(_hub.ChannelFor(Token("chatty", CallerKind.EbakulApp, Scopes.RegionsRead, rate: 2)));
        var outcomes = new List<StatusCode>();
        for (var i = 0; i < 20; i++)
        {
            try
            {
                await client.ListRegenciesAsync(new ListRegenciesRequest());
                outcomes.Add(StatusCode.OK);
            }
            catch (RpcException ex)
            {
                outcomes.Add(ex.StatusCode);
            }
        }
        Assert.Contains(StatusCode.OK, outcomes);
        Assert.Contains(StatusCode.ResourceExhausted, outcomes);
        Assert.DoesNotContain(StatusCode.Unavailable, outcomes);
    }

    [Fact]
    public async Task Oversized_message_is_refused()
    {
        using var hub = new HubFactory();
        hub.Settings["Grpc:MaxReceiveMessageSize"] = "65536";
        var client = new LedgerService.LedgerServiceClient(hub.Channel);
        var request = new RecordPurchasesRequest { RequestId = "big", RegencyCode = "35.22" };
        for (var i = 0; i < 1000; i++)
            request.Purchases.Add(new PurchaseDraft { EmployeeNip = "198503152010011001", MerchantId = new string('m', 64), ReceiptReference = new string('r', 100) });

        var ex = await Assert.ThrowsAsync<RpcException>(() => client.RecordPurchasesAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task Owner_nik_is_returned_only_by_get_and_only_to_the_personal_data_scope()
    {
        var draft = TestData.ValidMerchantDraft();
        var registered = await TestData.RegisterMerchantAsync(_hub.Channel, draft);
        var plain = new MerchantService.MerchantServiceClient(_hub.Channel);
        var dinas = new MerchantService.MerchantServiceClient(_hub.ChannelFor(Token("dindagkop", CallerKind.Admin,
            $"{Scopes.MerchantsRead} {Scopes.MerchantsPersonalData}")));
        var get = new GetMerchantRequest { RegencyCode = "35.22", MerchantId = registered.MerchantId };

        Assert.Equal("", (await plain.GetMerchantAsync(get)).Merchant.OwnerNik);
        Assert.Equal(draft.OwnerNik, (await dinas.GetMerchantAsync(get)).Merchant.OwnerNik);
        var listed = await dinas.ListMerchantsAsync(new ListMerchantsRequest { RegencyCode = "35.22" });
        Assert.All(listed.Merchants, m => Assert.Equal("", m.OwnerNik));
    }
}
