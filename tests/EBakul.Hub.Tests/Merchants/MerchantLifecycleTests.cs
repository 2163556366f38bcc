using EBakul.Hub.Data;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Merchants.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EBakul.Hub.Tests.Merchants;

/// <summary>Verify, suspend, reinstate and update.</summary>
public sealed class MerchantLifecycleTests : IDisposable
{
    private readonly HubFactory _hub = new();
    private readonly MerchantService.MerchantServiceClient _client;

    public MerchantLifecycleTests() => _client = new MerchantService.MerchantServiceClient(_hub.Channel);

    public void Dispose() => _hub.Dispose();

    private async Task<Merchant> Verify(string id, string reason = "field visit, NIB checked", string regency = TestData.Regency) =>
        (await _client.VerifyMerchantAsync(new VerifyMerchantRequest { RequestId = TestData.RequestId(), RegencyCode = regency, MerchantId = id, Reason = reason })).Merchant;

    private async Task<Merchant> Suspend(string id, string reason = "sells franchise goods", string regency = TestData.Regency) =>
        (await _client.SuspendMerchantAsync(new SuspendMerchantRequest { RequestId = TestData.RequestId(), RegencyCode = regency, MerchantId = id, Reason = reason })).Merchant;

    private async Task<Merchant> Reinstate(string id, string reason = "complaint resolved", string regency = TestData.Regency) =>
        (await _client.ReinstateMerchantAsync(new ReinstateMerchantRequest { RequestId = TestData.RequestId(), RegencyCode = regency, MerchantId = id, Reason = reason })).Merchant;

    [Fact]
    public async Task Pending_to_active_to_suspended_to_active_records_every_change()
    {
        var merchant = await TestData.RegisterMerchantAsync(_hub.Channel);

        _hub.Clock.Advance(TimeSpan.FromDays(1));
        var verified = await Verify(merchant.MerchantId, "  field visit 2025-10-16, NIB checked  ");
        Assert.Equal(MerchantStatus.Active, verified.Status);
        Assert.Equal("field visit 2025-10-16, NIB checked", verified.StatusReason);
        Assert.Equal(HubFactory.DefaultNow.AddDays(1), verified.UpdateTime.ToDateTimeOffset());
        Assert.Equal(merchant.CreateTime, verified.CreateTime);

        _hub.Clock.Advance(TimeSpan.FromDays(1));
        var suspended = await Suspend(merchant.MerchantId, "receipts look fabricated");
        Assert.Equal(MerchantStatus.Suspended, suspended.Status);
        Assert.Equal("receipts look fabricated", suspended.StatusReason);

        _hub.Clock.Advance(TimeSpan.FromDays(1));
        var reinstated = await Reinstate(merchant.MerchantId, "Inspektorat cleared it");
        Assert.Equal(MerchantStatus.Active, reinstated.Status);

        var got = await _client.GetMerchantAsync(new GetMerchantRequest { RegencyCode = TestData.Regency, MerchantId = merchant.MerchantId });
        Assert.Equal(reinstated, got.Merchant);

        await using var scope = _hub.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        var history = await db.MerchantStatusChanges.AsNoTracking().Where(c => c.MerchantId == merchant.MerchantId).OrderBy(c => c.Id).ToListAsync();
        Assert.Equal(
            new[]
            {
                (Domain.Merchants.MerchantStatus.PendingVerification, "registered", HubFactory.DefaultNow),
                (Domain.Merchants.MerchantStatus.Active, "field visit 2025-10-16, NIB checked", HubFactory.DefaultNow.AddDays(1)),
                (Domain.Merchants.MerchantStatus.Suspended, "receipts look fabricated", HubFactory.DefaultNow.AddDays(2)),
                (Domain.Merchants.MerchantStatus.Active, "Inspektorat cleared it", HubFactory.DefaultNow.AddDays(3)),
            },
            history.Select(c => (c.Status, c.Reason, c.EffectiveAt)));
        Assert.All(history, c => Assert.Equal(HubFactory.TestAdminId, c.ChangedBy));
    }

    [Fact]
    public async Task Wrong_state_transitions_fail_the_precondition()
    {
        var pending = await TestData.RegisterMerchantAsync(_hub.Channel);
        var active = await TestData.RegisterActiveMerchantAsync(_hub.Channel);
        var suspended = await TestData.RegisterActiveMerchantAsync(_hub.Channel);
        await Suspend(suspended.MerchantId);

        async Task ExpectReason(string reason, Func<Task> call) =>
            Assert.Equal(reason, (await RpcAssert.Expect(StatusCode.FailedPrecondition, call)).Reason());

        await ExpectReason("MERCHANT_NOT_PENDING", () => Verify(active.MerchantId));
        await ExpectReason("MERCHANT_NOT_PENDING", () => Verify(suspended.MerchantId));
        await ExpectReason("MERCHANT_NOT_ACTIVE", () => Suspend(pending.MerchantId));
        await ExpectReason("MERCHANT_NOT_ACTIVE", () => Suspend(suspended.MerchantId));
        await ExpectReason("MERCHANT_NOT_SUSPENDED", () => Reinstate(pending.MerchantId));
        await ExpectReason("MERCHANT_NOT_SUSPENDED", () => Reinstate(active.MerchantId));

        var unchanged = await _client.GetMerchantAsync(new GetMerchantRequest { RegencyCode = TestData.Regency, MerchantId = pending.MerchantId });
        Assert.Equal(MerchantStatus.PendingVerification, unchanged.Merchant.Status);
    }

