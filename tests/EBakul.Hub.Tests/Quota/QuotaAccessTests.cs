using EBakul.Hub.Access;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Quota.V1;
using Grpc.Core;
using static EBakul.Hub.Tests.Quota.QuotaArrange;

namespace EBakul.Hub.Tests.Quota;

/// <summary>Who may set the policy and exemptions, and what an office system sees of the evaluation.</summary>
public sealed class QuotaAccessTests : IDisposable
{
    private const string Health = "1.02.01";
    private const string Education = "1.01.01";

    private readonly HubFactory _hub = new();
    private readonly QuotaArrange _arrange;

    public QuotaAccessTests() => _arrange = new QuotaArrange(_hub);

    public void Dispose() => _hub.Dispose();

    private QuotaService.QuotaServiceClient ClientFor(string id, CallerKind kind, string scopes, string regencies = Regency, string? office = null) =>
        new(_hub.ChannelFor(_hub.IssueToken(new Caller
        {
            Id = id, DisplayName = id, Kind = kind, Scopes = scopes, Regencies = regencies, OfficeCode = office, RateLimitPerSecond = 10_000,
        })));

    [Fact]
    public async Task Setting_the_policy_and_exemptions_needs_the_admin_scope()
    {
        var nip = await _arrange.EmployeeAsync();
        var reader = ClientFor("app", CallerKind.EbakulApp, Scopes.QuotaRead);

        var set = await RpcAssert.Expect(StatusCode.PermissionDenied, () => reader.SetQuotaPolicyAsync(
            new SetQuotaPolicyRequest { RequestId = "r-1", RegencyCode = Regency, Policy = Draft("2025-12") }).ResponseAsync);
        Assert.Equal("SCOPE_MISSING", set.Reason());
        var grant = await RpcAssert.Expect(StatusCode.PermissionDenied, () => reader.GrantQuotaExemptionAsync(
            new GrantQuotaExemptionRequest { RequestId = "r-2", RegencyCode = Regency, Nip = nip, Period = "2025-10", Reason = "r" }).ResponseAsync);
        Assert.Equal("SCOPE_MISSING", grant.Reason());

        var policy = (await reader.GetQuotaPolicyAsync(new GetQuotaPolicyRequest { RegencyCode = Regency, Period = "2025-12" })).Policy;
        Assert.Equal(1, policy.Version);

        var admin = ClientFor("bkd", CallerKind.Admin, $"{Scopes.QuotaRead} {Scopes.QuotaAdmin}");
        var stored = (await admin.SetQuotaPolicyAsync(new SetQuotaPolicyRequest { RequestId = "r-3", RegencyCode = Regency, Policy = Draft("2025-12") })).Policy;
        Assert.Equal(("bkd", 2), (stored.CreatedBy, stored.Version));
    }

    [Fact]
    public async Task Another_regency_is_denied()
    {
        var tuban = ClientFor("tuban", CallerKind.RegencySystem, $"{Scopes.QuotaRead} {Scopes.QuotaAdmin}", regencies: HubFactory.OtherRegencyCode);

        var denied = await RpcAssert.Expect(StatusCode.PermissionDenied, () => tuban.GetRegencyComplianceAsync(
            new GetRegencyComplianceRequest { RegencyCode = Regency, Period = "2025-10" }).ResponseAsync);
        Assert.Equal("REGENCY_NOT_ALLOWED", denied.Reason());
        await RpcAssert.Expect(StatusCode.PermissionDenied, () => tuban.SetQuotaPolicyAsync(
            new SetQuotaPolicyRequest { RequestId = "r-1", RegencyCode = Regency, Policy = Draft("2025-12") }).ResponseAsync);
    }

