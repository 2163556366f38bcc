using EBakul.Hub.Hosting;
using System.Globalization;
using EBakul.Hub.Access;
using EBakul.Hub.Data;
using EBakul.Hub.Domain;
using EBakul.Hub.Domain.Ledger;
using EBakul.Hub.Domain.Roster;
using EBakul.Hub.Domain.Regions;
using EBakul.Hub.Errors;
using EBakul.Hub.Paging;
using EBakul.Ledger.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using DomainEntryKind = EBakul.Hub.Domain.Ledger.EntryKind;
using DomainReceiptKind = EBakul.Hub.Domain.Ledger.ReceiptKind;

namespace EBakul.Hub.Services;

/// <summary>gRPC face of <see cref="PurchaseLedger"/>: request checks, proto ⇄ domain translation, idempotency.</summary>
public sealed class LedgerGrpcService(
    PurchaseLedger ledger, IdempotentWrites idempotent, RegencyDirectory regencies, HubDbContext db, TimeProvider clock,
    IOptions<DatabaseOptions> database)
    : LedgerService.LedgerServiceBase
{
    /// <summary>Most items in one RecordPurchases call.</summary>
    public const int MaxBatchSize = 1000;

    private const int FeedReadSize = 500;

    /// <inheritdoc />
    public override async Task<RecordPurchaseResponse> RecordPurchase(RecordPurchaseRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RequestIds.Check(request.RequestId, checks);
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        PurchaseInput? input = null;
        if (request.Purchase is null) checks.Add("purchase", "FIELD_REQUIRED", "is required");
        else (input = ToInput(request.Purchase, checks, "purchase.")).Check(checks, "purchase.", clock.GetUtcNow());
        checks.ThrowIfAny();
        regencies.RequireServed(request.RegencyCode);

        var caller = CallerIdentity.Of(context);
        return await idempotent.WriteAsync(caller.Id, context.Method, request, request.RequestId,
            tx => PurchaseLedger.ReadAhead(tx, request.RegencyCode, input!),
            (tx, reads) =>
            {
                var recorded = ledger.Record(tx, request.RegencyCode, input!, caller, reads);
                var response = new RecordPurchaseResponse { Purchase = ToProto(recorded.Entry, null), QuotaEligibility = (QuotaEligibility)(int)recorded.Eligibility };
                tx.OnCommitted(() => HubTelemetry.PurchasesRecorded.Add(1));
                return response;
            },
            context.CancellationToken, rerunnable: true);
    }

    /// <inheritdoc />
    public override async Task<RecordPurchasesResponse> RecordPurchases(RecordPurchasesRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RequestIds.Check(request.RequestId, checks);
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        checks.Check(request.Purchases.Count is > 0 and <= MaxBatchSize, "purchases", "BATCH_SIZE_OUT_OF_RANGE",
            $"must hold 1 to {MaxBatchSize} purchases");
        checks.ThrowIfAny();
        regencies.RequireServed(request.RegencyCode);

        // Items with bad fields are rejected here and never reach the database; the rest are recorded in one write.
        var now = clock.GetUtcNow();
        var inputs = new PurchaseInput?[request.Purchases.Count];
        var itemErrors = new FieldViolation?[request.Purchases.Count];
        for (var i = 0; i < inputs.Length; i++)
        {
            var itemChecks = new FieldChecks();
            var input = ToInput(request.Purchases[i], itemChecks, "");
            input.Check(itemChecks, "", now);
            if (itemChecks.IsValid) inputs[i] = input;
            else itemErrors[i] = itemChecks.Violations[0];
        }

        var caller = CallerIdentity.Of(context);
        return await idempotent.WriteAsync(caller.Id, context.Method, request, request.RequestId, tx =>
        {
            var attempts = ledger.RecordMany(tx, request.RegencyCode, inputs, caller);
            var response = new RecordPurchasesResponse();
            for (var i = 0; i < attempts.Count; i++)
            {
                var result = new RecordPurchaseResult { Index = i };
                if (attempts[i].Recorded is { } recorded)
                {
                    result.Outcome = RecordOutcome.Recorded;
                    result.Purchase = ToProto(recorded.Entry, null);
                    result.QuotaEligibility = (QuotaEligibility)(int)recorded.Eligibility;
                }
                else
                {
                    result.Outcome = RecordOutcome.Rejected;
                    if (itemErrors[i] is { } violation)
                        (result.Reason, result.Field, result.Description) = (violation.Reason, violation.Field, violation.Description);
                    else
                        (result.Reason, result.Description) = (attempts[i].Refusal!.Reason, attempts[i].Refusal!.Message);
                }
                response.Results.Add(result);
            }
            tx.OnCommitted(() => CountOutcomes(response));
            return response;
        }, context.CancellationToken, rerunnable: true);
    }

    private static void CountOutcomes(RecordPurchasesResponse response)
    {
        foreach (var result in response.Results)
        {
            if (result.Outcome == RecordOutcome.Recorded) HubTelemetry.PurchasesRecorded.Add(1);
            else HubTelemetry.PurchasesRefused.Add(1, new KeyValuePair<string, object?>("reason", result.Reason));
        }
    }

    /// <inheritdoc />
    public override async Task<GetPurchaseResponse> GetPurchase(GetPurchaseRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        checks.RequireText(request.PurchaseId, "purchase_id", 64);
        checks.ThrowIfAny();
        regencies.RequireServed(request.RegencyCode);

        var caller = CallerIdentity.Of(context);
        var view = await PurchaseLedger.FindAsync(db, request.RegencyCode, request.PurchaseId, caller.IsOfficeBound ? caller.OfficeCode : null, context.CancellationToken);
        caller.RequireOwnOffice(view is null ? null : caller.OfficeCode, $"purchase '{request.PurchaseId}'");
        if (view is null)
            throw HubException.NotFound("PURCHASE_NOT_FOUND", $"purchase '{request.PurchaseId}' is not in the ledger of regency {request.RegencyCode}");
        return new GetPurchaseResponse { Purchase = ToProto(view.Entry, view.VoidedByEntryId) };
    }

    /// <inheritdoc />
    public override async Task<ListPurchasesResponse> ListPurchases(ListPurchasesRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        var period = Period.Optional(request.Period, "period", checks);
        if (request.EmployeeNip.Length > 0) Nip.Check(request.EmployeeNip, checks, "employee_nip");
        var pageSize = PageToken.Size(request.PageSize, checks);
        var filters = $"{request.RegencyCode}|{request.EmployeeNip}|{request.MerchantId}|{request.OfficeCode}|{request.Period}";
        var afterSequence = PageToken.DecodeNumber(request.PageToken, filters, checks);
        checks.ThrowIfAny();
        regencies.RequireServed(request.RegencyCode);
        var officeCode = Blank(request.OfficeCode);
        var caller = CallerIdentity.Of(context);
        if (caller.IsOfficeBound)
        {
            caller.RequireOwnOffice(officeCode ?? caller.OfficeCode, $"office {officeCode}");
            officeCode = caller.OfficeCode;
        }

        var filter = new PurchaseLedger.ListFilter(request.RegencyCode, Blank(request.EmployeeNip), Blank(request.MerchantId), officeCode, period);
        var page = await PurchaseLedger.ListAsync(db, filter, afterSequence, pageSize + 1, context.CancellationToken);
        var response = new ListPurchasesResponse();
        response.Purchases.AddRange(page.Take(pageSize).Select(v => ToProto(v.Entry, v.VoidedByEntryId)));
        if (page.Count > pageSize)
            response.NextPageToken = PageToken.Encode(page[pageSize - 1].Entry.Sequence.ToString(CultureInfo.InvariantCulture), filters);
        return response;
    }

    /// <inheritdoc />
    public override async Task<VoidPurchaseResponse> VoidPurchase(VoidPurchaseRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RequestIds.Check(request.RequestId, checks);
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        checks.RequireText(request.PurchaseId, "purchase_id", 64);
        checks.RequireText(request.Reason, "reason", 500);
        checks.ThrowIfAny();
        regencies.RequireServed(request.RegencyCode);

        var caller = CallerIdentity.Of(context);
        return await idempotent.WriteAsync(caller.Id, context.Method, request, request.RequestId, tx =>
        {
            var (reversal, original) = ledger.Void(tx, request.RegencyCode, request.PurchaseId, request.Reason, caller);
            return new VoidPurchaseResponse { Reversal = ToProto(reversal, null), Original = ToProto(original, reversal.Id) };
        }, context.CancellationToken, rerunnable: true);
    }

    /// <inheritdoc />
    public override async Task StreamLedgerEntries(StreamLedgerEntriesRequest request, IServerStreamWriter<StreamLedgerEntriesResponse> responseStream, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        long cursor = 0;
        if (request.Cursor.Length > 0 && (!long.TryParse(request.Cursor, NumberStyles.None, CultureInfo.InvariantCulture, out cursor) || cursor < 0))
            checks.Add("cursor", "CURSOR_INVALID", "must be empty or the cursor of an entry received from this feed");
        checks.ThrowIfAny();
        regencies.RequireServed(request.RegencyCode);

        var caller = CallerIdentity.Of(context);
        var officeCode = caller.IsOfficeBound ? caller.OfficeCode : null;
        var cancellationToken = context.CancellationToken;
        while (!cancellationToken.IsCancellationRequested)
        {
            var entries = await PurchaseLedger.ReadFeedAsync(db, request.RegencyCode, officeCode, cursor, FeedReadSize, cancellationToken);
            foreach (var entry in entries)
            {
                cursor = entry.Sequence;
                await responseStream.WriteAsync(new StreamLedgerEntriesResponse
                {
                    Entry = ToProto(entry, null),
                    Cursor = cursor.ToString(CultureInfo.InvariantCulture),
                }, cancellationToken);
            }
            if (entries.Count > 0 && entries.Count == FeedReadSize) continue;
            if (!request.Follow) return;
            await ledger.WaitForAppendAsync(database.Value.StreamPollInterval, cancellationToken);
        }
    }

    private static PurchaseInput ToInput(PurchaseDraft draft, FieldChecks checks, string prefix) => new(
        draft.EmployeeNip,
        draft.MerchantId,
        draft.AmountRupiah,
        checks.Timestamp(draft.OccurTime, prefix + "occur_time"),
        draft.ReceiptKind is Ledger.V1.ReceiptKind.Nota or Ledger.V1.ReceiptKind.Qris ? (DomainReceiptKind)(int)draft.ReceiptKind : null,
        draft.ReceiptReference,
        draft.EvidenceSha256);

    /// <summary>The proto of an entry, as the ledger's methods answer with it.</summary>
    internal static Purchase ToProto(LedgerEntry entry, string? voidedBy) => new()
    {
        PurchaseId = entry.Id,
        LedgerSequence = entry.Sequence,
        RegencyCode = entry.RegencyCode,
        Kind = entry.Kind == DomainEntryKind.Purchase ? Ledger.V1.EntryKind.Purchase : Ledger.V1.EntryKind.Reversal,
        EmployeeNip = entry.EmployeeNip,
        OfficeCode = entry.OfficeCode,
        MerchantId = entry.MerchantId,
        AmountRupiah = entry.AmountRupiah,
        OccurTime = Timestamp.FromDateTimeOffset(entry.OccurredAt),
        Period = Period.FromKey(entry.PeriodKey).ToString(),
        ReceiptKind = (Ledger.V1.ReceiptKind)(int)entry.ReceiptKind,
        ReceiptReference = entry.ReceiptReference,
        EvidenceSha256 = entry.EvidenceSha256 ?? "",
        RecordedBy = entry.RecordedBy,
        RecordTime = Timestamp.FromDateTimeOffset(entry.RecordedAt),
        ReversesPurchaseId = entry.ReversesEntryId ?? "",
        Reason = entry.Reason ?? "",
        VoidedByPurchaseId = voidedBy ?? "",
    };

    private static string? Blank(string value) => value.Length == 0 ? null : value;
}