    [Fact]
    public async Task Status_change_needs_a_reason_and_an_existing_merchant_of_the_regency()
    {
        var merchant = await TestData.RegisterMerchantAsync(_hub.Channel);

        await RpcAssert.ExpectInvalid("reason", () => Verify(merchant.MerchantId, reason: "  "));
        await RpcAssert.ExpectInvalid("reason", () => Suspend(merchant.MerchantId, reason: ""));
        await RpcAssert.ExpectInvalid("reason", () => Reinstate(merchant.MerchantId, reason: new string('x', 501)));
        await RpcAssert.ExpectInvalid("request_id", () => _client.VerifyMerchantAsync(new VerifyMerchantRequest
        {
            RegencyCode = TestData.Regency, MerchantId = merchant.MerchantId, Reason = "ok",
        }).ResponseAsync);
        await RpcAssert.ExpectInvalid("merchant_id", () => Verify(""));

        Assert.Equal("MERCHANT_NOT_FOUND", (await RpcAssert.Expect(StatusCode.NotFound, () => Verify("0123456789abcdef0123456789abcdef"))).Reason());
        Assert.Equal("MERCHANT_NOT_FOUND", (await RpcAssert.Expect(StatusCode.NotFound, () => Verify(merchant.MerchantId, regency: "35.23"))).Reason());
        Assert.Equal("REGENCY_NOT_FOUND", (await RpcAssert.Expect(StatusCode.NotFound, () => Verify(merchant.MerchantId, regency: "35.99"))).Reason());
    }

    [Fact]
    public async Task Retried_verification_returns_the_first_answer_even_though_the_merchant_is_no_longer_pending()
    {
        var merchant = await TestData.RegisterMerchantAsync(_hub.Channel);
        var request = new VerifyMerchantRequest { RequestId = TestData.RequestId(), RegencyCode = TestData.Regency, MerchantId = merchant.MerchantId, Reason = "ok" };

        var first = await _client.VerifyMerchantAsync(request);
        var retry = await _client.VerifyMerchantAsync(request);

        Assert.Equal(first, retry);
    }