    [Fact]
    public async Task An_office_system_sees_only_its_own_office()
    {
        var own = await _arrange.EmployeeAsync(office: Health);
        var other = await _arrange.EmployeeAsync(office: Education);
        var office = ClientFor("opd-dinkes", CallerKind.OfficeSystem, Scopes.QuotaRead, office: Health);

        var mine = await office.EvaluateEmployeeAsync(new EvaluateEmployeeRequest { RegencyCode = Regency, Nip = own, Period = "2025-10" });
        Assert.Equal(own, mine.Evaluation.Nip);

        foreach (var nip in new[] { other, NewNip() })
        {
            var denied = await RpcAssert.Expect(StatusCode.PermissionDenied, () => office.EvaluateEmployeeAsync(
                new EvaluateEmployeeRequest { RegencyCode = Regency, Nip = nip, Period = "2025-10" }).ResponseAsync);
            Assert.Equal("OUTSIDE_CALLER_OFFICE", denied.Reason());
        }

        var summary = (await office.GetOfficeComplianceAsync(new GetOfficeComplianceRequest { RegencyCode = Regency, OfficeCode = Health, Period = "2025-10" })).Summary;
        Assert.Equal(1, summary.EmployeeCount);
        Assert.Equal("OUTSIDE_CALLER_OFFICE", (await RpcAssert.Expect(StatusCode.PermissionDenied, () => office.GetOfficeComplianceAsync(
            new GetOfficeComplianceRequest { RegencyCode = Regency, OfficeCode = Education, Period = "2025-10" }).ResponseAsync)).Reason());
        Assert.Equal("OUTSIDE_CALLER_OFFICE", (await RpcAssert.Expect(StatusCode.PermissionDenied, () => office.GetRegencyComplianceAsync(
            new GetRegencyComplianceRequest { RegencyCode = Regency, Period = "2025-10" }).ResponseAsync)).Reason());

        using (var call = office.StreamEmployeeEvaluations(new StreamEmployeeEvaluationsRequest { RegencyCode = Regency, Period = "2025-10" }))
        {
            var streamed = new List<string>();
            await foreach (var response in call.ResponseStream.ReadAllAsync()) streamed.Add(response.Evaluation.Nip);
            Assert.Equal([own], streamed);
        }
        Assert.Equal("OUTSIDE_CALLER_OFFICE", (await RpcAssert.Expect(StatusCode.PermissionDenied, async () =>
        {
            using var call = office.StreamEmployeeEvaluations(new StreamEmployeeEvaluationsRequest { RegencyCode = Regency, Period = "2025-10", OfficeCode = Education });
            await call.ResponseStream.MoveNext();
        })).Reason());
    }

    [Fact]
    public async Task An_office_system_lists_and_grants_exemptions_only_for_its_own_office()
    {
        var own = await _arrange.EmployeeAsync(office: Health);
        var other = await _arrange.EmployeeAsync(office: Education);
        foreach (var nip in new[] { own, other })
        {
            await _arrange.Quota.GrantQuotaExemptionAsync(new GrantQuotaExemptionRequest
            {
                RequestId = $"g-{nip}", RegencyCode = Regency, Nip = nip, Period = "2025-10", Reason = "tugas belajar",
            });
        }
        var office = ClientFor("opd-dinkes", CallerKind.OfficeSystem, $"{Scopes.QuotaRead} {Scopes.QuotaAdmin}", office: Health);

        var listed = await office.ListQuotaExemptionsAsync(new ListQuotaExemptionsRequest { RegencyCode = Regency, Period = "2025-10" });
        Assert.Equal([own], listed.Exemptions.Select(x => x.Nip));

        var denied = await RpcAssert.Expect(StatusCode.PermissionDenied, () => office.RevokeQuotaExemptionAsync(
            new RevokeQuotaExemptionRequest { RequestId = "r-1", RegencyCode = Regency, Nip = other, Period = "2025-10", Reason = "r" }).ResponseAsync);
        Assert.Equal("OUTSIDE_CALLER_OFFICE", denied.Reason());
        Assert.Equal("OUTSIDE_CALLER_OFFICE", (await RpcAssert.Expect(StatusCode.PermissionDenied, () => office.GrantQuotaExemptionAsync(
            new GrantQuotaExemptionRequest { RequestId = "r-2", RegencyCode = Regency, Nip = NewNip(), Period = "2025-11", Reason = "r" }).ResponseAsync)).Reason());

        var revoked = (await office.RevokeQuotaExemptionAsync(
            new RevokeQuotaExemptionRequest { RequestId = "r-3", RegencyCode = Regency, Nip = own, Period = "2025-10", Reason = "back at work" })).Exemption;
        Assert.Equal("opd-dinkes", revoked.RevokedBy);
    }
}
