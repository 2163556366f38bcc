using System.Globalization;
using EBakul.Audit.V1;
using EBakul.Hub.Access;
using EBakul.Hub.Data;
using EBakul.Hub.Domain.Regions;
using EBakul.Hub.Errors;
using EBakul.Hub.Paging;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.Services;

/// <summary>
/// gRPC face of the audit trail (<see cref="Audit.AuditTrail"/>). Bound like every read: to the caller's regencies (by the
/// access interceptor) and, for an office system, to its office.
/// </summary>
public sealed class AuditGrpcService(RegencyDirectory regencies, HubDbContext db) : AuditService.AuditServiceBase
{
    /// <inheritdoc />
    public override async Task<ListAuditEventsResponse> ListAuditEvents(ListAuditEventsRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        var pageSize = PageToken.Size(request.PageSize, checks, defaultSize: 100);
        var filters = $"{request.RegencyCode}|{request.CallerId}|{request.Method}";
        var afterSequence = PageToken.DecodeNumber(request.PageToken, filters, checks);
        checks.ThrowIfAny();
        regencies.RequireServed(request.RegencyCode);

        var query = db.AuditEvents.AsNoTracking().Where(e => e.RegencyCode == request.RegencyCode && e.Sequence > afterSequence);
        if (request.CallerId.Length > 0) query = query.Where(e => e.CallerId == request.CallerId);
        if (request.Method.Length > 0) query = query.Where(e => e.Method == request.Method);
        // An office system reads only what its office's systems did (docs/access.md): the trail of the rest of the
        // regency (other offices' purchases, closes, policies) is not the office's to read.
        var caller = CallerIdentity.Of(context);
        if (caller.IsOfficeBound)
            query = query.Where(e => e.CallerId == caller.Id // an issuer's client is in no callers row
                || db.Callers.Any(c => c.Id == e.CallerId && c.Kind == CallerKind.OfficeSystem && c.OfficeCode == caller.OfficeCode));
        var page = await query.OrderBy(e => e.Sequence).Take(pageSize + 1).ToListAsync(context.CancellationToken);

        var response = new ListAuditEventsResponse();
        response.Events.AddRange(page.Take(pageSize).Select(e => new EBakul.Audit.V1.AuditEvent
        {
            Sequence = e.Sequence,
            EventTime = Timestamp.FromDateTimeOffset(e.OccurredAt),
            CallerId = e.CallerId,
            Method = e.Method,
            RequestId = e.RequestId,
            RegencyCode = e.RegencyCode,
            Details = e.Details,
            TraceId = e.TraceId,
            PreviousHash = e.PreviousHash,
            Hash = e.Hash,
        }));
        if (page.Count > pageSize)
            response.NextPageToken = PageToken.Encode(page[pageSize - 1].Sequence.ToString(CultureInfo.InvariantCulture), filters);
        return response;
    }
}