    private Task<UpdateMerchantResponse> Update(string id, MerchantDraft draft, params string[] paths) =>
        _client.UpdateMerchantAsync(new UpdateMerchantRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = TestData.Regency, MerchantId = id, Merchant = draft,
            UpdateMask = new FieldMask { Paths = { paths } },
        }).ResponseAsync;

    [Fact]
    public async Task Update_changes_only_the_masked_fields()
    {
        var merchant = await TestData.RegisterActiveMerchantAsync(_hub.Channel);
        _hub.Clock.Advance(TimeSpan.FromHours(2));
        var change = new MerchantDraft
        {
            Name = "Warung Pecel Bu Sri (cabang 2)",
            Address = "Jl. Veteran 10, Bojonegoro",
            Scale = MerchantScale.Small,
            Category = MerchantCategory.Unspecified, // not in the mask: ignored
            KecamatanCode = "35.22.16",
        };

        var updated = (await Update(merchant.MerchantId, change, "name", "address", "scale", "kecamatan_code")).Merchant;

        Assert.Equal("Warung Pecel Bu Sri (cabang 2)", updated.Name);
        Assert.Equal("Jl. Veteran 10, Bojonegoro", updated.Address);
        Assert.Equal(MerchantScale.Small, updated.Scale);
        Assert.Equal("35.22.16", updated.KecamatanCode);
        Assert.Equal(merchant.Category, updated.Category);
        Assert.Equal(merchant.Nib, updated.Nib);
        Assert.Equal(merchant.QrisNmid, updated.QrisNmid);
        Assert.Equal(merchant.Location, updated.Location);
        Assert.Equal(merchant.OwnerName, updated.OwnerName);
        Assert.Equal(MerchantStatus.Active, updated.Status);
        Assert.Equal(HubFactory.DefaultNow.AddHours(2), updated.UpdateTime.ToDateTimeOffset());
        var got = await _client.GetMerchantAsync(new GetMerchantRequest { RegencyCode = TestData.Regency, MerchantId = merchant.MerchantId });
        Assert.Equal(updated, got.Merchant);
    }

    [Fact]
    public async Task Update_with_empty_optional_fields_clears_them()
    {
        var merchant = await TestData.RegisterMerchantAsync(_hub.Channel);

        var updated = (await Update(merchant.MerchantId, new MerchantDraft(), "nib", "qris_nmid", "location")).Merchant;

        Assert.Equal("", updated.Nib);
        Assert.Equal("", updated.QrisNmid);
        Assert.Null(updated.Location);
        Assert.True(updated.HasOwnerNik);
    }

    [Fact]
    public async Task Update_mask_must_name_known_fields()
    {
        var merchant = await TestData.RegisterMerchantAsync(_hub.Channel);

        var empty = await RpcAssert.ExpectInvalid("update_mask", () => Update(merchant.MerchantId, new MerchantDraft { Name = "x" }));
        Assert.Equal("FIELD_REQUIRED", empty.Reason());
        var missing = await RpcAssert.ExpectInvalid("update_mask", () => _client.UpdateMerchantAsync(new UpdateMerchantRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = TestData.Regency, MerchantId = merchant.MerchantId, Merchant = new MerchantDraft { Name = "x" },
        }).ResponseAsync);
        Assert.Equal("FIELD_REQUIRED", missing.Reason());
        var unknown = await RpcAssert.ExpectInvalid("update_mask", () => Update(merchant.MerchantId, new MerchantDraft { Name = "x" }, "name", "status"));
        Assert.Equal("UPDATE_MASK_PATH_UNKNOWN", unknown.Reason());
        await RpcAssert.ExpectInvalid("update_mask", () => Update(merchant.MerchantId, new MerchantDraft(), "merchant.name"));

        var unchanged = await _client.GetMerchantAsync(new GetMerchantRequest { RegencyCode = TestData.Regency, MerchantId = merchant.MerchantId });
        Assert.Equal(merchant, unchanged.Merchant);
    }

    [Fact]
    public async Task Update_checks_the_masked_values()
    {
        var merchant = await TestData.RegisterMerchantAsync(_hub.Channel);

        var status = await RpcAssert.Expect(StatusCode.InvalidArgument, () => Update(merchant.MerchantId,
            new MerchantDraft { Name = "", OwnerNik = "3522153104850001", Category = MerchantCategory.Franchise, KecamatanCode = "35.21.01", Nib = "abc" },
            "name", "owner_nik", "category", "kecamatan_code", "nib"));

        Assert.Equal(new[] { "merchant.name", "merchant.owner_nik", "merchant.nib", "merchant.category", "merchant.kecamatan_code" }, status.Fields());
        Assert.Contains("CATEGORY_EXCLUDED", status.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations.Select(v => v.Reason));
    }

    [Fact]
    public async Task Update_to_a_taken_nib_or_qris_nmid_already_exists()
    {
        var taken = await TestData.RegisterMerchantAsync(_hub.Channel);
        var merchant = await TestData.RegisterMerchantAsync(_hub.Channel);

        var nib = await RpcAssert.Expect(StatusCode.AlreadyExists, () => Update(merchant.MerchantId, new MerchantDraft { Nib = taken.Nib }, "nib"));
        Assert.Equal("NIB_ALREADY_REGISTERED", nib.Reason());
        var qris = await RpcAssert.Expect(StatusCode.AlreadyExists, () => Update(merchant.MerchantId, new MerchantDraft { QrisNmid = taken.QrisNmid }, "qris_nmid"));
        Assert.Equal("QRIS_NMID_ALREADY_REGISTERED", qris.Reason());

        // Its own values are not a conflict.
        var same = await Update(merchant.MerchantId, new MerchantDraft { Nib = merchant.Nib, QrisNmid = merchant.QrisNmid }, "nib", "qris_nmid");
        Assert.Equal(merchant.Nib, same.Merchant.Nib);
    }

    [Fact]
    public async Task Update_of_another_regencys_merchant_is_not_found()
    {
        var merchant = await TestData.RegisterMerchantAsync(_hub.Channel);

        var status = await RpcAssert.Expect(StatusCode.NotFound, () => _client.UpdateMerchantAsync(new UpdateMerchantRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = "35.23", MerchantId = merchant.MerchantId,
            Merchant = new MerchantDraft { Name = "Taken over" }, UpdateMask = new FieldMask { Paths = { "name" } },
        }).ResponseAsync);

        Assert.Equal("MERCHANT_NOT_FOUND", status.Reason());
        var unknown = await RpcAssert.Expect(StatusCode.NotFound, () => Update("0123456789abcdef0123456789abcdef", new MerchantDraft { Name = "x" }, "name"));
        Assert.Equal("MERCHANT_NOT_FOUND", unknown.Reason());
        var noRegency = await RpcAssert.Expect(StatusCode.NotFound, () => _client.UpdateMerchantAsync(new UpdateMerchantRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = "35.99", MerchantId = merchant.MerchantId,
            Merchant = new MerchantDraft { Name = "x" }, UpdateMask = new FieldMask { Paths = { "name" } },
        }).ResponseAsync);
        Assert.Equal("REGENCY_NOT_FOUND", noRegency.Reason());
    }
}
