using System.Globalization;
using EBakul.Hub.Access;
using EBakul.Hub.Data;
using EBakul.Hub.Domain;
using EBakul.Hub.Domain.Ledger;
using EBakul.Hub.Domain.Quota;
using EBakul.Hub.Domain.Regions;
using EBakul.Hub.Domain.Roster;
using EBakul.Hub.Errors;
using EBakul.Hub.Paging;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Wire = EBakul.Quota.V1;

namespace EBakul.Hub.Services;

/// <summary>
/// gRPC face of the quota: <see cref="QuotaPolicies"/>, <see cref="QuotaExemptions"/> and <see cref="QuotaEvaluator"/>.
/// Request checks, proto ⇄ domain translation and idempotency; the rules live in the domain. An office system sees
/// and exempts only its own office's employees (<see cref="CallerIdentity.RequireOwnOffice"/>: denied before found);
/// the whole regency's compliance is beyond it.
/// </summary>
public sealed class QuotaGrpcService(
    QuotaPolicies policies, QuotaExemptions exemptions, QuotaEvaluator evaluator,
    IdempotentWrites idempotent, RegencyDirectory regencies, TimeProvider clock)
    : Wire.QuotaService.QuotaServiceBase
{
    /// <inheritdoc />
    public override async Task<Wire.SetQuotaPolicyResponse> SetQuotaPolicy(Wire.SetQuotaPolicyRequest request, ServerCallContext context)
    {
        var caller = CallerIdentity.Of(context);
        var checks = new FieldChecks();
        RequestIds.Check(request.RequestId, checks);
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        QuotaPolicy? policy = null;
        if (request.Policy is null) checks.Add("policy", "FIELD_REQUIRED", "is required");
        else policy = ToDraft(request.Policy).Validate(checks, "policy.", request.RegencyCode, caller.Id, clock.GetUtcNow());
        checks.ThrowIfAny();
        regencies.RequireServed(request.RegencyCode);

        return await idempotent.WriteAsync(caller.Id, context.Method, request, request.RequestId, tx =>
        {
            var stored = policies.Add(tx, policy!);
            return new Wire.SetQuotaPolicyResponse { Policy = ToProto(stored, policies.StateOfAdded(stored)) };
        }, context.CancellationToken);
    }

    /// <inheritdoc />
    public override async Task<Wire.GetQuotaPolicyResponse> GetQuotaPolicy(Wire.GetQuotaPolicyRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        var period = Period.Require(request.Period, "period", checks);
        checks.ThrowIfAny();
        regencies.RequireServed(request.RegencyCode);

        var policy = await policies.RequireInForceAsync(request.RegencyCode, period, context.CancellationToken);
        var states = await policies.StatesAsync(request.RegencyCode, context.CancellationToken);
        return new Wire.GetQuotaPolicyResponse { Policy = ToProto(policy, states(policy)) };
    }

    /// <inheritdoc />
    public override async Task<Wire.ListQuotaPoliciesResponse> ListQuotaPolicies(Wire.ListQuotaPoliciesRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        var pageSize = PageToken.Size(request.PageSize, checks);
        var filters = $"quota-policies|{request.RegencyCode}";
        var afterVersion = PageToken.DecodeNumber(request.PageToken, filters, checks);
        checks.ThrowIfAny();
        regencies.RequireServed(request.RegencyCode);

        var page = await policies.ListAsync(request.RegencyCode, (int)afterVersion, pageSize + 1, context.CancellationToken);
        var states = await policies.StatesAsync(request.RegencyCode, context.CancellationToken);
        var response = new Wire.ListQuotaPoliciesResponse();
        response.Policies.AddRange(page.Take(pageSize).Select(p => ToProto(p, states(p))));
        if (page.Count > pageSize)
            response.NextPageToken = PageToken.Encode(page[pageSize - 1].Version.ToString(CultureInfo.InvariantCulture), filters);
        return response;
    }

    /// <inheritdoc />
    public override async Task<Wire.GrantQuotaExemptionResponse> GrantQuotaExemption(Wire.GrantQuotaExemptionRequest request, ServerCallContext context)
    {
        var period = CheckExemptionChange(request.RequestId, request.RegencyCode, request.Nip, request.Period, request.Reason);

        var caller = CallerIdentity.Of(context);
        return await idempotent.WriteAsync(caller.Id, context.Method, request, request.RequestId,
            tx => new Wire.GrantQuotaExemptionResponse
            {
                Exemption = ToProto(exemptions.Grant(tx, request.RegencyCode, request.Nip, period, request.Reason, caller)),
            },
            context.CancellationToken);
    }

    /// <inheritdoc />
    public override async Task<Wire.RevokeQuotaExemptionResponse> RevokeQuotaExemption(Wire.RevokeQuotaExemptionRequest request, ServerCallContext context)
    {
        var period = CheckExemptionChange(request.RequestId, request.RegencyCode, request.Nip, request.Period, request.Reason);

        var caller = CallerIdentity.Of(context);
        return await idempotent.WriteAsync(caller.Id, context.Method, request, request.RequestId,
            tx => new Wire.RevokeQuotaExemptionResponse
            {
                Exemption = ToProto(exemptions.Revoke(tx, request.RegencyCode, request.Nip, period, request.Reason, caller)),
            },
            context.CancellationToken);
    }

    /// <summary>The fields of a grant or a revocation; returns the month. INVALID_ARGUMENT with every violation.</summary>
    private Period CheckExemptionChange(string requestId, string regencyCode, string nip, string periodText, string reason)
    {
        var checks = new FieldChecks();
        RequestIds.Check(requestId, checks);
        RegencyDirectory.CheckCode(regencyCode, checks);
        Nip.Check(nip, checks);
        var period = Period.Require(periodText, "period", checks);
        checks.RequireText(reason, "reason", QuotaExemptions.MaxReasonLength);
        checks.ThrowIfAny();
        regencies.RequireServed(regencyCode);
        return period;
    }

    /// <inheritdoc />
    public override async Task<Wire.ListQuotaExemptionsResponse> ListQuotaExemptions(Wire.ListQuotaExemptionsRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        var period = Period.Require(request.Period, "period", checks);
        var pageSize = PageToken.Size(request.PageSize, checks);
        var filters = $"quota-exemptions|{request.RegencyCode}|{request.Period}";
        var afterId = PageToken.DecodeNumber(request.PageToken, filters, checks);
        checks.ThrowIfAny();
        regencies.RequireServed(request.RegencyCode);

        var caller = CallerIdentity.Of(context);
        var officeCode = caller.IsOfficeBound ? caller.OfficeCode : null;
        var page = await exemptions.ListAsync(request.RegencyCode, period, officeCode, afterId, pageSize + 1, context.CancellationToken);
        var response = new Wire.ListQuotaExemptionsResponse();
        response.Exemptions.AddRange(page.Take(pageSize).Select(ToProto));
        if (page.Count > pageSize)
            response.NextPageToken = PageToken.Encode(page[pageSize - 1].Id.ToString(CultureInfo.InvariantCulture), filters);
        return response;
    }

    /// <inheritdoc />
    public override async Task<Wire.EvaluateEmployeeResponse> EvaluateEmployee(Wire.EvaluateEmployeeRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        Nip.Check(request.Nip, checks);
        var period = Period.Require(request.Period, "period", checks);
        checks.ThrowIfAny();
        regencies.RequireServed(request.RegencyCode);

        var caller = CallerIdentity.Of(context);
        if (caller.IsOfficeBound)
            caller.RequireOwnOffice(await evaluator.OfficeOfAsync(request.RegencyCode, request.Nip, period, context.CancellationToken), $"NIP {request.Nip}");

        var detail = await evaluator.EvaluateEmployeeAsync(request.RegencyCode, request.Nip, period, context.CancellationToken);
        var response = new Wire.EvaluateEmployeeResponse { Evaluation = ToProto(detail.Evaluation) };
        response.Merchants.AddRange(detail.Merchants.Select(ToProto));
        response.UncountedPurchases.AddRange(detail.UncountedPurchases.Select(u => new Wire.UncountedPurchase
        {
            PurchaseId = u.PurchaseId,
            MerchantId = u.MerchantId,
            OccurTime = Timestamp.FromDateTimeOffset(u.OccurredAt),
            AmountRupiah = u.AmountRupiah,
            CountedRupiah = u.CountedRupiah,
            Reason = (Wire.UncountedReason)u.Reason,
            Explanation = u.Explanation,
            ReceiptReference = u.ReceiptReference,
        }));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Wire.GetOfficeComplianceResponse> GetOfficeCompliance(Wire.GetOfficeComplianceRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        checks.RequireText(request.OfficeCode, "office_code", 50);
        var period = Period.Require(request.Period, "period", checks);
        checks.ThrowIfAny();
        regencies.RequireServed(request.RegencyCode);
        CallerIdentity.Of(context).RequireOwnOffice(request.OfficeCode, $"office {request.OfficeCode}");
        await evaluator.RequireOfficeAsync(request.RegencyCode, request.OfficeCode, context.CancellationToken);

        var compliance = await evaluator.SummarizeAsync(request.RegencyCode, period, request.OfficeCode, context.CancellationToken);
        return new Wire.GetOfficeComplianceResponse { Summary = ToProto(compliance.Regency) };
    }

    /// <inheritdoc />
    public override async Task<Wire.GetRegencyComplianceResponse> GetRegencyCompliance(Wire.GetRegencyComplianceRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        var period = Period.Require(request.Period, "period", checks);
        checks.ThrowIfAny();
        regencies.RequireServed(request.RegencyCode);
        CallerIdentity.Of(context).RequireOwnOffice(null, $"the compliance of regency {request.RegencyCode}");

        var compliance = await evaluator.SummarizeAsync(request.RegencyCode, period, null, context.CancellationToken);
        var response = new Wire.GetRegencyComplianceResponse { Summary = ToProto(compliance.Regency) };
        response.Offices.AddRange(compliance.Offices.Select(ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task StreamEmployeeEvaluations(Wire.StreamEmployeeEvaluationsRequest request,
        IServerStreamWriter<Wire.StreamEmployeeEvaluationsResponse> responseStream, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        var period = Period.Require(request.Period, "period", checks);
        checks.OptionalText(request.OfficeCode, "office_code", 50);
        checks.ThrowIfAny();
        regencies.RequireServed(request.RegencyCode);
        var officeCode = CallerIdentity.Of(context).ReadScopeOffice(request.OfficeCode);
        if (officeCode is not null) await evaluator.RequireOfficeAsync(request.RegencyCode, officeCode, context.CancellationToken);

        await foreach (var evaluation in evaluator.EvaluateRegencyAsync(request.RegencyCode, period, officeCode, context.CancellationToken))
            await responseStream.WriteAsync(new Wire.StreamEmployeeEvaluationsResponse { Evaluation = ToProto(evaluation) }, context.CancellationToken);
    }

    private static QuotaPolicyDraft ToDraft(Wire.QuotaPolicyDraft draft)
    {
        var rule = draft.RequiredAmount;
        return new QuotaPolicyDraft
        {
            EffectivePeriod = draft.EffectivePeriod,
            Form = rule?.RuleCase switch
            {
                Wire.RequiredAmountRule.RuleOneofCase.KelasJabatan => RequiredAmountForm.KelasJabatan,
                Wire.RequiredAmountRule.RuleOneofCase.TppPercentage => RequiredAmountForm.TppPercentage,
                Wire.RequiredAmountRule.RuleOneofCase.Echelon => RequiredAmountForm.Echelon,
                _ => null,
            },
            KelasJabatanAmounts = rule?.KelasJabatan?.Amounts.Select(a => new GradeAmount(a.KelasJabatan, a.AmountRupiah)).ToList() ?? [],
            EchelonAmounts = rule?.Echelon?.Amounts.Select(a => new GradeAmount((int)a.Echelon, a.AmountRupiah)).ToList() ?? [],
            TppBasisPoints = rule?.TppPercentage?.BasisPoints ?? 0,
            TppFloorRupiah = rule?.TppPercentage?.FloorRupiah ?? 0,
            TppCapRupiah = rule?.TppPercentage?.CeilingRupiah ?? 0,
            CountedCategories = draft.CountedCategories.Select(c => (int)c).ToList(),
            CountedScales = draft.CountedScales.Select(s => (int)s).ToList(),
            MerchantCapBasisPoints = draft.MerchantCapBasisPoints,
            ProrationEnabled = draft.ProrationEnabled,
            ExemptEmploymentTypes = draft.ExemptEmploymentTypes.Select(t => (int)t).ToList(),
            HasSanction = draft.Sanction is not null,
            SanctionKind = (int)(draft.Sanction?.Kind ?? Wire.SanctionKind.Unspecified),
            SanctionBasisPoints = draft.Sanction?.BasisPoints ?? 0,
            Description = draft.Description,
        };
    }

    internal static Wire.QuotaPolicy ToProto(QuotaPolicy policy, QuotaPolicyState state)
    {
        var rule = new Wire.RequiredAmountRule();
        switch (policy.RequiredAmountForm)
        {
            case RequiredAmountForm.KelasJabatan:
                rule.KelasJabatan = new Wire.KelasJabatanRule();
                rule.KelasJabatan.Amounts.AddRange(policy.KelasJabatanAmounts.Select((amount, i) =>
                    new Wire.KelasJabatanAmount { KelasJabatan = i + 1, AmountRupiah = amount }));
                break;
            case RequiredAmountForm.Echelon:
                rule.Echelon = new Wire.EchelonRule();
                rule.Echelon.Amounts.AddRange(policy.EchelonAmounts.Select((amount, i) =>
                    new Wire.EchelonAmount { Echelon = (EBakul.Roster.V1.Echelon)(i + 1), AmountRupiah = amount }));
                break;
            case RequiredAmountForm.TppPercentage:
                rule.TppPercentage = new Wire.TppPercentageRule
                {
                    BasisPoints = policy.TppBasisPoints,
                    FloorRupiah = policy.TppFloorRupiah,
                    CeilingRupiah = policy.TppCapRupiah,
                };
                break;
        }
        var proto = new Wire.QuotaPolicy
        {
            RegencyCode = policy.RegencyCode,
            Version = policy.Version,
            EffectivePeriod = policy.EffectivePeriod.ToString(),
            RequiredAmount = rule,
            MerchantCapBasisPoints = policy.MerchantCapBasisPoints,
            ProrationEnabled = policy.ProrationEnabled,
            Sanction = new Wire.Sanction { Kind = (Wire.SanctionKind)policy.SanctionKind, BasisPoints = policy.SanctionBasisPoints },
            Description = policy.Description,
            State = (Wire.QuotaPolicyState)state,
            ReplacedByVersion = policy.ReplacedByVersion ?? 0,
            CreateTime = Timestamp.FromDateTimeOffset(policy.CreatedAt),
            CreatedBy = policy.CreatedBy,
        };
        proto.CountedCategories.AddRange(policy.CountedCategories.Select(c => (EBakul.Merchants.V1.MerchantCategory)c));
        proto.CountedScales.AddRange(policy.CountedScales.Select(s => (EBakul.Merchants.V1.MerchantScale)s));
        proto.ExemptEmploymentTypes.AddRange(policy.ExemptEmploymentTypes.Select(t => (EBakul.Roster.V1.EmploymentType)t));
        return proto;
    }

    private static Wire.QuotaExemption ToProto(QuotaExemption exemption) => new()
    {
        ExemptionId = exemption.Id.ToString(CultureInfo.InvariantCulture),
        RegencyCode = exemption.RegencyCode,
        Nip = exemption.Nip,
        Period = Period.FromKey(exemption.PeriodKey).ToString(),
        Reason = exemption.Reason,
        GrantTime = Timestamp.FromDateTimeOffset(exemption.GrantedAt),
        GrantedBy = exemption.GrantedBy,
        RevokeTime = exemption.RevokedAt is { } revokedAt ? Timestamp.FromDateTimeOffset(revokedAt) : null,
        RevokedBy = exemption.RevokedBy ?? "",
        RevokeReason = exemption.RevokeReason ?? "",
    };

    internal static Wire.MerchantBreakdown ToProto(MerchantBreakdown merchant) => new()
    {
        MerchantId = merchant.MerchantId,
        MerchantName = merchant.MerchantName,
        SpentRupiah = merchant.SpentRupiah,
        EligibleRupiah = merchant.EligibleRupiah,
        CountedRupiah = merchant.CountedRupiah,
        CappedRupiah = merchant.CappedRupiah,
    };

    internal static Wire.EmployeeEvaluation ToProto(EmployeeEvaluation evaluation) => new()
    {
        Nip = evaluation.Nip,
        OfficeCode = evaluation.OfficeCode,
        Period = evaluation.Period.ToString(),
        PolicyVersion = evaluation.PolicyVersion,
        Outcome = (Wire.QuotaOutcome)evaluation.Outcome,
        Compliant = evaluation.Compliant,
        RequiredRupiah = evaluation.RequiredRupiah,
        CountedRupiah = evaluation.CountedRupiah,
        RemainingRupiah = evaluation.RemainingRupiah,
        Exemption = evaluation.Exemption is { } exemption
            ? new Wire.Exemption { Kind = (Wire.ExemptionKind)exemption.Kind, Reason = exemption.Reason }
            : null,
        SanctionKind = (Wire.SanctionKind)evaluation.SanctionKind,
        ProjectedCorrectionRupiah = evaluation.ProjectedCorrectionRupiah,
        FullMonthRequiredRupiah = evaluation.FullMonthRequiredRupiah,
        ActiveDays = evaluation.ActiveDays,
        DaysInPeriod = evaluation.DaysInPeriod,
        MerchantCapRupiah = evaluation.MerchantCapRupiah ?? 0,
    };

    private static Wire.ComplianceSummary ToProto(ComplianceSummary summary) => new()
    {
        RegencyCode = summary.RegencyCode,
        OfficeCode = summary.OfficeCode ?? "",
        Period = summary.Period.ToString(),
        PolicyVersion = summary.PolicyVersion,
        EmployeeCount = summary.EmployeeCount,
        ObligedCount = summary.ObligedCount,
        ExemptCount = summary.ExemptCount,
        NoTppCount = summary.NoTppCount,
        CompliantCount = summary.CompliantCount,
        NonCompliantCount = summary.NonCompliantCount,
        ComplianceRateBasisPoints = summary.ComplianceRateBasisPoints,
        TotalRequiredRupiah = summary.TotalRequiredRupiah,
        TotalCountedRupiah = summary.TotalCountedRupiah,
        TotalShortfallRupiah = summary.TotalShortfallRupiah,
        TotalProjectedCorrectionRupiah = summary.TotalProjectedCorrectionRupiah,
    };
}
