using EBakul.Hub.Access;
using EBakul.Hub.Data;
using EBakul.Hub.Domain;
using EBakul.Hub.Domain.Integrity;
using EBakul.Hub.Domain.Regions;
using EBakul.Hub.Errors;
using EBakul.Hub.Paging;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Wire = EBakul.Integrity.V1;

namespace EBakul.Hub.Services;

/// <summary>
/// gRPC face of the integrity signals (<see cref="IntegritySignals"/>) and their reviews (<see cref="IntegrityReviews"/>):
/// request checks and proto ⇄ domain. Signals name employees, so they are for the regency as a whole: an office-bound
/// caller is refused (PERMISSION_DENIED <c>OUTSIDE_CALLER_OFFICE</c>).
/// </summary>
public sealed class IntegrityGrpcService(
    IntegritySignals signals, IntegrityReviews reviews, IdempotentWrites idempotent, RegencyDirectory regencies)
    : Wire.IntegrityService.IntegrityServiceBase
{
    /// <summary>Default and largest page.</summary>
    private const int DefaultPageSize = 50, MaxPageSize = 500;

    /// <inheritdoc />
    public override Task<Wire.ListIntegritySignalsResponse> ListIntegritySignals(Wire.ListIntegritySignalsRequest request, ServerCallContext context) =>
        ListAsync(request, CallerIdentity.Of(context), context.CancellationToken);

    /// <summary>A page of the month's signals after the request's checks: what <see cref="ListIntegritySignals"/> answers.</summary>
    private async Task<Wire.ListIntegritySignalsResponse> ListAsync(Wire.ListIntegritySignalsRequest request, CallerIdentity caller, CancellationToken cancellationToken)
    {
        var checks = new FieldChecks();
        var period = CheckList(request, checks);
        var pageSize = PageToken.Size(request.PageSize, checks, DefaultPageSize, MaxPageSize);
        var offset = PageToken.DecodeNumber(request.PageToken, $"integrity|{request.RegencyCode}|{request.Period}|{(int)request.Kind}", checks);
        checks.ThrowIfAny();
        RequireRegencyWide(caller, request.RegencyCode);

        var matching = await MatchingAsync(request.RegencyCode, period, request.Kind, cancellationToken);
        var page = matching.Skip((int)Math.Min(offset, matching.Count)).Take(pageSize).ToList();
        var response = new Wire.ListIntegritySignalsResponse { TotalSize = matching.Count };
        response.Signals.AddRange(page);
        if (offset + page.Count < matching.Count)
            response.NextPageToken = PageToken.Encode((offset + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"integrity|{request.RegencyCode}|{request.Period}|{(int)request.Kind}");
        return response;
    }

    /// <summary>
    /// Every signal of the month the request names (its kind, or all), ranked, after the list's checks but its paging:
    /// what the HTTP endpoint's <c>.csv</c> download writes, from one computation of the month.
    /// </summary>
    public async Task<IReadOnlyList<Wire.IntegritySignal>> AllAsync(Wire.ListIntegritySignalsRequest request, CallerIdentity caller, CancellationToken cancellationToken)
    {
        var checks = new FieldChecks();
        var period = CheckList(request, checks);
        checks.ThrowIfAny();
        RequireRegencyWide(caller, request.RegencyCode);
        return await MatchingAsync(request.RegencyCode, period, request.Kind, cancellationToken);
    }

    /// <summary>The list's checks of the regency, the month and the kind; the month.</summary>
    private static Period CheckList(Wire.ListIntegritySignalsRequest request, FieldChecks checks)
    {
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        var period = Period.Require(request.Period, "period", checks);
        if (request.Kind != Wire.IntegritySignalKind.Unspecified) checks.RequireEnum((SignalKind)request.Kind, "kind");
        return period;
    }

    /// <summary>The month's signals of <paramref name="kind"/> (all when unspecified), ranked, each with its review.</summary>
    private async Task<List<Wire.IntegritySignal>> MatchingAsync(string regencyCode, Period period, Wire.IntegritySignalKind kind, CancellationToken cancellationToken)
    {
        var month = await signals.MonthAsync(regencyCode, period, cancellationToken);
        var done = await reviews.MonthAsync(regencyCode, period, cancellationToken);
        return [.. month.Where(s => kind == Wire.IntegritySignalKind.Unspecified || (int)s.Kind == (int)kind).Select(s => ToProto(s, done.GetValueOrDefault(s.Id)))];
    }

    /// <inheritdoc />
    public override async Task<Wire.GetIntegritySignalResponse> GetIntegritySignal(Wire.GetIntegritySignalRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        var period = Period.Require(request.Period, "period", checks);
        checks.RequireText(request.SignalId, "signal_id", 64);
        checks.ThrowIfAny();
        RequireRegencyWide(CallerIdentity.Of(context), request.RegencyCode);

        var signal = await FindAsync(request.RegencyCode, period, request.SignalId, context.CancellationToken);
        var done = await reviews.MonthAsync(request.RegencyCode, period, context.CancellationToken);
        var response = new Wire.GetIntegritySignalResponse { Signal = ToProto(signal, done.GetValueOrDefault(signal.Id)) };
        response.Purchases.AddRange((await signals.PurchasesAsync(request.RegencyCode, signal, context.CancellationToken)).Select(ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Wire.ReviewIntegritySignalResponse> ReviewIntegritySignal(Wire.ReviewIntegritySignalRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RequestIds.Check(request.RequestId, checks);
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        var period = Period.Require(request.Period, "period", checks);
        checks.RequireText(request.SignalId, "signal_id", 64);
        checks.RequireEnum((ReviewVerdict)request.Verdict, "verdict");
        checks.RequireText(request.Note, "note", IntegrityReviews.MaxNoteLength);
        checks.ThrowIfAny();
        RequireRegencyWide(CallerIdentity.Of(context), request.RegencyCode);

        // The signal must be one the month has now; the review then goes through the writer with its audit event.
        var signal = await FindAsync(request.RegencyCode, period, request.SignalId, context.CancellationToken);
        var caller = CallerIdentity.Of(context);
        var response = await idempotent.WriteAsync(caller.Id, context.Method, request, request.RequestId,
            tx => new Wire.ReviewIntegritySignalResponse
            {
                Signal = ToProto(signal, reviews.Record(tx, request.RegencyCode, period, signal.Id, (ReviewVerdict)request.Verdict, request.Note.Trim(), caller)),
            },
            context.CancellationToken);
        // Names and NIPs only under integrity.read.
        if (!caller.Has(Scopes.IntegrityRead)) response.Signal.EmployeeNips.Clear();
        return response;
    }

    private async Task<IntegritySignal> FindAsync(string regencyCode, Period period, string signalId, CancellationToken cancellationToken) =>
        (await signals.MonthAsync(regencyCode, period, cancellationToken)).FirstOrDefault(s => s.Id == signalId)
        ?? throw HubException.NotFound("INTEGRITY_SIGNAL_NOT_FOUND", $"signal '{signalId}' is not among the signals of regency {regencyCode} for {period}");

    private void RequireRegencyWide(CallerIdentity caller, string regencyCode)
    {
        regencies.RequireServed(regencyCode);
        if (caller.IsOfficeBound)
            throw HubException.PermissionDenied("OUTSIDE_CALLER_OFFICE",
                $"integrity signals cover the whole regency; caller '{caller.Id}' is bound to office {caller.OfficeCode}");
    }

    private static Wire.IntegritySignal ToProto(IntegritySignal signal, IntegrityReview? review)
    {
        var proto = new Wire.IntegritySignal
        {
            SignalId = signal.Id, Kind = (Wire.IntegritySignalKind)(int)signal.Kind, Strength = signal.Strength, Explanation = signal.Explanation,
            MerchantId = signal.MerchantId, MerchantName = signal.MerchantName, OfficeCode = signal.OfficeCode ?? "",
            AmountRupiah = signal.AmountRupiah, PurchaseCount = signal.EntryIds.Count, BuyerCount = signal.BuyerCount,
        };
        proto.Figures.AddRange(signal.Figures.Select(f => new Wire.SignalFigure { Name = f.Name, Label = f.Label, Value = f.Value }));
        proto.EmployeeNips.AddRange(signal.EmployeeNips);
        if (review is not null)
            proto.Review = new Wire.SignalReview
            {
                Verdict = (Wire.ReviewVerdict)(int)review.Verdict, Note = review.Note, ReviewedBy = review.ReviewedBy,
                ReviewedAt = Timestamp.FromDateTimeOffset(review.ReviewedAt),
            };
        return proto;
    }

    private static Wire.SignalPurchase ToProto(SignalPurchase p) => new()
    {
        EntryId = p.EntryId, EmployeeNip = p.EmployeeNip, EmployeeName = p.EmployeeName, OfficeCode = p.OfficeCode, MerchantId = p.MerchantId,
        MerchantName = p.MerchantName, AmountRupiah = p.AmountRupiah, OccurredAt = Timestamp.FromDateTimeOffset(p.OccurredAt),
        ReceiptReference = p.ReceiptReference, EvidenceSha256 = p.EvidenceSha256 ?? "",
    };
}
