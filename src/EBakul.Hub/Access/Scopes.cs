using System.Collections.Frozen;

namespace EBakul.Hub.Access;

/// <summary>
/// The scopes a caller can hold and the one each gRPC method needs. A method missing from
/// <see cref="ByMethod"/> is public (health and reflection only); <see cref="AccessInterceptor"/> refuses any
/// other unlisted method, so a new RPC cannot ship unprotected by accident.
/// </summary>
public static class Scopes
{
    /// <summary>Read merchants.</summary>
    public const string MerchantsRead = "merchants.read";
    /// <summary>Register, update and import merchants.</summary>
    public const string MerchantsWrite = "merchants.write";
    /// <summary>Verify, suspend and reinstate merchants (Dinas).</summary>
    public const string MerchantsVerify = "merchants.verify";
    /// <summary>See a merchant owner's NIK (personal data).</summary>
    public const string MerchantsPersonalData = "merchants.personal_data";
    /// <summary>Read the roster.</summary>
    public const string RosterRead = "roster.read";
    /// <summary>Sync the roster from the personnel system.</summary>
    public const string RosterSync = "roster.sync";
    /// <summary>Read purchases and the change feed.</summary>
    public const string PurchasesRead = "purchases.read";
    /// <summary>Record and void purchases.</summary>
    public const string PurchasesWrite = "purchases.write";
    /// <summary>Read quota policy, progress and compliance.</summary>
    public const string QuotaRead = "quota.read";
    /// <summary>Set the quota policy and exemptions.</summary>
    public const string QuotaAdmin = "quota.admin";
    /// <summary>Close months and open corrections; see delivery states; re-queue parked adjustments.</summary>
    public const string PayrollAdmin = "payroll.admin";
    /// <summary>Pull adjustments (e-TPP only).</summary>
    public const string PayrollPull = "payroll.pull";
    /// <summary>Acknowledge applied adjustments (e-TPP only).</summary>
    public const string PayrollAcknowledge = "payroll.acknowledge";
    /// <summary>Dispute an adjustment before e-TPP applies it (the employee's office, the e-Bakul app).</summary>
    public const string DisputesFile = "disputes.file";
    /// <summary>Decide disputes (Inspektorat, BKD).</summary>
    public const string DisputesResolve = "disputes.resolve";
    /// <summary>Read disputes.</summary>
    public const string DisputesRead = "disputes.read";
    /// <summary>Read the audit trail.</summary>
    public const string AuditRead = "audit.read";
    /// <summary>Read regencies and kecamatan.</summary>
    public const string RegionsRead = "regions.read";
    /// <summary>Read the consumption and compliance reports (aggregates only).</summary>
    public const string ReportsRead = "reports.read";
    /// <summary>Read the integrity signals with the purchases, names and NIPs behind them (Inspektorat).</summary>
    public const string IntegrityRead = "integrity.read";
    /// <summary>Mark integrity signals reviewed (Inspektorat).</summary>
    public const string IntegrityReview = "integrity.review";

    /// <summary>Every scope.</summary>
    public static readonly FrozenSet<string> All = new[]
    {
        MerchantsRead, MerchantsWrite, MerchantsVerify, MerchantsPersonalData, RosterRead, RosterSync, PurchasesRead,
        PurchasesWrite, QuotaRead, QuotaAdmin, PayrollAdmin, PayrollPull, PayrollAcknowledge, DisputesFile, DisputesResolve, DisputesRead,
        AuditRead, RegionsRead, ReportsRead, IntegrityRead, IntegrityReview,
    }.ToFrozenSet();

    /// <summary>Methods that need no caller at all.</summary>
    public static readonly FrozenSet<string> PublicServices = new[]
    {
        "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection", "grpc.reflection.v1.ServerReflection",
    }.ToFrozenSet();

