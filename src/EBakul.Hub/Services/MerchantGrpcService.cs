using EBakul.Hub.Access;
using EBakul.Hub.Errors;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Model = EBakul.Hub.Domain.Merchants;
using Proto = EBakul.Merchants.V1;

namespace EBakul.Hub.Services;

/// <summary>
/// gRPC face of the merchant registry: translates <c>ebakul.merchants.v1</c> messages to and from
/// <see cref="Model.MerchantRegistry"/>, <see cref="Model.MerchantImport"/> and <see cref="Model.NearbySearch"/>.
/// The owner's NIK goes in, and comes out only in <see cref="GetMerchant"/> to a caller with the
/// <c>merchants.personal_data</c> scope: <see cref="ToProto"/> reports only whether one is on file.
/// </summary>
public sealed class MerchantGrpcService(Model.MerchantRegistry registry, Model.MerchantImport import, Model.NearbySearch nearby)
    : Proto.MerchantService.MerchantServiceBase
{
    /// <inheritdoc />
    public override Task<Proto.RegisterMerchantResponse> RegisterMerchant(Proto.RegisterMerchantRequest request, ServerCallContext context) =>
        registry.RegisterAsync(Call(request, request.RequestId, context), request.RegencyCode, ToDomain(request.Merchant),
            EligibleSince(request.EligibleSince, context), m => new Proto.RegisterMerchantResponse { Merchant = ToProto(m) }, context.CancellationToken);

    /// <inheritdoc />
    public override async Task<Proto.GetMerchantResponse> GetMerchant(Proto.GetMerchantRequest request, ServerCallContext context)
    {
        var merchant = await registry.GetAsync(request.RegencyCode, request.MerchantId, context.CancellationToken);
        var response = new Proto.GetMerchantResponse { Merchant = ToProto(merchant) };
        if (CallerIdentity.Of(context).Has(Scopes.MerchantsPersonalData)) response.Merchant.OwnerNik = merchant.OwnerNik;
        return response;
    }

    /// <inheritdoc />
    public override async Task<Proto.ListMerchantsResponse> ListMerchants(Proto.ListMerchantsRequest request, ServerCallContext context)
    {
        var filter = new Model.MerchantFilter(
            KecamatanCode: request.KecamatanCode.Length == 0 ? null : request.KecamatanCode,
            Category: request.Category == Proto.MerchantCategory.Unspecified ? null : (Model.MerchantCategory)request.Category,
            Scale: request.Scale == Proto.MerchantScale.Unspecified ? null : (Model.MerchantScale)request.Scale,
            Status: request.Status == Proto.MerchantStatus.Unspecified ? null : (Model.MerchantStatus)request.Status);
        var page = await registry.ListAsync(request.RegencyCode, filter, request.PageSize, request.PageToken, context.CancellationToken);
        var response = new Proto.ListMerchantsResponse { NextPageToken = page.NextPageToken };
        response.Merchants.AddRange(page.Merchants.Select(ToProto));
        return response;
    }

    /// <inheritdoc />
    public override Task<Proto.UpdateMerchantResponse> UpdateMerchant(Proto.UpdateMerchantRequest request, ServerCallContext context) =>
        registry.UpdateAsync(Call(request, request.RequestId, context), request.RegencyCode, request.MerchantId,
            ToDomain(request.Merchant), request.UpdateMask?.Paths ?? (IReadOnlyList<string>)[],
            (m, closedMonthsTouched) => new Proto.UpdateMerchantResponse
            {
                Merchant = ToProto(m), ClosedPeriodsTouched = { closedMonthsTouched.Select(p => p.ToString()) },
            }, context.CancellationToken);

    /// <inheritdoc />
    public override Task<Proto.VerifyMerchantResponse> VerifyMerchant(Proto.VerifyMerchantRequest request, ServerCallContext context) =>
        registry.VerifyAsync(Call(request, request.RequestId, context), request.RegencyCode, request.MerchantId, request.Reason,
            m => new Proto.VerifyMerchantResponse { Merchant = ToProto(m) }, context.CancellationToken);

    /// <inheritdoc />
    public override Task<Proto.SuspendMerchantResponse> SuspendMerchant(Proto.SuspendMerchantRequest request, ServerCallContext context) =>
        registry.SuspendAsync(Call(request, request.RequestId, context), request.RegencyCode, request.MerchantId, request.Reason,
            m => new Proto.SuspendMerchantResponse { Merchant = ToProto(m) }, context.CancellationToken);

    /// <inheritdoc />
    public override Task<Proto.ReinstateMerchantResponse> ReinstateMerchant(Proto.ReinstateMerchantRequest request, ServerCallContext context) =>
        registry.ReinstateAsync(Call(request, request.RequestId, context), request.RegencyCode, request.MerchantId, request.Reason,
            m => new Proto.ReinstateMerchantResponse { Merchant = ToProto(m) }, context.CancellationToken);

    /// <inheritdoc />
    public override Task ImportMerchants(IAsyncStreamReader<Proto.ImportMerchantsRequest> requestStream,
        IServerStreamWriter<Proto.ImportMerchantsResponse> responseStream, ServerCallContext context) =>
        import.ImportAsync(
            requestStream.ReadAllAsync(context.CancellationToken).Select(chunk => new Model.ImportChunk<Proto.ImportMerchantsRequest>(
                Call(chunk, chunk.RequestId, context), chunk.RegencyCode, chunk.Merchants.Select(ToDomain).ToList(),
                EligibleSince(chunk.EligibleSince, context))),
            (chunk, results) => ToImportResponse(chunk.Call.RequestId, results),
            answer => responseStream.WriteAsync(answer, context.CancellationToken),
            context.CancellationToken);

    /// <inheritdoc />
    public override async Task<Proto.ImportMerchantsBatchResponse> ImportMerchantsBatch(Proto.ImportMerchantsBatchRequest request, ServerCallContext context)
    {
        Proto.ImportMerchantsResponse? answered = null;
        await import.ImportAsync(
            OneChunk(new Model.ImportChunk<Proto.ImportMerchantsBatchRequest>(
                Call(request, request.RequestId, context), request.RegencyCode, request.Merchants.Select(ToDomain).ToList())),
            (chunk, results) => ToImportResponse(chunk.Call.RequestId, results),
            answer => { answered = answer; return Task.CompletedTask; },
            context.CancellationToken);
        // Both answers carry the same fields under the same numbers.
        return Proto.ImportMerchantsBatchResponse.Parser.ParseFrom(answered!.ToByteString());
    }

    private static async IAsyncEnumerable<T> OneChunk<T>(T chunk)
    {
        await Task.CompletedTask;
        yield return chunk;
    }

    /// <inheritdoc />
    public override async Task<Proto.SearchNearbyMerchantsResponse> SearchNearbyMerchants(Proto.SearchNearbyMerchantsRequest request, ServerCallContext context)
    {
        var query = new Model.NearbyQuery(
            RegencyCode: request.RegencyCode,
            Point: request.OriginCase == Proto.SearchNearbyMerchantsRequest.OriginOneofCase.Point ? ToDomain(request.Point) : null,
            KecamatanCode: request.OriginCase == Proto.SearchNearbyMerchantsRequest.OriginOneofCase.KecamatanCode ? request.KecamatanCode : null,
            RadiusMeters: request.RadiusMeters,
            Category: request.Category == Proto.MerchantCategory.Unspecified ? null : (Model.MerchantCategory)request.Category,
            PageSize: request.PageSize);
        var found = await nearby.SearchAsync(query, context.CancellationToken);
        var response = new Proto.SearchNearbyMerchantsResponse();
        response.Merchants.AddRange(found.Select(n => new Proto.NearbyMerchant { Merchant = ToProto(n.Merchant), DistanceMeters = n.DistanceMeters }));
        return response;
    }

    /// <summary>
    /// A merchant registered as already eligible is a verification: it needs the merchants.verify scope
    /// (PERMISSION_DENIED <c>ELIGIBLE_SINCE_NEEDS_VERIFY_SCOPE</c>). INVALID_ARGUMENT for a timestamp out of range.
    /// </summary>
    private static DateTimeOffset? EligibleSince(Timestamp? since, ServerCallContext context)
    {
        if (since is null) return null;
        if (!CallerIdentity.Of(context).Has(Scopes.MerchantsVerify))
            throw HubException.PermissionDenied("ELIGIBLE_SINCE_NEEDS_VERIFY_SCOPE",
                $"registering a merchant as eligible since an earlier moment verifies it: it needs the {Scopes.MerchantsVerify} scope");
        var checks = new FieldChecks();
        var value = checks.Timestamp(since, "eligible_since");
        checks.ThrowIfAny();
        return DateTimeOffset.FromUnixTimeMilliseconds(value!.Value.ToUnixTimeMilliseconds());
    }

    private static Model.IdempotentCall<TRequest> Call<TRequest>(TRequest request, string requestId, ServerCallContext context)
        where TRequest : Google.Protobuf.IMessage<TRequest> =>
        new(CallerIdentity.Of(context).Id, context.Method, request, requestId);

    private static Model.MerchantDraft ToDomain(Proto.MerchantDraft? draft) => draft is null ? new Model.MerchantDraft() : new Model.MerchantDraft
    {
        Name = draft.Name,
        OwnerName = draft.OwnerName,
        OwnerNik = draft.OwnerNik,
        Nib = draft.Nib,
        Category = (Model.MerchantCategory)draft.Category,
        Scale = (Model.MerchantScale)draft.Scale,
        KecamatanCode = draft.KecamatanCode,
        Address = draft.Address,
        Location = draft.Location is null ? null : ToDomain(draft.Location),
        QrisNmid = draft.QrisNmid,
    };

    private static Model.Coordinates ToDomain(Proto.GeoPoint point) =>
        new(point.HasLatitude ? point.Latitude : null, point.HasLongitude ? point.Longitude : null);

    /// <summary>A merchant on the wire: everything but the owner's NIK, of which only its presence is told.</summary>
    public static Proto.Merchant ToProto(Model.Merchant merchant)
    {
        var proto = new Proto.Merchant
        {
            MerchantId = merchant.Id,
            RegencyCode = merchant.RegencyCode,
            Name = merchant.Name,
            OwnerName = merchant.OwnerName,
            Nib = merchant.Nib ?? "",
            Category = (Proto.MerchantCategory)merchant.Category,
            Scale = (Proto.MerchantScale)merchant.Scale,
            KecamatanCode = merchant.KecamatanCode,
            Address = merchant.Address,
            QrisNmid = merchant.QrisNmid ?? "",
            Status = (Proto.MerchantStatus)merchant.Status,
            StatusReason = merchant.StatusReason,
            CreateTime = Timestamp.FromDateTimeOffset(merchant.CreatedAt),
            UpdateTime = Timestamp.FromDateTimeOffset(merchant.UpdatedAt),
            HasOwnerNik = !string.IsNullOrEmpty(merchant.OwnerNik),
        };
        if (merchant is { Latitude: { } latitude, Longitude: { } longitude })
            proto.Location = new Proto.GeoPoint { Latitude = latitude, Longitude = longitude };
        return proto;
    }

    private static Proto.ImportMerchantsResponse ToImportResponse(string requestId, IReadOnlyList<Model.ImportRowResult> results)
    {
        var response = new Proto.ImportMerchantsResponse { RequestId = requestId };
        foreach (var r in results)
        {
            response.Results.Add(r.Accepted
                ? new Proto.ImportMerchantResult { Index = r.Index, Outcome = Proto.ImportOutcome.Accepted, MerchantId = r.MerchantId }
                : new Proto.ImportMerchantResult
                {
                    Index = r.Index, Outcome = Proto.ImportOutcome.Rejected,
                    Reason = r.Reason ?? "", Field = r.Field ?? "", Description = r.Description ?? "",
                });
        }
        response.AcceptedCount = results.Count(r => r.Accepted);
        response.RejectedCount = results.Count - response.AcceptedCount;
        return response;
    }
}
