using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using EBakul.Hub.Audit;
using EBakul.Hub.Data;
using EBakul.Hub.Domain.Merchants;
using EBakul.Hub.Domain.Quota;
using EBakul.Hub.Domain.Roster;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.Domain.Payroll;

/// <summary>
/// The evidence package of a regency's month for auditors: one JSON Lines file (<c>ebakul-evidence/1</c>) with the
/// policy version, every employee's facts and result, every purchase with what counted and why, every adjustment
/// revision, the disputes, and the segment of the hash-chained audit trail from the month's start to the export (the
/// regency's events in full, other regencies' events as links only), ending with a line that counts the lines before it
/// and carries their SHA-256. <see cref="EvidenceVerifier"/> re-checks it without the database.
/// </summary>
public sealed class EvidenceExport(HubDbContext db, QuotaEvaluator evaluator, QuotaPolicies policies, TimeProvider clock)
{
    /// <summary>The format written in the header line.</summary>
    public const string Format = "ebakul-evidence/1";

    /// <summary>Writes the package of <paramref name="regencyCode"/>'s <paramref name="period"/> to <paramref name="output"/>.</summary>
    public async Task<EvidenceSummary> WriteAsync(string regencyCode, Period period, Stream output, CancellationToken cancellationToken)
    {
        var writer = new EvidenceWriter(output);
        var state = await PeriodClosing.GetAsync(db, regencyCode, period, cancellationToken);
        var policy = await policies.RequireInForceAsync(regencyCode, period, cancellationToken);
        writer.Write(new HeaderLine(Format, regencyCode, period.ToString(), state.Status.ToString().ToUpperInvariant(), clock.GetUtcNow())
        {
            Provisional = state.Status != PeriodStatus.Closed,
        });
        writer.Write(PolicyLine.Of(policy));

        var employees = new List<string>();
        await foreach (var e in evaluator.EvaluateRegencyAsync(regencyCode, period, null, cancellationToken))
        {
            employees.Add(e.Nip);
            writer.Write(new EmployeeLine(e.Nip, e.OfficeCode, e.Outcome.ToString(), e.FullMonthRequiredRupiah, e.ActiveDays, e.DaysInPeriod,
                e.Exemption?.Kind.ToString(), e.Exemption?.Reason, e.TppCeilingRupiah, e.RequiredRupiah, e.CountedRupiah, e.RemainingRupiah,
                e.ProjectedCorrectionRupiah));
        }

        var buyers = (await db.LedgerEntries.AsNoTracking().Where(x => x.RegencyCode == regencyCode && x.PeriodKey == period.Key)
            .Select(x => x.EmployeeNip).Distinct().ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var purchases = 0;
        foreach (var nip in employees.Where(buyers.Contains))
        {
            var detail = await evaluator.EvaluateEmployeeAsync(regencyCode, nip, period, cancellationToken);
            foreach (var p in detail.Purchases)
            {
                writer.Write(new PurchaseLine(p.PurchaseId, nip, p.MerchantId, p.OccurredAt, p.AmountRupiah, (int)p.Category, (int)p.Scale,
                    p.MerchantActiveAtTime, p.Voided, p.CountedRupiah, p.Reason?.ToString()));
                purchases++;
            }
        }

        var adjustments = await AdjustmentReads.ListAsync(db, regencyCode, period, null, 0, int.MaxValue, cancellationToken);
        foreach (var view in adjustments)
        {
            var a = view.Adjustment;
            writer.Write(new AdjustmentLine(a.IdempotencyKey, a.Nip, a.OfficeCode, a.Revision, a.PolicyVersion, a.RequiredRupiah, a.CountedRupiah,
                a.ShortfallRupiah, a.Sanction.ToString(), a.TppCorrectionRupiah, a.TppCeilingRupiah, a.SupersedesKey, view.SupersededByKey,
                a.CreatedAt, view.Delivery.State.ToString(), view.Delivery.EtppReference));
        }

        var disputes = await db.AdjustmentDisputes.AsNoTracking().Where(x => x.RegencyCode == regencyCode && x.PeriodKey == period.Key)
            .OrderBy(x => x.Id).ToListAsync(cancellationToken);
        foreach (var d in disputes)
            writer.Write(new DisputeLine(d.Id, d.AdjustmentKey, d.Nip, d.Reason.ToString(), d.Text, d.State.ToString(), d.FiledBy, d.FiledAt,
                d.ResolvedBy, d.ResolvedAt, d.ResolutionText));

        var from = period.Start;
        var anchor = AuditTrail.GenesisHash;
        var first = await db.AuditEvents.AsNoTracking().Where(x => x.OccurredAt >= from).OrderBy(x => x.Sequence).FirstOrDefaultAsync(cancellationToken);
        var head = anchor;
        if (first is not null)
        {
            anchor = first.PreviousHash;
            await foreach (var e in db.AuditEvents.AsNoTracking().Where(x => x.Sequence >= first.Sequence).OrderBy(x => x.Sequence)
                               .AsAsyncEnumerable().WithCancellation(cancellationToken))
            {
                if (e.RegencyCode == regencyCode)
                    writer.Write(new AuditLine(e.Sequence, e.OccurredAt, e.CallerId, e.Method, e.RequestId, e.RegencyCode, e.Details, e.TraceId,
                        e.PreviousHash, e.Hash));
                else
                    writer.Write(new AuditLinkLine(e.Sequence, e.PreviousHash, e.Hash));
                head = e.Hash;
            }
        }
        var digest = writer.Finish(anchor, head);
        await output.FlushAsync(cancellationToken);
        return new EvidenceSummary(writer.Lines, employees.Count, purchases, adjustments.Count, disputes.Count, digest, anchor, head);
    }
}

/// <summary>What an export wrote.</summary>
/// <param name="Lines">Lines before the end line.</param>
/// <param name="Employees">Employees of the month.</param>
/// <param name="Purchases">Purchases.</param>
/// <param name="Adjustments">Adjustment revisions.</param>
/// <param name="Disputes">Disputes.</param>
/// <param name="Sha256">SHA-256 of the lines before the end line.</param>
/// <param name="AuditAnchor">The hash the audit segment links to (the event before it).</param>
/// <param name="AuditHead">The hash of the segment's last event.</param>
public sealed record EvidenceSummary(long Lines, int Employees, int Purchases, int Adjustments, int Disputes, string Sha256, string AuditAnchor, string AuditHead);

/// <summary>The result of checking a package: intact, or the first discrepancy and the line it is on.</summary>
/// <param name="IsIntact">True when every check passed.</param>
/// <param name="Line">The 1-based line of the first discrepancy (0 when it concerns the whole file).</param>
/// <param name="Message">What was found.</param>
public sealed record EvidenceVerification(bool IsIntact, long Line, string Message);

/// <summary>
/// Re-checks an evidence package offline, from its own content: the lines' digest and count, the audit segment's hashes
/// and links, and that every employee's result and every adjustment in force follow from the purchases, the facts and
/// the policy in the package (recomputed here, not read from the hub). Reports the first discrepancy.
/// </summary>
public static class EvidenceVerifier
{
    /// <summary>Checks the package read from <paramref name="input"/>.</summary>
    public static async Task<EvidenceVerification> VerifyAsync(Stream input, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var reader = new StreamReader(input, new UTF8Encoding(false, throwOnInvalidBytes: true));
        long lineNumber = 0;
        HeaderLine? header = null;
        PolicyLine? policy = null;
        EndLine? end = null;
        var employees = new List<(long Line, EmployeeLine Employee)>();
        var purchases = new Dictionary<string, List<(long Line, PurchaseLine Purchase)>>(StringComparer.Ordinal);
        var adjustments = new List<(long Line, AdjustmentLine Adjustment)>();
        string? previousHash = null;
        long previousSequence = 0;
        try
        {
            while (await reader.ReadLineAsync(cancellationToken) is { } text)
            {
                lineNumber++;
                if (end is not null) return Broken(lineNumber, "there are lines after the end line");
                using var document = JsonDocument.Parse(text);
                var type = document.RootElement.TryGetProperty("type", out var t) ? t.GetString() : null;
                if (type == "end")
                {
                    end = document.Deserialize<EndLine>(EvidenceJson.Options);
                    continue;
                }
                hash.AppendData(Encoding.UTF8.GetBytes(text + "\n"));
                switch (type)
                {
                    case "header":
                        header = document.Deserialize<HeaderLine>(EvidenceJson.Options);
                        if (header?.Format != EvidenceExport.Format) return Broken(lineNumber, $"not an {EvidenceExport.Format} package");
                        break;
                    case "policy":
                        policy = document.Deserialize<PolicyLine>(EvidenceJson.Options);
                        break;
                    case "employee":
                        employees.Add((lineNumber, document.Deserialize<EmployeeLine>(EvidenceJson.Options)!));
                        break;
                    case "purchase":
                        var purchase = document.Deserialize<PurchaseLine>(EvidenceJson.Options)!;
                        if (!purchases.TryGetValue(purchase.Nip, out var list)) purchases[purchase.Nip] = list = [];
                        list.Add((lineNumber, purchase));
                        break;
                    case "adjustment":
                        adjustments.Add((lineNumber, document.Deserialize<AdjustmentLine>(EvidenceJson.Options)!));
                        break;
                    case "dispute":
                        break;
                    case "audit" or "audit_link":
                        var link = document.Deserialize<AuditLinkLine>(EvidenceJson.Options)!;
                        if (previousHash is not null && (link.Sequence != previousSequence + 1 || link.PreviousHash != previousHash))
                            return Broken(lineNumber, $"audit event {link.Sequence} does not link to the event before it");
                        if (type == "audit" && AuditTrail.HashOf(document.Deserialize<AuditLine>(EvidenceJson.Options)!.ToEvent()) != link.Hash)
                            return Broken(lineNumber, $"audit event {link.Sequence} was altered: its content does not match its hash");
                        previousHash = link.Hash;
                        previousSequence = link.Sequence;
                        break;
                    default:
                        return Broken(lineNumber, $"unknown line type '{type}'");
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or DecoderFallbackException or NotSupportedException)
        {
            return Broken(lineNumber, $"not valid JSON: {ex.Message}");
        }

        if (end is null) return Broken(lineNumber, "the end line is missing: the package was cut short");
        if (end.Lines != lineNumber - 1) return Broken(lineNumber, $"the end line counts {end.Lines} lines before it, the package has {lineNumber - 1}");
        var digest = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (digest != end.Sha256) return Broken(lineNumber, "the package's content does not match its SHA-256: it was changed after the export");
        if (previousHash is not null && previousHash != end.AuditHead) return Broken(lineNumber, "the audit segment does not end at the head the end line names");
        if (header is null || policy is null) return Broken(0, "the header or the policy line is missing");

        var quotaPolicy = policy.ToPolicy(header.Regency);
        var inForce = adjustments.Where(a => a.Adjustment.SupersededBy is null).ToDictionary(a => a.Adjustment.Nip, StringComparer.Ordinal);
        var closed = header.PeriodStatus is "CLOSED";
        foreach (var (line, employee) in employees)
        {
            if (Recompute(quotaPolicy, employee, purchases.GetValueOrDefault(employee.Nip) ?? []) is { } wrong)
                return Broken(wrong.Line == 0 ? line : wrong.Line, $"NIP {employee.Nip}: {wrong.Message}");
            purchases.Remove(employee.Nip);
            var correction = employee.Outcome == nameof(QuotaOutcome.NonCompliant) ? employee.CorrectionRupiah : 0;
            if (!closed) continue;
            if (inForce.Remove(employee.Nip, out var adjustment))
            {
                var a = adjustment.Adjustment;
                if (a.TppCorrectionRupiah != correction || (correction > 0 && (a.RequiredRupiah != employee.RequiredRupiah || a.CountedRupiah != employee.CountedRupiah)))
                    return Broken(adjustment.Line, $"NIP {employee.Nip}: the adjustment in force (revision {a.Revision}) says required {a.RequiredRupiah}, " +
                        $"counted {a.CountedRupiah}, correction {a.TppCorrectionRupiah}; the purchases and the policy give required " +
                        $"{employee.RequiredRupiah}, counted {employee.CountedRupiah}, correction {correction}");
            }
            else if (correction > 0)
            {
                return Broken(line, $"NIP {employee.Nip}: a correction of {correction} follows from the purchases and the policy, but the package has no adjustment for it");
            }
        }
        if (purchases.Count > 0)
            return Broken(purchases.First().Value[0].Line, $"purchases of NIP {purchases.First().Key}, who is not an employee of the month in the package");
        if (closed && inForce.Values.FirstOrDefault(a => a.Adjustment.TppCorrectionRupiah != 0) is { Adjustment: not null } orphan)
            return Broken(orphan.Line, $"adjustment {orphan.Adjustment.Key} corrects NIP {orphan.Adjustment.Nip}, who is not an employee of the month in the package");
        return new EvidenceVerification(true, 0,
            (header.Provisional || !closed ? $"intact, PROVISIONAL (exported while the month was {header.PeriodStatus}: its results can still change): " : "intact: ") +
            $"{lineNumber - 1} lines, {employees.Count} employees, {adjustments.Count} adjustment revisions; every result follows from the purchases and policy version {policy.Version}; " +
            $"audit segment links {end.AuditAnchor[..12]}… to {end.AuditHead[..12]}…");
    }

    /// <summary>The employee's result from the purchases, the facts and the policy; null when it agrees with the package.</summary>
    private static (long Line, string Message)? Recompute(QuotaPolicy policy, EmployeeLine e, List<(long Line, PurchaseLine Purchase)> purchases)
    {
        if (policy.RequiredAmountForm == RequiredAmountForm.TppPercentage
            && policy.FullMonthRequired(0, Echelon.NonStructural, e.TppCeilingRupiah) != e.FullMonthRequiredRupiah)
            return (0, $"the full-month amount {e.FullMonthRequiredRupiah} does not follow from the TPP ceiling {e.TppCeilingRupiah}");
        var exempt = e.ExemptionKind is not null;
        var hasTpp = e.TppCeilingRupiah > 0;
        var required = !exempt && hasTpp ? policy.Prorate(e.FullMonthRequiredRupiah, e.ActiveDays, e.DaysInPeriod) : 0;
        var cap = policy.MerchantCap(required);
        var eligibleAt = new Dictionary<string, long>(StringComparer.Ordinal);
        var countedAt = new Dictionary<string, long>(StringComparer.Ordinal);
        long counted = 0;
        foreach (var (line, p) in purchases)
        {
            long countedHere = 0;
            if (!p.Voided && p.MerchantActive && policy.Counts((MerchantCategory)p.Category, (MerchantScale)p.Scale))
            {
                var eligible = eligibleAt[p.MerchantId] = eligibleAt.GetValueOrDefault(p.MerchantId) + p.AmountRupiah;
                var countable = cap is { } c ? Math.Min(eligible, c) : eligible;
                countedHere = countable - countedAt.GetValueOrDefault(p.MerchantId);
                countedAt[p.MerchantId] = countable;
            }
            if (countedHere != p.CountedRupiah)
                return (line, $"purchase {p.Id} counts {countedHere} by the policy, the package says {p.CountedRupiah}");
            counted += countedHere;
        }
        var remaining = Math.Max(0, required - counted);
        var outcome = exempt ? QuotaOutcome.Exempt : !hasTpp ? QuotaOutcome.NoTpp : counted >= required ? QuotaOutcome.Compliant : QuotaOutcome.NonCompliant;
        var correction = outcome == QuotaOutcome.NonCompliant ? policy.Correction(remaining, e.TppCeilingRupiah) : 0;
        if ((required, counted, remaining, outcome.ToString(), correction)
            != (e.RequiredRupiah, e.CountedRupiah, e.RemainingRupiah, e.Outcome, outcome == QuotaOutcome.NonCompliant ? e.CorrectionRupiah : 0))
            return (0, $"required {required}, counted {counted}, shortfall {remaining}, {outcome}, correction {correction} follow from the purchases " +
                $"and the policy; the package says required {e.RequiredRupiah}, counted {e.CountedRupiah}, shortfall {e.RemainingRupiah}, {e.Outcome}, " +
                $"correction {e.CorrectionRupiah}");
        return null;
    }

    private static EvidenceVerification Broken(long line, string message) => new(false, line, message);
}

/// <summary>Writes package lines and keeps their count and digest.</summary>
internal sealed class EvidenceWriter(Stream output)
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long Lines { get; private set; }

    public void Write<TLine>(TLine line) where TLine : EvidenceLine
    {
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(line, EvidenceJson.Options) + "\n");
        _hash.AppendData(bytes);
        output.Write(bytes);
        Lines++;
    }