    /// <summary>The scope each method needs, by full method name ("/package.Service/Method").</summary>
    public static readonly FrozenDictionary<string, string> ByMethod = new Dictionary<string, string>
    {
        ["/ebakul.regions.v1.RegionService/ListRegencies"] = RegionsRead,
        ["/ebakul.regions.v1.RegionService/ListKecamatan"] = RegionsRead,

        ["/ebakul.merchants.v1.MerchantService/RegisterMerchant"] = MerchantsWrite,
        ["/ebakul.merchants.v1.MerchantService/GetMerchant"] = MerchantsRead,
        ["/ebakul.merchants.v1.MerchantService/ListMerchants"] = MerchantsRead,
        ["/ebakul.merchants.v1.MerchantService/UpdateMerchant"] = MerchantsWrite,
        ["/ebakul.merchants.v1.MerchantService/VerifyMerchant"] = MerchantsVerify,
        ["/ebakul.merchants.v1.MerchantService/SuspendMerchant"] = MerchantsVerify,
        ["/ebakul.merchants.v1.MerchantService/ReinstateMerchant"] = MerchantsVerify,
        ["/ebakul.merchants.v1.MerchantService/ImportMerchants"] = MerchantsWrite,
        ["/ebakul.merchants.v1.MerchantService/ImportMerchantsBatch"] = MerchantsWrite,
        ["/ebakul.merchants.v1.MerchantService/SearchNearbyMerchants"] = MerchantsRead,

        ["/ebakul.roster.v1.RosterService/SyncEmployees"] = RosterSync,
        ["/ebakul.roster.v1.RosterService/SyncEmployeesBatch"] = RosterSync,
        ["/ebakul.roster.v1.RosterService/GetEmployee"] = RosterRead,
        ["/ebakul.roster.v1.RosterService/ListEmployees"] = RosterRead,

        ["/ebakul.ledger.v1.LedgerService/RecordPurchase"] = PurchasesWrite,
        ["/ebakul.ledger.v1.LedgerService/RecordPurchases"] = PurchasesWrite,
        ["/ebakul.ledger.v1.LedgerService/GetPurchase"] = PurchasesRead,
        ["/ebakul.ledger.v1.LedgerService/ListPurchases"] = PurchasesRead,
        ["/ebakul.ledger.v1.LedgerService/VoidPurchase"] = PurchasesWrite,
        ["/ebakul.ledger.v1.LedgerService/StreamLedgerEntries"] = PurchasesRead,

        ["/ebakul.quota.v1.QuotaService/SetQuotaPolicy"] = QuotaAdmin,
        ["/ebakul.quota.v1.QuotaService/GetQuotaPolicy"] = QuotaRead,
        ["/ebakul.quota.v1.QuotaService/ListQuotaPolicies"] = QuotaRead,
        ["/ebakul.quota.v1.QuotaService/GrantQuotaExemption"] = QuotaAdmin,
        ["/ebakul.quota.v1.QuotaService/RevokeQuotaExemption"] = QuotaAdmin,
        ["/ebakul.quota.v1.QuotaService/ListQuotaExemptions"] = QuotaRead,
        ["/ebakul.quota.v1.QuotaService/EvaluateEmployee"] = QuotaRead,
        ["/ebakul.quota.v1.QuotaService/GetOfficeCompliance"] = QuotaRead,
        ["/ebakul.quota.v1.QuotaService/GetRegencyCompliance"] = QuotaRead,
        ["/ebakul.quota.v1.QuotaService/StreamEmployeeEvaluations"] = QuotaRead,

        ["/ebakul.payroll.v1.PayrollService/ClosePeriod"] = PayrollAdmin,
        ["/ebakul.payroll.v1.PayrollService/GetPeriod"] = PayrollAdmin,
        ["/ebakul.payroll.v1.PayrollService/GetEmployeeStatement"] = QuotaRead,
        ["/ebakul.payroll.v1.PayrollService/PrintEmployeeStatement"] = QuotaRead,
        ["/ebakul.payroll.v1.PayrollService/FileDispute"] = DisputesFile,
        ["/ebakul.payroll.v1.PayrollService/ResolveDispute"] = DisputesResolve,
        ["/ebakul.payroll.v1.PayrollService/GetDispute"] = DisputesRead,
        ["/ebakul.payroll.v1.PayrollService/ListDisputes"] = DisputesRead,
        ["/ebakul.payroll.v1.PayrollService/OpenCorrection"] = PayrollAdmin,
        ["/ebakul.payroll.v1.PayrollService/ListAdjustments"] = PayrollPull,
        ["/ebakul.payroll.v1.PayrollService/StreamAdjustments"] = PayrollPull,
        ["/ebakul.payroll.v1.PayrollService/AcknowledgeAdjustments"] = PayrollAcknowledge,
        ["/ebakul.payroll.v1.PayrollService/ListAdjustmentDeliveries"] = PayrollAdmin,
        ["/ebakul.payroll.v1.PayrollService/RequeueAdjustment"] = PayrollAdmin,

        ["/ebakul.audit.v1.AuditService/ListAuditEvents"] = AuditRead,

        ["/ebakul.reports.v1.ReportService/GetSpendingReport"] = ReportsRead,
        ["/ebakul.reports.v1.ReportService/GetSpendingTrend"] = ReportsRead,
        ["/ebakul.reports.v1.ReportService/GetComplianceReport"] = ReportsRead,
        ["/ebakul.reports.v1.ReportService/BatchGetSpendingReports"] = ReportsRead,
        ["/ebakul.reports.v1.ReportService/BatchGetComplianceReports"] = ReportsRead,
        ["/ebakul.reports.v1.ReportService/ExportReport"] = ReportsRead,

        ["/ebakul.integrity.v1.IntegrityService/ListIntegritySignals"] = IntegrityRead,
        ["/ebakul.integrity.v1.IntegrityService/GetIntegritySignal"] = IntegrityRead,
        ["/ebakul.integrity.v1.IntegrityService/ReviewIntegritySignal"] = IntegrityReview,
    }.ToFrozenDictionary();

    /// <summary>Scopes only an <see cref="CallerKind.Etpp"/> caller can use, whatever else it holds.</summary>
    public static readonly FrozenSet<string> EtppOnly = new[] { PayrollPull, PayrollAcknowledge }.ToFrozenSet();
}
