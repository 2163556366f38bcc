using System.Collections.Frozen;
using EBakul.Hub.Errors;
using Grpc.Core;

namespace EBakul.Hub.Access;

/// <summary>What kind of system a caller is; some rights follow from the kind, not only from scopes.</summary>
public enum CallerKind
{
    /// <summary>The payroll system e-TPP: the only kind that may pull and acknowledge adjustments.</summary>
    Etpp = 1,
    /// <summary>A government office's (OPD) own system: bound to one office of one regency.</summary>
    OfficeSystem = 2,
    /// <summary>The e-Bakul app or marketplace.</summary>
    EbakulApp = 3,
    /// <summary>A provincial platform (Jatim Bejo-style) admitted to several regencies.</summary>
    ProvincialPlatform = 4,
    /// <summary>Another regency's system.</summary>
    RegencySystem = 5,
    /// <summary>A Dinas or admin console (Dindagkop UM, BKD, Inspektorat).</summary>
    Admin = 6,
}

/// <summary>The words that name a <see cref="CallerKind"/> in the <c>callers add --kind</c> option and in access tokens' kind claim.</summary>
public static class CallerKinds
{
    private static readonly FrozenDictionary<string, CallerKind> ByWord = new Dictionary<string, CallerKind>
    {
        ["etpp"] = CallerKind.Etpp,
        ["office"] = CallerKind.OfficeSystem,
        ["app"] = CallerKind.EbakulApp,
        ["province"] = CallerKind.ProvincialPlatform,
        ["regency"] = CallerKind.RegencySystem,
        ["admin"] = CallerKind.Admin,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The words, for messages: "etpp, office, app, province, regency or admin".</summary>
    public const string Words = "etpp, office, app, province, regency or admin";

    /// <summary>The kind a word names.</summary>
    public static bool TryParse(string? word, out CallerKind kind) => ByWord.TryGetValue(word ?? "", out kind);
}

/// <summary>
/// The authenticated calling system of a request: its id (the idempotency scope and <c>recorded_by</c>), kind,
/// scopes, the regencies it may touch and, for an office system, its office.
/// </summary>
public sealed record CallerIdentity(
    string Id,
    CallerKind Kind,
    IReadOnlySet<string> Scopes,
    IReadOnlySet<string> Regencies,
    string? OfficeCode)
{
    /// <summary>Calls per second allowed (0: the hub's default).</summary>
    public int RateLimitPerSecond { get; init; }

    /// <summary>Stands for "every regency the hub serves" in <see cref="Regencies"/>.</summary>
    public const string AllRegencies = "*";

    private const string ItemKey = "ebakul.caller";

    /// <summary>The caller of the current call (set by <see cref="AccessInterceptor"/>).</summary>
    public static CallerIdentity Of(ServerCallContext context) =>
        context.GetHttpContext().Items.TryGetValue(ItemKey, out var caller) && caller is CallerIdentity identity
            ? identity
            : throw new InvalidOperationException("no authenticated caller on this call");

    /// <summary>Attaches the caller to the call.</summary>
    public void AttachTo(ServerCallContext context) => context.GetHttpContext().Items[ItemKey] = this;

    /// <summary>A caller for work the hub does on its own (e.g. demo data, background delivery).</summary>
    public static CallerIdentity System(string id) =>
        new(id, CallerKind.Admin, FrozenSet<string>.Empty, new[] { AllRegencies }.ToFrozenSet(), null);

    /// <summary>Whether the caller has a scope.</summary>
    public bool Has(string scope) => Scopes.Contains(scope);

    /// <summary>Whether the caller may touch a regency.</summary>
    public bool MayTouch(string regencyCode) => Regencies.Contains(AllRegencies) || Regencies.Contains(regencyCode);

    /// <summary>Whether the caller is an office system limited to one office.</summary>
    public bool IsOfficeBound => Kind == CallerKind.OfficeSystem && OfficeCode is not null;

    /// <summary>
    /// An office system may touch only its own office's employees and their purchases. Anything else, including
    /// something that does not exist (<paramref name="officeCode"/> null), is PERMISSION_DENIED, so that an office
    /// learns nothing about other offices' data. No-op for other callers.
    /// </summary>
    public void RequireOwnOffice(string? officeCode, string what)
    {
        if (IsOfficeBound && officeCode != OfficeCode)
            throw HubException.PermissionDenied("OUTSIDE_CALLER_OFFICE", $"{what} is not within office {OfficeCode} of caller '{Id}'");
    }

    /// <summary>
    /// The office a read is limited to: for an office system its own office (naming another is PERMISSION_DENIED
    /// <c>OUTSIDE_CALLER_OFFICE</c>); for other callers the office asked for, or null (empty: the whole regency).
    /// </summary>
    public string? ReadScopeOffice(string requestedOfficeCode)
    {
        var office = requestedOfficeCode.Length == 0 ? null : requestedOfficeCode;
        if (!IsOfficeBound) return office;
        office ??= OfficeCode;
        RequireOwnOffice(office, $"office {office}");
        return office;
    }
}