    public string Finish(string auditAnchor, string auditHead)
    {
        var digest = Convert.ToHexStringLower(_hash.GetHashAndReset());
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new EndLine(Lines, digest, auditAnchor, auditHead), EvidenceJson.Options) + "\n");
        output.Write(bytes);
        return digest;
    }
}

internal static class EvidenceJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}

/// <summary>A line of the package; <see cref="Type"/> says which.</summary>
public abstract record EvidenceLine
{
    /// <summary>The line's type.</summary>
    [JsonPropertyOrder(-1)]
    public abstract string Type { get; }
}

internal sealed record HeaderLine(string Format, string Regency, string Period, string PeriodStatus, DateTimeOffset ExportedAt) : EvidenceLine
{
    public override string Type => "header";

    /// <summary>Exported before the month was closed (<c>--allow-open</c>): its results can still change. Absent when false.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Provisional { get; init; }
}

internal sealed record PolicyLine(
    int Version, int EffectivePeriodKey, string RequiredAmountForm, List<long> KelasJabatanAmounts, List<long> EchelonAmounts, int TppBasisPoints,
    long TppFloorRupiah, long TppCapRupiah, List<int> CountedCategories, List<int> CountedScales, int MerchantCapBasisPoints, bool ProrationEnabled,
    List<int> ExemptEmploymentTypes, string SanctionKind, int SanctionBasisPoints, string Description) : EvidenceLine
{
    public override string Type => "policy";

    public static PolicyLine Of(QuotaPolicy p) => new(p.Version, p.EffectivePeriodKey, p.RequiredAmountForm.ToString(), p.KelasJabatanAmounts,
        p.EchelonAmounts, p.TppBasisPoints, p.TppFloorRupiah, p.TppCapRupiah, [.. p.CountedCategories.Select(c => (int)c)],
        [.. p.CountedScales.Select(s => (int)s)], p.MerchantCapBasisPoints, p.ProrationEnabled, [.. p.ExemptEmploymentTypes.Select(t => (int)t)],
        p.SanctionKind.ToString(), p.SanctionBasisPoints, p.Description);

    public QuotaPolicy ToPolicy(string regencyCode) => new()
    {
        RegencyCode = regencyCode,
        Version = Version,
        EffectivePeriodKey = EffectivePeriodKey,
        RequiredAmountForm = Enum.Parse<RequiredAmountForm>(RequiredAmountForm),
        KelasJabatanAmounts = KelasJabatanAmounts,
        EchelonAmounts = EchelonAmounts,
        TppBasisPoints = TppBasisPoints,
        TppFloorRupiah = TppFloorRupiah,
        TppCapRupiah = TppCapRupiah,
        CountedCategories = [.. CountedCategories.Select(c => (MerchantCategory)c)],
        CountedScales = [.. CountedScales.Select(s => (MerchantScale)s)],
        MerchantCapBasisPoints = MerchantCapBasisPoints,
        ProrationEnabled = ProrationEnabled,
        ExemptEmploymentTypes = [.. ExemptEmploymentTypes.Select(t => (EmploymentType)t)],
        SanctionKind = Enum.Parse<SanctionKind>(SanctionKind),
        SanctionBasisPoints = SanctionBasisPoints,
        Description = Description,
        CreatedBy = "evidence package",
    };
}

