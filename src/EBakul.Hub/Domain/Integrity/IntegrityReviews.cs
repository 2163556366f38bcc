using EBakul.Hub.Access;
using EBakul.Hub.Data;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.Domain.Integrity;

/// <summary>
/// Inspectors' reviews of signals (table <c>integrity_reviews</c>): the latest per signal. A review is written through the
/// writer with its audit event (the service's idempotent write); it changes nothing else, least of all an evaluation.
/// </summary>
public sealed class IntegrityReviews(HubDbContext db, TimeProvider clock)
{
    /// <summary>Longest note accepted.</summary>
    public const int MaxNoteLength = 2000;

    /// <summary>Inside a write: records <paramref name="caller"/>'s review of a signal, replacing an earlier one.</summary>
    public IntegrityReview Record(WriteTransaction tx, string regencyCode, Period period, string signalId, ReviewVerdict verdict, string note,
        CallerIdentity caller)
    {
        var review = tx.Db.IntegrityReviews.SingleOrDefault(r => r.RegencyCode == regencyCode && r.PeriodKey == period.Key && r.SignalId == signalId);
        if (review is null)
        {
            review = new IntegrityReview { RegencyCode = regencyCode, PeriodKey = period.Key, SignalId = signalId, Note = note, ReviewedBy = caller.Id };
            tx.Db.IntegrityReviews.Add(review);
        }
        review.Verdict = verdict;
        review.Note = note;
        review.ReviewedBy = caller.Id;
        review.ReviewedAt = clock.GetUtcNow();
        tx.Db.SaveChanges();
        return review;
    }

    /// <summary>The month's reviews by signal id.</summary>
    public Task<Dictionary<string, IntegrityReview>> MonthAsync(string regencyCode, Period period, CancellationToken cancellationToken) =>
        db.IntegrityReviews.AsNoTracking().Where(r => r.RegencyCode == regencyCode && r.PeriodKey == period.Key)
            .ToDictionaryAsync(r => r.SignalId, StringComparer.Ordinal, cancellationToken);
}
