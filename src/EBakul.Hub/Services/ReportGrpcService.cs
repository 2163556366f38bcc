using EBakul.Hub.Access;
using EBakul.Hub.Domain;
using EBakul.Hub.Domain.Quota;
using EBakul.Hub.Domain.Regions;
using EBakul.Hub.Domain.Reports;
using EBakul.Hub.Errors;
using Grpc.Core;
using Wire = EBakul.Reports.V1;

namespace EBakul.Hub.Services;

/// <summary>
/// gRPC face of the reports: <see cref="SpendingReports"/>, <see cref="ComplianceReports"/> and <see cref="ReportExport"/>.
/// Request checks, the caller's office binding (an office system always gets its own office) and proto ⇄ domain.
/// </summary>
public sealed class ReportGrpcService(
    SpendingReports spending, ComplianceReports compliance, ReportExport export, QuotaEvaluator evaluator, RegencyDirectory regencies)
    : Wire.ReportService.ReportServiceBase
{
    /// <summary>Default and largest length of a top merchant list.</summary>
    private const int DefaultTopMerchants = SpendingReports.DefaultTopMerchantCount, MaxTopMerchants = 100;

    /// <summary>Default and largest number of months of a trend.</summary>
    private const int DefaultTrendMonths = 12, MaxTrendMonths = 24;

    /// <summary>Most regencies in one batch.</summary>
    private const int MaxBatchRegencies = 50;

    /// <inheritdoc />
    public override async Task<Wire.GetSpendingReportResponse> GetSpendingReport(Wire.GetSpendingReportRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        var period = Period.Require(request.Period, "period", checks);
        var top = Bounded(request.TopMerchantCount, "top_merchant_count", DefaultTopMerchants, MaxTopMerchants, checks);
        checks.OptionalText(request.OfficeCode, "office_code", 50);
        checks.ThrowIfAny();
        regencies.RequireServed(request.RegencyCode);
        var office = await ScopeOfficeAsync(CallerIdentity.Of(context), request.RegencyCode, request.OfficeCode, context.CancellationToken);

        var report = await spending.MonthAsync(request.RegencyCode, period, office, top, context.CancellationToken);
        return new Wire.GetSpendingReportResponse { Report = ToProto(report) };
    }

    /// <inheritdoc />
    public override async Task<Wire.GetSpendingTrendResponse> GetSpendingTrend(Wire.GetSpendingTrendRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        var endPeriod = Period.Require(request.EndPeriod, "end_period", checks);
        var months = Bounded(request.Months, "months", DefaultTrendMonths, MaxTrendMonths, checks);
        checks.OptionalText(request.OfficeCode, "office_code", 50);
        checks.ThrowIfAny();
        regencies.RequireServed(request.RegencyCode);
        var office = await ScopeOfficeAsync(CallerIdentity.Of(context), request.RegencyCode, request.OfficeCode, context.CancellationToken);

        var trend = await spending.TrendAsync(request.RegencyCode, endPeriod, months, office, context.CancellationToken);
        var response = new Wire.GetSpendingTrendResponse
        {
            RegencyCode = request.RegencyCode, OfficeCode = office ?? "", MinimumGroupSize = trend[0].Report.MinimumGroupSize,
        };
        response.Months.AddRange(trend.Select(ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Wire.GetComplianceReportResponse> GetComplianceReport(Wire.GetComplianceReportRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        var period = Period.Require(request.Period, "period", checks);
        checks.OptionalText(request.OfficeCode, "office_code", 50);
        checks.ThrowIfAny();
        regencies.RequireServed(request.RegencyCode);
        var office = await ScopeOfficeAsync(CallerIdentity.Of(context), request.RegencyCode, request.OfficeCode, context.CancellationToken);

        var report = await compliance.MonthAsync(request.RegencyCode, period, office, context.CancellationToken);
        return new Wire.GetComplianceReportResponse { Report = ToProto(report) };
    }

    /// <inheritdoc />
    public override async Task<Wire.BatchGetSpendingReportsResponse> BatchGetSpendingReports(Wire.BatchGetSpendingReportsRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        var period = Period.Require(request.Period, "period", checks);
        var top = Bounded(request.TopMerchantCount, "top_merchant_count", DefaultTopMerchants, MaxTopMerchants, checks);
        var caller = CallerIdentity.Of(context);
        var codes = BatchRegencies(caller, request.RegencyCodes, checks);
        checks.ThrowIfAny();

        var response = new Wire.BatchGetSpendingReportsResponse();
        foreach (var code in codes)
        {
            regencies.RequireServed(code);
            var office = await ScopeOfficeAsync(caller, code, "", context.CancellationToken);
            response.Reports.Add(ToProto(await spending.MonthAsync(code, period, office, top, context.CancellationToken)));
        }
        return response;
    }

    /// <inheritdoc />
    public override async Task<Wire.BatchGetComplianceReportsResponse> BatchGetComplianceReports(Wire.BatchGetComplianceReportsRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        var period = Period.Require(request.Period, "period", checks);
        var caller = CallerIdentity.Of(context);
        var codes = BatchRegencies(caller, request.RegencyCodes, checks);
        checks.ThrowIfAny();

        var response = new Wire.BatchGetComplianceReportsResponse();
        foreach (var code in codes)
        {
            regencies.RequireServed(code);
            var office = await ScopeOfficeAsync(caller, code, "", context.CancellationToken);
            response.Reports.Add(ToProto(await compliance.MonthAsync(code, period, office, context.CancellationToken)));
        }
        return response;
    }

    /// <inheritdoc />
    public override async Task ExportReport(Wire.ExportReportRequest request, IServerStreamWriter<Wire.ExportReportResponse> responseStream, ServerCallContext context)
    {
        var lines = await ExportLinesAsync(request, CallerIdentity.Of(context), context.CancellationToken);
        foreach (var line in lines)
            await responseStream.WriteAsync(new Wire.ExportReportResponse { Line = line }, context.CancellationToken);
    }

    /// <summary>
    /// The CSV records of an export request after its checks and the caller's office binding: what <see cref="ExportReport"/>
    /// streams and the HTTP endpoint's <c>.csv</c> download sends.
    /// </summary>
    public async Task<IReadOnlyList<string>> ExportLinesAsync(Wire.ExportReportRequest request, CallerIdentity caller, CancellationToken cancellationToken)
    {
        var checks = new FieldChecks();
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        checks.RequireEnum((ReportKind)request.Report, "report");
        var period = Period.Require(request.Period, "period", checks);
        var months = Bounded(request.Months, "months", DefaultTrendMonths, MaxTrendMonths, checks);
        var top = Bounded(request.TopMerchantCount, "top_merchant_count", DefaultTopMerchants, MaxTopMerchants, checks);
        checks.OptionalText(request.OfficeCode, "office_code", 50);
        checks.ThrowIfAny();
        regencies.RequireServed(request.RegencyCode);
        var office = await ScopeOfficeAsync(caller, request.RegencyCode, request.OfficeCode, cancellationToken);
        return await export.LinesAsync((ReportKind)request.Report, request.RegencyCode, period, months, office, top, cancellationToken);
    }

    /// <summary>
    /// The office a report is limited to: an office system's own office (naming another is PERMISSION_DENIED
    /// <c>OUTSIDE_CALLER_OFFICE</c>); otherwise the office asked for (NOT_FOUND <c>OFFICE_NOT_FOUND</c> when unknown), or
    /// null for the whole regency.
    /// </summary>
    private async Task<string?> ScopeOfficeAsync(CallerIdentity caller, string regencyCode, string requested, CancellationToken cancellationToken)
    {
        var office = caller.ReadScopeOffice(requested);
        if (office is not null) await evaluator.RequireOfficeAsync(regencyCode, office, cancellationToken);
        return office;
    }

    /// <summary>The regencies of a batch: those named (each once, at most 50), or every served regency the caller is admitted to.</summary>
    private List<string> BatchRegencies(CallerIdentity caller, IReadOnlyList<string> named, FieldChecks checks)
    {
        if (named.Count == 0)
            return [.. regencies.Regencies.Keys.Where(caller.MayTouch).Order(StringComparer.Ordinal)];
        checks.Check(named.Count <= MaxBatchRegencies, "regency_codes", "TOO_MANY_REGENCIES", $"at most {MaxBatchRegencies} regencies per call");
        for (var i = 0; i < named.Count; i++)
        {
            checks.RequireText(named[i], $"regency_codes[{i}]", 20);
            checks.Check(named.Take(i).All(n => n != named[i]), $"regency_codes[{i}]", "DUPLICATE_REGENCY", $"regency {named[i]} is named twice");
        }
        return [.. named];
    }

    private static int Bounded(int value, string field, int fallback, int max, FieldChecks checks)
    {
        checks.Check(value is >= 0 && value <= max, field, "OUT_OF_RANGE", $"must be from 1 to {max} (0 for {fallback})");
        return value == 0 ? fallback : value;
    }

    private static Wire.SpendingReport ToProto(SpendingReport report)
    {
        var proto = new Wire.SpendingReport
        {
            RegencyCode = report.RegencyCode, Period = report.Period.ToString(), OfficeCode = report.OfficeCode ?? "",
            PolicyVersion = report.PolicyVersion, Suppressed = report.Suppressed, MinimumGroupSize = report.MinimumGroupSize,
            SpentRupiah = report.SpentRupiah, PurchaseCount = report.PurchaseCount, BuyerCount = report.BuyerCount, MerchantCount = report.MerchantCount,
            NewMerchantSpentRupiah = report.NewMerchantSpentRupiah,
            NewMerchantShareBasisPoints = BasisPoints.Of(report.NewMerchantSpentRupiah, report.SpentRupiah),
        };
        proto.ByCategory.AddRange(report.ByCategory.Select(g => ToProto(g, report.SpentRupiah)));
        proto.ByKecamatan.AddRange(report.ByKecamatan.Select(g => ToProto(g, report.SpentRupiah)));
        proto.ByOffice.AddRange(report.ByOffice.Select(g => ToProto(g, report.SpentRupiah)));
        proto.ByScale.AddRange(report.ByScale.Select(g => ToProto(g, report.SpentRupiah)));
        proto.TopMerchantsByAmount.AddRange(report.TopMerchantsByAmount.Select(ToProto));
        proto.TopMerchantsByBuyers.AddRange(report.TopMerchantsByBuyers.Select(ToProto));
        return proto;
    }

    private static Wire.SpendingTrendMonth ToProto(SpendingTrendMonth month)
    {
        var report = month.Report;
        var proto = new Wire.SpendingTrendMonth
        {
            Period = report.Period.ToString(), PolicyVersion = report.PolicyVersion, Suppressed = report.Suppressed,
            SpentRupiah = report.SpentRupiah, PurchaseCount = report.PurchaseCount, BuyerCount = report.BuyerCount, MerchantCount = report.MerchantCount,
            NewMerchantSpentRupiah = report.NewMerchantSpentRupiah,
            NewMerchantShareBasisPoints = BasisPoints.Of(report.NewMerchantSpentRupiah, report.SpentRupiah),
            ChangeRupiah = month.ChangeRupiah, ChangeBasisPoints = month.ChangeBasisPoints ?? 0, ChangeDefined = month.ChangeBasisPoints is not null,
        };
        proto.ByCategory.AddRange(report.ByCategory.Select(g => ToProto(g, report.SpentRupiah)));
        proto.ByKecamatan.AddRange(report.ByKecamatan.Select(g => ToProto(g, report.SpentRupiah)));
        proto.ByOffice.AddRange(report.ByOffice.Select(g => ToProto(g, report.SpentRupiah)));
        proto.ByScale.AddRange(report.ByScale.Select(g => ToProto(g, report.SpentRupiah)));
        return proto;
    }

    private static Wire.SpendingGroup ToProto(SpendingGroup group, long total) => new()
    {
        Key = group.Key, DisplayName = group.DisplayName, SpentRupiah = group.SpentRupiah, PurchaseCount = group.PurchaseCount,
        BuyerCount = group.BuyerCount, MerchantCount = group.MerchantCount, ShareBasisPoints = BasisPoints.Of(group.SpentRupiah, total),
        FoldedGroupCount = group.FoldedGroupCount,
    };

    private static Wire.MerchantSpending ToProto(MerchantSpending merchant) => new()
    {
        MerchantId = merchant.MerchantId, MerchantName = merchant.MerchantName, KecamatanCode = merchant.KecamatanCode,
        Category = "MERCHANT_CATEGORY_" + EnumNames.UpperSnake(merchant.Category), SpentRupiah = merchant.SpentRupiah,
        PurchaseCount = merchant.PurchaseCount, BuyerCount = merchant.BuyerCount, NewlyRegistered = merchant.NewlyRegistered,
    };

    private static Wire.ComplianceReport ToProto(ComplianceReport report)
    {
        var proto = new Wire.ComplianceReport
        {
            RegencyCode = report.RegencyCode, Period = report.Period.ToString(), OfficeCode = report.OfficeCode ?? "",
            PolicyVersion = report.PolicyVersion, Closed = report.Closed, Suppressed = report.Suppressed, MinimumGroupSize = report.MinimumGroupSize,
            Total = ToProto(report.Total),
        };
        proto.Offices.AddRange(report.Offices.Select(ToProto));
        return proto;
    }

    private static Wire.OfficeCompliance ToProto(OfficeCompliance office)
    {
        var s = office.Summary;
        return new Wire.OfficeCompliance
        {
            OfficeCode = office.OfficeCode ?? "", DisplayName = office.DisplayName ?? "", EmployeeCount = s.EmployeeCount,
            ObligedCount = s.ObligedCount, CompliantCount = s.CompliantCount, NonCompliantCount = s.NonCompliantCount,
            ExemptCount = s.ExemptCount, NoTppCount = s.NoTppCount, ComplianceRateBasisPoints = s.ComplianceRateBasisPoints,
            TotalRequiredRupiah = s.TotalRequiredRupiah, TotalCountedRupiah = s.TotalCountedRupiah, TotalShortfallRupiah = s.TotalShortfallRupiah,
            TotalProjectedCorrectionRupiah = s.TotalProjectedCorrectionRupiah, CorrectedEmployeeCount = office.CorrectedEmployeeCount,
            TotalCorrectionRupiah = office.TotalCorrectionRupiah, FoldedGroupCount = office.FoldedGroupCount,
        };
    }
}
