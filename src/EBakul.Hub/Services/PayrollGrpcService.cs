using System.Globalization;
using EBakul.Hub.Access;
using EBakul.Hub.Data;
using EBakul.Hub.Domain;
using EBakul.Hub.Domain.Payroll;
using EBakul.Hub.Domain.Regions;
using EBakul.Hub.Errors;
using EBakul.Hub.EtppPush;
using EBakul.Hub.Paging;
using EBakul.Payroll.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using DomainDeliveryState = EBakul.Hub.Domain.Payroll.DeliveryState;
using DomainPeriodState = EBakul.Hub.Domain.Payroll.PeriodState;

namespace EBakul.Hub.Services;

/// <summary>gRPC face of <see cref="PeriodClosing"/>, <see cref="AdjustmentReads"/> and <see cref="Acknowledgements"/>.</summary>
public sealed class PayrollGrpcService(
    PeriodClosing closing, Acknowledgements acknowledgements, AdjustmentAppendSignal appended,
    IdempotentWrites idempotent, RegencyDirectory regencies, HubDbContext db, EmployeeStatements statements,
    AdjustmentDisputes disputes, DisputeRules disputeRules, TimeProvider clock, IOptions<DatabaseOptions> database, IOptions<PayrollOptions> payroll)
    : PayrollService.PayrollServiceBase
{
    /// <summary>Most acknowledgements in one call.</summary>
    public const int MaxAcknowledgements = 1000;

    private const int StreamReadSize = 500;

    /// <inheritdoc />
    public override async Task<ClosePeriodResponse> ClosePeriod(ClosePeriodRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        if (!request.ValidateOnly) RequestIds.Check(request.RequestId, checks);
        if (request.ConfirmIncomplete) checks.RequireText(request.ConfirmReason, "confirm_reason", 500);
        else checks.Check(request.ConfirmReason.Length == 0, "confirm_reason", "CONFIRMATION_NOT_ASKED",
            "is given only with confirm_incomplete = true");
        var period = CheckRegencyAndPeriod(request.RegencyCode, request.Period, checks);
        var caller = CallerIdentity.Of(context);
        if (request.ValidateOnly)
        {
            var (current, preview) = await closing.PreviewAsync(request.RegencyCode, period, context.CancellationToken);
            return new ClosePeriodResponse { Period = ToProto(current, period), AdjustmentsCreated = preview.Adjustments, Preview = ToProto(preview) };
        }
        // A close runs in several writes, so its request id is looked up before and its answer kept after: a retry (even
        // after a correction was opened) gets the first answer, and the id cannot close another month.
        if (await idempotent.ReplayAsync<ClosePeriodRequest, ClosePeriodResponse>(caller.Id, context.Method, request, request.RequestId, context.CancellationToken) is { } replay)
            return replay;
        var (state, created, figures) = await closing.CloseAsync(request.RegencyCode, period, caller, request.RequestId, context.CancellationToken,
            request.ConfirmIncomplete ? request.ConfirmReason : null);
        return await idempotent.KeepFirstAsync(caller.Id, context.Method, request, request.RequestId,
            new ClosePeriodResponse { Period = ToProto(state, period), AdjustmentsCreated = created, Preview = created > 0 || figures.Total.Employees > 0 ? ToProto(figures) : null },
            context.CancellationToken);
    }

    /// <inheritdoc />
    public override async Task<GetPeriodResponse> GetPeriod(GetPeriodRequest request, ServerCallContext context)
    {
        var period = CheckRegencyAndPeriod(request.RegencyCode, request.Period, new FieldChecks());
        var state = await PeriodClosing.GetAsync(db, request.RegencyCode, period, context.CancellationToken);
        return new GetPeriodResponse { Period = ToProto(state, period) };
    }

    /// <inheritdoc />
    public override async Task<OpenCorrectionResponse> OpenCorrection(OpenCorrectionRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RequestIds.Check(request.RequestId, checks);
        checks.RequireText(request.Reason, "reason", 500);
        var period = CheckRegencyAndPeriod(request.RegencyCode, request.Period, checks);
        var caller = CallerIdentity.Of(context);
        return await idempotent.WriteAsync(caller.Id, context.Method, request, request.RequestId,
            tx => new OpenCorrectionResponse { Period = ToProto(closing.OpenCorrection(tx, request.RegencyCode, period, request.Reason, caller), period) },
            context.CancellationToken);
    }

    /// <inheritdoc />
    public override async Task<ListAdjustmentsResponse> ListAdjustments(ListAdjustmentsRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        var pageSize = PageToken.Size(request.PageSize, checks, defaultSize: 100);
        var filters = $"{request.RegencyCode}|{request.Period}|{(int)request.DeliveryState}";
        var after = PageToken.DecodeNumber(request.PageToken, filters, checks);
        if (request.DeliveryState != Payroll.V1.DeliveryState.Unspecified) checks.RequireEnum(request.DeliveryState, "delivery_state");
        var period = CheckRegencyAndPeriod(request.RegencyCode, request.Period, checks);

        DomainDeliveryState? state = request.DeliveryState == Payroll.V1.DeliveryState.Unspecified ? null : (DomainDeliveryState)(int)request.DeliveryState;
        var page = await AdjustmentReads.ListAsync(db, request.RegencyCode, period, state, after, pageSize + 1, context.CancellationToken);
        var response = new ListAdjustmentsResponse();
        response.Adjustments.AddRange(page.Take(pageSize).Select(ToProto));
        if (page.Count > pageSize)
            response.NextPageToken = PageToken.Encode(page[pageSize - 1].Adjustment.Sequence.ToString(CultureInfo.InvariantCulture), filters);
        return response;
    }

    /// <inheritdoc />
    public override async Task StreamAdjustments(StreamAdjustmentsRequest request, IServerStreamWriter<StreamAdjustmentsResponse> responseStream, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        var cursor = ParseCursor(request.Cursor, checks);
        checks.ThrowIfAny();
        regencies.RequireServed(request.RegencyCode);

        var cancellationToken = context.CancellationToken;
        while (!cancellationToken.IsCancellationRequested)
        {
            var page = await AdjustmentReads.StreamPageAsync(db, request.RegencyCode, cursor, StreamReadSize, cancellationToken);
            foreach (var view in page)
            {
                cursor = view.Adjustment.Sequence;
                await responseStream.WriteAsync(new StreamAdjustmentsResponse
                {
                    Adjustment = ToProto(view),
                    Cursor = cursor.ToString(CultureInfo.InvariantCulture),
                }, cancellationToken);
            }
            if (page.Count == StreamReadSize) continue;
            if (!request.Follow) return;
            await appended.WaitAsync(database.Value.StreamPollInterval, cancellationToken);
        }
    }

    /// <inheritdoc />
    public override async Task<AcknowledgeAdjustmentsResponse> AcknowledgeAdjustments(AcknowledgeAdjustmentsRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RequestIds.Check(request.RequestId, checks);
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        checks.Check(request.Acknowledgements.Count is > 0 and <= MaxAcknowledgements, "acknowledgements", "BATCH_SIZE_OUT_OF_RANGE",
            $"must hold 1 to {MaxAcknowledgements} acknowledgements");
        for (var i = 0; i < request.Acknowledgements.Count; i++)
        {
            checks.RequireText(request.Acknowledgements[i].IdempotencyKey, $"acknowledgements[{i}].idempotency_key", 100);
            checks.RequireText(request.Acknowledgements[i].EtppReference, $"acknowledgements[{i}].etpp_reference", 100);
        }
        checks.ThrowIfAny();
        regencies.RequireServed(request.RegencyCode);

        var caller = CallerIdentity.Of(context);
        var items = request.Acknowledgements.Select(a => (a.IdempotencyKey, a.EtppReference)).ToList();
        var response = await idempotent.WriteAsync(caller.Id, context.Method, request, request.RequestId, tx =>
        {
            var response = new AcknowledgeAdjustmentsResponse();
            response.Results.AddRange(acknowledgements.Apply(tx, request.RegencyCode, items).Select(r => new Payroll.V1.AcknowledgeResult
            {
                IdempotencyKey = r.Key,
                Outcome = (Payroll.V1.AcknowledgeOutcome)(int)r.Outcome,
                Reason = r.Reason ?? "",
            }));
            return response;
        }, context.CancellationToken);

        // The adjustments are read after the commit so that the answer shows their delivered state.
        foreach (var result in response.Results)
        {
            if (await AdjustmentReads.FindAsync(db, request.RegencyCode, result.IdempotencyKey, context.CancellationToken) is { } view)
                result.Adjustment = ToProto(view);
        }
        return response;
    }

    /// <inheritdoc />
    public override async Task<ListAdjustmentDeliveriesResponse> ListAdjustmentDeliveries(ListAdjustmentDeliveriesRequest request, ServerCallContext context)
    {
        var list = await ListAdjustments(new ListAdjustmentsRequest
        {
            RegencyCode = request.RegencyCode, Period = request.Period, DeliveryState = request.DeliveryState,
            PageSize = request.PageSize, PageToken = request.PageToken,
        }, context);
        return new ListAdjustmentDeliveriesResponse { Adjustments = { list.Adjustments }, NextPageToken = list.NextPageToken };
    }

    /// <inheritdoc />
    public override async Task<RequeueAdjustmentResponse> RequeueAdjustment(RequeueAdjustmentRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RequestIds.Check(request.RequestId, checks);
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        checks.RequireText(request.IdempotencyKey, "idempotency_key", 100);
        checks.RequireText(request.Reason, "reason", 500);
        checks.ThrowIfAny();
        regencies.RequireServed(request.RegencyCode);

        var caller = CallerIdentity.Of(context);
        await idempotent.WriteAsync(caller.Id, context.Method, request, request.RequestId, tx =>
            DeliveryQueue.Requeue(tx, request.RegencyCode, request.IdempotencyKey, request.Reason)
                ? new RequeueAdjustmentResponse()
                : throw HubException.NotFound("ADJUSTMENT_NOT_FOUND", $"no adjustment {request.IdempotencyKey} in regency {request.RegencyCode}"),
            context.CancellationToken);
        var view = await AdjustmentReads.FindAsync(db, request.RegencyCode, request.IdempotencyKey, context.CancellationToken);
        return new RequeueAdjustmentResponse { Adjustment = ToProto(view!) };
    }

    /// <inheritdoc />
    public override async Task<GetEmployeeStatementResponse> GetEmployeeStatement(GetEmployeeStatementRequest request, ServerCallContext context)
    {
        var statement = await StatementAsync(request.RegencyCode, request.Nip, request.Period, context);
        var proto = new EBakul.Payroll.V1.EmployeeStatement
        {
            RegencyCode = statement.RegencyCode,
            Nip = statement.Nip,
            OfficeCode = statement.OfficeCode,
            Period = statement.Period.ToString(),
            PeriodStatus = (EBakul.Payroll.V1.PeriodStatus)(int)statement.PeriodStatus,
            Policy = QuotaGrpcService.ToProto(statement.Detail.Policy, statement.PolicyState),
            PolicyRule = StatementDocument.PolicyRule(statement.Detail.Policy),
            Evaluation = QuotaGrpcService.ToProto(statement.Detail.Evaluation),
            CreateTime = Timestamp.FromDateTimeOffset(statement.CreatedAt),
        };
        proto.Merchants.AddRange(statement.Detail.Merchants.Select(QuotaGrpcService.ToProto));
        proto.Purchases.AddRange(statement.Detail.Purchases.Select(p => new StatementPurchase
        {
            PurchaseId = p.PurchaseId,
            MerchantId = p.MerchantId,
            MerchantName = p.MerchantName,
            OccurTime = Timestamp.FromDateTimeOffset(p.OccurredAt),
            AmountRupiah = p.AmountRupiah,
            CountedRupiah = p.CountedRupiah,
            Reason = p.Reason is { } reason ? (Quota.V1.UncountedReason)reason : Quota.V1.UncountedReason.Unspecified,
            Explanation = p.Explanation,
            ReceiptReference = p.ReceiptReference,
        }));
        proto.Adjustments.AddRange(statement.Adjustments.Select(ToProto));
        return new GetEmployeeStatementResponse { Statement = proto };
    }

    /// <inheritdoc />
    public override async Task<Google.Api.HttpBody> PrintEmployeeStatement(PrintEmployeeStatementRequest request, ServerCallContext context)
    {
        var statement = await StatementAsync(request.RegencyCode, request.Nip, request.Period, context);
        return new Google.Api.HttpBody
        {
            ContentType = StatementDocument.ContentType,
            Data = Google.Protobuf.ByteString.CopyFrom(StatementDocument.Render(statement)),
        };
    }

    /// <inheritdoc />
    public override async Task<FileDisputeResponse> FileDispute(FileDisputeRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RequestIds.Check(request.RequestId, checks);
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        checks.RequireText(request.AdjustmentKey, "adjustment_key", 100);
        checks.RequireEnum(request.Reason, "reason");
        checks.RequireText(request.Text, "text", AdjustmentDisputes.MaxTextLength);
        checks.Check(request.EvidenceReferences.Count <= AdjustmentDisputes.MaxEvidenceReferences, "evidence_references", "TOO_MANY",
            $"at most {AdjustmentDisputes.MaxEvidenceReferences} references");
        for (var i = 0; i < request.EvidenceReferences.Count; i++)
            checks.RequireText(request.EvidenceReferences[i], $"evidence_references[{i}]", 100);
        checks.ThrowIfAny();
        regencies.RequireServed(request.RegencyCode);

        var caller = CallerIdentity.Of(context);
        return await idempotent.WriteAsync(caller.Id, context.Method, request, request.RequestId,
            tx => new FileDisputeResponse
            {
                Dispute = ToProto(disputes.File(tx, request.RegencyCode, request.AdjustmentKey, (Domain.Payroll.DisputeReason)(int)request.Reason,
                    request.Text.Trim(), [.. request.EvidenceReferences.Select(r => r.Trim())], caller)),
            },
            context.CancellationToken);
    }

    /// <inheritdoc />
    public override async Task<ResolveDisputeResponse> ResolveDispute(ResolveDisputeRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RequestIds.Check(request.RequestId, checks);
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        checks.RequireText(request.DisputeId, "dispute_id", 64);
        checks.RequireEnum(request.Decision, "decision");
        checks.RequireText(request.Text, "text", AdjustmentDisputes.MaxTextLength);
        checks.ThrowIfAny();
        regencies.RequireServed(request.RegencyCode);

        var caller = CallerIdentity.Of(context);
        return await idempotent.WriteAsync(caller.Id, context.Method, request, request.RequestId,
            tx => new ResolveDisputeResponse
            {
                Dispute = ToProto(disputes.Resolve(tx, request.RegencyCode, request.DisputeId, (Domain.Payroll.DisputeDecision)(int)request.Decision,
                    request.Text.Trim(), caller)),
            },
            context.CancellationToken);
    }

    /// <inheritdoc />
    public override async Task<GetDisputeResponse> GetDispute(GetDisputeRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        checks.RequireText(request.DisputeId, "dispute_id", 64);
        checks.ThrowIfAny();
        regencies.RequireServed(request.RegencyCode);
        var dispute = await disputes.GetAsync(request.RegencyCode, request.DisputeId, CallerIdentity.Of(context), context.CancellationToken);
        return new GetDisputeResponse { Dispute = ToProto(dispute) };
    }

    /// <inheritdoc />
    public override async Task<ListDisputesResponse> ListDisputes(ListDisputesRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        var pageSize = PageToken.Size(request.PageSize, checks, defaultSize: 100);
        var filters = $"disputes|{request.RegencyCode}|{request.Period}";
        var after = PageToken.Decode(request.PageToken, filters, checks) ?? "";
        var period = CheckRegencyAndPeriod(request.RegencyCode, request.Period, checks);
        var caller = CallerIdentity.Of(context);
        var page = await disputes.ListAsync(request.RegencyCode, period, caller.IsOfficeBound ? caller.OfficeCode : null, after, pageSize + 1,
            context.CancellationToken);
        var response = new ListDisputesResponse();
        response.Disputes.AddRange(page.Take(pageSize).Select(ToProto));
        if (page.Count > pageSize) response.NextPageToken = PageToken.Encode(page[pageSize - 1].Id, filters);
        return response;
    }

    private Dispute ToProto(AdjustmentDispute dispute)
    {
        var proto = new Dispute
        {
            DisputeId = dispute.Id,
            RegencyCode = dispute.RegencyCode,
            AdjustmentKey = dispute.AdjustmentKey,
            Nip = dispute.Nip,
            OfficeCode = dispute.OfficeCode,
            Period = Period.FromKey(dispute.PeriodKey).ToString(),
            Reason = (Payroll.V1.DisputeReason)(int)dispute.Reason,
            Text = dispute.Text,
            State = (Payroll.V1.DisputeState)(int)disputeRules.StateOf(dispute, clock.GetUtcNow()),
            FiledBy = dispute.FiledBy,
            FileTime = Timestamp.FromDateTimeOffset(dispute.FiledAt),
            CutoffTime = Timestamp.FromDateTimeOffset(dispute.CutoffAt),
            ResolvedBy = dispute.ResolvedBy ?? "",
            ResolveTime = dispute.ResolvedAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
            ResolutionText = dispute.ResolutionText ?? "",
        };
        if (dispute.EvidenceReferences.Length > 0) proto.EvidenceReferences.AddRange(dispute.EvidenceReferences.Split('\n'));
        return proto;
    }

    /// <summary>Checks the request and makes the statement.</summary>
    private async Task<Domain.Payroll.EmployeeStatement> StatementAsync(string regencyCode, string nip, string periodText, ServerCallContext context)
    {
        var checks = new FieldChecks();
        Domain.Roster.Nip.Check(nip, checks);
        var period = CheckRegencyAndPeriod(regencyCode, periodText, checks);
        return await statements.GetAsync(regencyCode, nip, period, CallerIdentity.Of(context), context.CancellationToken);
    }

    private Period CheckRegencyAndPeriod(string regencyCode, string periodText, FieldChecks checks)
    {
        RegencyDirectory.CheckCode(regencyCode, checks);
        var period = Period.Require(periodText, "period", checks);
        checks.ThrowIfAny();
        regencies.RequireServed(regencyCode);
        return period;
    }

    private static long ParseCursor(string cursor, FieldChecks checks)
    {
        if (cursor.Length == 0) return 0;
        if (long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var value)) return value;
        checks.Add("cursor", "CURSOR_INVALID", "is not one issued by this service");
        return 0;
    }

    private Payroll.V1.PeriodState ToProto(DomainPeriodState state, Period period) => new()
    {
        RegencyCode = state.RegencyCode,
        Period = period.ToString(),
        Status = (Payroll.V1.PeriodStatus)(int)state.Status,
        Revision = state.Revision,
        CloseTime = state.ClosedAt is { } closed ? Timestamp.FromDateTimeOffset(closed) : null,
        ClosedBy = state.ClosedBy ?? "",
        ClosableFrom = Timestamp.FromDateTimeOffset(closing.ClosableFrom(period)),
        CorrectionReason = state.CorrectionReason ?? "",
        Totals = new PeriodTotals
        {
            Employees = state.Employees,
            Exempt = state.Exempt,
            NoTpp = state.NoTpp,
            Compliant = state.Compliant,
            NonCompliant = state.NonCompliant,
            RequiredRupiah = state.RequiredRupiah,
            CountedRupiah = state.CountedRupiah,
            ShortfallRupiah = state.ShortfallRupiah,
            TppCorrectionRupiah = state.TppCorrectionRupiah,
        },
    };

    private Payroll.V1.ClosePreview ToProto(Domain.Payroll.ClosePreview preview)
    {
        static CloseFigures Figures(Domain.Payroll.ClosePreview.Office o) => new()
        {
            Employees = o.Employees, Obliged = o.Obliged, ObligedWithPurchases = o.ObligedWithPurchases,
            Adjustments = o.Adjustments, CorrectionRupiah = o.CorrectionRupiah,
        };
        return new Payroll.V1.ClosePreview
        {
            Total = Figures(preview.Total),
            Offices = { preview.Offices.Select(o => new OfficeCloseFigures { OfficeCode = o.Key, Figures = Figures(o.Value) }) },
            PurchasesRecorded = preview.HasPurchases,
            PreviousPeriod = preview.PreviousPeriod?.ToString() ?? "",
            PreviousObliged = preview.PreviousObliged,
            PreviousObligedWithPurchases = preview.PreviousObligedWithPurchases,
            LooksIncomplete = preview.LooksIncomplete(payroll.Value.CloseGuard) ?? "",
        };
    }

    private Adjustment ToProto(AdjustmentView view)
    {
        var (a, d) = (view.Adjustment, view.Delivery);
        return new Adjustment
        {
            AdjustmentId = a.Id,
            IdempotencyKey = a.IdempotencyKey,
            RegencyCode = a.RegencyCode,
            Nip = a.Nip,
            OfficeCode = a.OfficeCode,
            Period = Period.FromKey(a.PeriodKey).ToString(),
            Revision = a.Revision,
            PolicyVersion = a.PolicyVersion,
            RequiredRupiah = a.RequiredRupiah,
            CountedRupiah = a.CountedRupiah,
            ShortfallRupiah = a.ShortfallRupiah,
            Sanction = (Sanction)a.Sanction,
            TppCorrectionRupiah = a.TppCorrectionRupiah,
            TppCeilingRupiah = a.TppCeilingRupiah,
            SupersedesKey = a.SupersedesKey ?? "",
            SupersededByKey = view.SupersededByKey ?? "",
            InForce = view.SupersededByKey is null,
            CreateTime = Timestamp.FromDateTimeOffset(a.CreatedAt),
            DeliveryState = (Payroll.V1.DeliveryState)(int)d.State,
            EtppReference = d.EtppReference ?? "",
            DeliverTime = d.DeliveredAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
            Sequence = a.Sequence,
            DeliveryAttempts = d.Attempts,
            LastDeliveryError = d.LastError ?? "",
            DeliveredVia = d.DeliveredVia ?? "",
            Held = disputeRules.Holds(a, view.Dispute, clock.GetUtcNow()),
            DisputeId = view.Dispute?.Id ?? "",
        };
    }
}