internal sealed record EmployeeLine(
    string Nip, string OfficeCode, string Outcome, long FullMonthRequiredRupiah, int ActiveDays, int DaysInPeriod, string? ExemptionKind,
    string? ExemptionReason, long TppCeilingRupiah, long RequiredRupiah, long CountedRupiah, long RemainingRupiah, long CorrectionRupiah) : EvidenceLine
{
    public override string Type => "employee";
}

internal sealed record PurchaseLine(
    string Id, string Nip, string MerchantId, DateTimeOffset OccurredAt, long AmountRupiah, int Category, int Scale, bool MerchantActive, bool Voided,
    long CountedRupiah, string? Reason) : EvidenceLine
{
    public override string Type => "purchase";
}

internal sealed record AdjustmentLine(
    string Key, string Nip, string OfficeCode, int Revision, int PolicyVersion, long RequiredRupiah, long CountedRupiah, long ShortfallRupiah,
    string Sanction, long TppCorrectionRupiah, long TppCeilingRupiah, string? Supersedes, string? SupersededBy, DateTimeOffset CreatedAt,
    string DeliveryState, string? EtppReference) : EvidenceLine
{
    public override string Type => "adjustment";
}

internal sealed record DisputeLine(
    string Id, string AdjustmentKey, string Nip, string Reason, string Text, string State, string FiledBy, DateTimeOffset FiledAt,
    string? ResolvedBy, DateTimeOffset? ResolvedAt, string? ResolutionText) : EvidenceLine
{
    public override string Type => "dispute";
}

internal sealed record AuditLine(
    long Sequence, DateTimeOffset OccurredAt, string CallerId, string Method, string RequestId, string RegencyCode, string Details, string TraceId,
    string PreviousHash, string Hash) : EvidenceLine
{
    public override string Type => "audit";

    public AuditEvent ToEvent() => new()
    {
        Sequence = Sequence, OccurredAt = OccurredAt, CallerId = CallerId, Method = Method, RequestId = RequestId, RegencyCode = RegencyCode,
        Details = Details, TraceId = TraceId, PreviousHash = PreviousHash, Hash = Hash,
    };
}

/// <summary>Another regency's audit event: only its place in the chain (sequence and hashes), none of its content.</summary>
internal sealed record AuditLinkLine(long Sequence, string PreviousHash, string Hash) : EvidenceLine
{
    public override string Type => "audit_link";
}

internal sealed record EndLine(long Lines, string Sha256, string AuditAnchor, string AuditHead) : EvidenceLine
{
    public override string Type => "end";
}
