using EBakul.Hub.Data;
using EBakul.Hub.Domain.Regions;
using EBakul.Hub.Errors;
using EBakul.Hub.Paging;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.Domain.Merchants;

/// <summary>Filters of a merchant list; null matches everything.</summary>
/// <param name="KecamatanCode">Only this kecamatan.</param>
/// <param name="Category">Only this category.</param>
/// <param name="Scale">Only this scale.</param>
/// <param name="Status">Only this status.</param>
public sealed record MerchantFilter(string? KecamatanCode, MerchantCategory? Category, MerchantScale? Scale, MerchantStatus? Status);

/// <summary>One page of a merchant list.</summary>
/// <param name="Merchants">The merchants, in id (registration) order.</param>
/// <param name="NextPageToken">Token of the next page; empty on the last page.</param>
public sealed record MerchantPage(IReadOnlyList<Merchant> Merchants, string NextPageToken);

/// <summary>
/// The merchant registry of a regency: registration, reads, updates and the status lifecycle
/// PENDING_VERIFICATION → ACTIVE ↔ SUSPENDED. Every request is checked in full before anything is
/// written (all field violations at once, then the regency); every mutation runs once per request_id in
/// one writer transaction together with its idempotency record; every status change, the first one
/// included, appends a row to the merchant's status history with the hub's time and the caller.
/// A merchant of another regency is reported as not found.
/// </summary>
public sealed class MerchantRegistry(
    HubDbContext db, IdempotentWrites idempotent, RegencyDirectory directory, MerchantIds ids, TimeProvider clock, Audit.AuditTrail audit)
{
    /// <summary>Default page size of <see cref="ListAsync"/>.</summary>
    public const int DefaultPageSize = 50;
    /// <summary>Largest page size of <see cref="ListAsync"/>.</summary>
    public const int MaxPageSize = 1000;
    /// <summary>Status reason of a newly registered merchant.</summary>
    public const string RegisteredReason = "registered";
    /// <summary>Reason of a merchant that does not exist in the regency.</summary>
    public const string MerchantNotFound = "MERCHANT_NOT_FOUND";

    private static readonly IReadOnlySet<string> UpdatableFields = MerchantDraft.Fields.All.ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Registers a merchant in <paramref name="regencyCode"/>; it starts PENDING_VERIFICATION, or ACTIVE from
    /// <paramref name="eligibleSince"/> when it was verified in the system it is migrated from.
    /// </summary>
    public Task<TResponse> RegisterAsync<TRequest, TResponse>(IdempotentCall<TRequest> call, string regencyCode, MerchantDraft draft,
        DateTimeOffset? eligibleSince, Func<Merchant, TResponse> respond, CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>, new()
    {
        var checks = new FieldChecks();
        RequestIds.Check(call.RequestId, checks);
        RegencyDirectory.CheckCode(regencyCode, checks);
        MerchantRules.CheckDraft(draft, regencyCode, directory, checks, "merchant.");
        MerchantRules.CheckEligibleSince(eligibleSince, Now(), checks);
        checks.ThrowIfAny();
        directory.RequireServed(regencyCode);

        return idempotent.WriteAsync(call.CallerId, call.Method, call.Request, call.RequestId, tx =>
        {
            var now = Now();
            var merchant = MerchantInserts.NewMerchant(ids.Next(now), regencyCode, draft, now, RegisteredReason, eligibleSince);
            if (!MerchantInserts.TryInsert(tx, merchant)) throw MerchantInserts.Conflict(tx, merchant);
            MerchantInserts.InsertStatusChange(tx, merchant.Id, merchant.Status, merchant.StatusReason, eligibleSince ?? now, call.CallerId);
            return respond(merchant);
        }, cancellationToken);
    }

    /// <summary>One merchant of the regency.</summary>
    public async Task<Merchant> GetAsync(string regencyCode, string merchantId, CancellationToken cancellationToken)
    {
        var checks = new FieldChecks();
        RegencyDirectory.CheckCode(regencyCode, checks);
        MerchantRules.CheckMerchantId(merchantId, checks);
        checks.ThrowIfAny();
        directory.RequireServed(regencyCode);

        return await db.Merchants.AsNoTracking()
                   .FirstOrDefaultAsync(m => m.Id == merchantId && m.RegencyCode == regencyCode, cancellationToken)
               ?? throw NotFound(regencyCode, merchantId);
    }

    /// <summary>
    /// A page of the regency's merchants matching <paramref name="filter"/>, in id order (which is
    /// registration order), continuing after the key held by <paramref name="pageToken"/>.
    /// </summary>
    public async Task<MerchantPage> ListAsync(string regencyCode, MerchantFilter filter, int pageSize, string pageToken,
        CancellationToken cancellationToken)
    {
        var checks = new FieldChecks();
        RegencyDirectory.CheckCode(regencyCode, checks);
        if (filter.KecamatanCode is not null)
            MerchantRules.CheckKecamatan(filter.KecamatanCode, regencyCode, directory, "kecamatan_code", checks, required: false);
        if (filter.Category is { } category) checks.RequireEnum(category, "category");
        if (filter.Scale is { } scale) checks.RequireEnum(scale, "scale");
        if (filter.Status is { } status) checks.RequireEnum(status, "status");
        var size = PageToken.Size(pageSize, checks, DefaultPageSize, MaxPageSize);
        var fingerprint = $"merchants|{regencyCode}|{filter.KecamatanCode}|{(int?)filter.Category}|{(int?)filter.Scale}|{(int?)filter.Status}";
        var after = PageToken.Decode(pageToken, fingerprint, checks);
        checks.ThrowIfAny();
        directory.RequireServed(regencyCode);

        var query = db.Merchants.AsNoTracking().Where(m => m.RegencyCode == regencyCode);
        if (filter.KecamatanCode is { } kecamatan) query = query.Where(m => m.KecamatanCode == kecamatan);
        if (filter.Category is { } c) query = query.Where(m => m.Category == c);
        if (filter.Scale is { } s) query = query.Where(m => m.Scale == s);
        if (filter.Status is { } st) query = query.Where(m => m.Status == st);
        if (after is not null) query = query.Where(m => string.Compare(m.Id, after) > 0);

        var rows = await query.OrderBy(m => m.Id).Take(size + 1).ToListAsync(cancellationToken);
        if (rows.Count <= size) return new MerchantPage(rows, "");
        rows.RemoveAt(size);
        return new MerchantPage(rows, PageToken.Encode(rows[^1].Id, fingerprint));
    }

    /// <summary>
    /// Changes the draft fields named by <paramref name="paths"/> (an update mask: at least one path, each a
    /// field of <see cref="MerchantDraft"/>). Only the named fields are checked and changed; a named optional
    /// field left empty (nib, qris_nmid, location) is cleared. A change of category or scale keeps the earlier values
    /// (<see cref="MerchantAttributeChange"/>): months already closed go on counting with them, and
    /// <paramref name="respond"/> is told which closed months have purchases at the merchant (<see cref="Payroll.ClosedMonths"/>).
    /// </summary>
    public Task<TResponse> UpdateAsync<TRequest, TResponse>(IdempotentCall<TRequest> call, string regencyCode, string merchantId,
        MerchantDraft draft, IReadOnlyList<string> paths, Func<Merchant, IReadOnlyList<Period>, TResponse> respond, CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>, new()
    {
        var checks = new FieldChecks();
        RequestIds.Check(call.RequestId, checks);
        RegencyDirectory.CheckCode(regencyCode, checks);
        MerchantRules.CheckMerchantId(merchantId, checks);
        if (paths.Count == 0)
            checks.Add("update_mask", "FIELD_REQUIRED",
                $"must name at least one field of merchant to change: {string.Join(", ", MerchantDraft.Fields.All)}");
        foreach (var path in paths.Where(p => !UpdatableFields.Contains(p)).Distinct())
            checks.Add("update_mask", "UPDATE_MASK_PATH_UNKNOWN",
                $"'{path}' is not a field of merchant; use some of: {string.Join(", ", MerchantDraft.Fields.All)}");
        var fields = paths.Where(UpdatableFields.Contains).ToHashSet(StringComparer.Ordinal);
        MerchantRules.CheckDraft(draft, regencyCode, directory, checks, "merchant.", fields);
        checks.ThrowIfAny();
        directory.RequireServed(regencyCode);

        return idempotent.WriteAsync(call.CallerId, call.Method, call.Request, call.RequestId, tx =>
        {
            var merchant = Load(tx, regencyCode, merchantId);
            var (categoryBefore, scaleBefore) = (merchant.Category, merchant.Scale);
            Apply(merchant, draft, fields);
            merchant.UpdatedAt = Now();
            IReadOnlyList<Period> closedMonthsTouched = [];
            if (merchant.Category != categoryBefore || merchant.Scale != scaleBefore)
            {
                tx.Db.MerchantAttributeChanges.Add(new MerchantAttributeChange
                {
                    MerchantId = merchant.Id, CategoryBefore = categoryBefore, ScaleBefore = scaleBefore, ChangedAt = merchant.UpdatedAt,
                    ChangedBy = call.CallerId,
                });
                closedMonthsTouched = Payroll.ClosedMonths.WithPurchasesAt(tx, regencyCode, merchant.Id);
                Payroll.ClosedMonths.Audit(tx, audit, call.CallerId, call.Method, call.RequestId, regencyCode, closedMonthsTouched,
                    $"merchant {merchant.Id}: category or scale changed");
            }
            try
            {
                tx.Db.SaveChanges();
            }
            catch (DbUpdateException ex) when (StoreDialect.IsUniqueViolation(ex))
            {
                throw MerchantInserts.Conflict(tx, merchant);
            }
            return respond(merchant, closedMonthsTouched);
        }, cancellationToken);
    }

    /// <summary>PENDING_VERIFICATION → ACTIVE, with a reason.</summary>
    public Task<TResponse> VerifyAsync<TRequest, TResponse>(IdempotentCall<TRequest> call, string regencyCode, string merchantId,
        string reason, Func<Merchant, TResponse> respond, CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>, new() =>
        ChangeStatusAsync(call, regencyCode, merchantId, reason, MerchantStatus.PendingVerification, MerchantStatus.Active,
            "MERCHANT_NOT_PENDING", "only a merchant pending verification can be verified", respond, cancellationToken);

    /// <summary>ACTIVE → SUSPENDED, with a reason.</summary>
    public Task<TResponse> SuspendAsync<TRequest, TResponse>(IdempotentCall<TRequest> call, string regencyCode, string merchantId,
        string reason, Func<Merchant, TResponse> respond, CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>, new() =>
        ChangeStatusAsync(call, regencyCode, merchantId, reason, MerchantStatus.Active, MerchantStatus.Suspended,
            "MERCHANT_NOT_ACTIVE", "only an active merchant can be suspended", respond, cancellationToken);

    /// <summary>SUSPENDED → ACTIVE, with a reason.</summary>
    public Task<TResponse> ReinstateAsync<TRequest, TResponse>(IdempotentCall<TRequest> call, string regencyCode, string merchantId,
        string reason, Func<Merchant, TResponse> respond, CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>, new() =>
        ChangeStatusAsync(call, regencyCode, merchantId, reason, MerchantStatus.Suspended, MerchantStatus.Active,
            "MERCHANT_NOT_SUSPENDED", "only a suspended merchant can be reinstated", respond, cancellationToken);

    private Task<TResponse> ChangeStatusAsync<TRequest, TResponse>(IdempotentCall<TRequest> call, string regencyCode, string merchantId,
        string reason, MerchantStatus from, MerchantStatus to, string wrongStateReason, string wrongStateMessage,
        Func<Merchant, TResponse> respond, CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>, new()
    {
        var checks = new FieldChecks();
        RequestIds.Check(call.RequestId, checks);
        RegencyDirectory.CheckCode(regencyCode, checks);
        MerchantRules.CheckMerchantId(merchantId, checks);
        MerchantRules.CheckReason(reason, checks);
        checks.ThrowIfAny();
        directory.RequireServed(regencyCode);

        return idempotent.WriteAsync(call.CallerId, call.Method, call.Request, call.RequestId, tx =>
        {
            var merchant = Load(tx, regencyCode, merchantId);
            if (merchant.Status != from)
            {
                throw HubException.FailedPrecondition(wrongStateReason,
                    $"merchant '{merchantId}' is {Describe(merchant.Status)}: {wrongStateMessage}");
            }
            var now = Now();
            var trimmed = reason.Trim();
            merchant.Status = to;
            merchant.StatusReason = trimmed;
            merchant.UpdatedAt = now;
            tx.Db.MerchantStatusChanges.Add(new MerchantStatusChange
            {
                MerchantId = merchant.Id, Status = to, Reason = trimmed, EffectiveAt = now, ChangedBy = call.CallerId,
            });
            tx.Db.SaveChanges();
            return respond(merchant);
        }, cancellationToken);
    }

    private static Merchant Load(WriteTransaction tx, string regencyCode, string merchantId) =>
        tx.Db.Merchants.FirstOrDefault(m => m.Id == merchantId && m.RegencyCode == regencyCode)
        ?? throw NotFound(regencyCode, merchantId);

    private static void Apply(Merchant merchant, MerchantDraft draft, IReadOnlySet<string> fields)
    {
        if (fields.Contains(MerchantDraft.Fields.Name)) merchant.Name = draft.Name.Trim();
        if (fields.Contains(MerchantDraft.Fields.OwnerName)) merchant.OwnerName = draft.OwnerName.Trim();
        if (fields.Contains(MerchantDraft.Fields.OwnerNik)) merchant.OwnerNik = draft.OwnerNik;
        if (fields.Contains(MerchantDraft.Fields.Nib)) merchant.Nib = draft.Nib.Length == 0 ? null : draft.Nib;
        if (fields.Contains(MerchantDraft.Fields.Category)) merchant.Category = draft.Category;
        if (fields.Contains(MerchantDraft.Fields.Scale)) merchant.Scale = draft.Scale;
        if (fields.Contains(MerchantDraft.Fields.KecamatanCode)) merchant.KecamatanCode = draft.KecamatanCode;
        if (fields.Contains(MerchantDraft.Fields.Address)) merchant.Address = draft.Address.Trim();
        if (fields.Contains(MerchantDraft.Fields.Location))
        {
            merchant.Latitude = draft.Location?.Latitude;
            merchant.Longitude = draft.Location?.Longitude;
        }
        if (fields.Contains(MerchantDraft.Fields.QrisNmid)) merchant.QrisNmid = draft.QrisNmid.Length == 0 ? null : draft.QrisNmid;
    }

    /// <summary>NOT_FOUND MERCHANT_NOT_FOUND (also for a merchant of another regency).</summary>
    public static HubException NotFound(string regencyCode, string merchantId) =>
        HubException.NotFound(MerchantNotFound, $"merchant '{merchantId}' does not exist in regency {regencyCode}");

    private static string Describe(MerchantStatus status) => status switch
    {
        MerchantStatus.PendingVerification => "pending verification",
        MerchantStatus.Active => "active",
        MerchantStatus.Suspended => "suspended",
        _ => status.ToString(),
    };

    /// <summary>The hub's time, at the millisecond precision the database keeps.</summary>
    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(clock.GetUtcNow().ToUnixTimeMilliseconds());
}
