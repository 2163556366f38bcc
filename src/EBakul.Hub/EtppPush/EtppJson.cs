using System.Text.Json.Serialization;

namespace EBakul.Hub.EtppPush;

/// <summary>The contract's JSON: snake_case names, numbers only as JSON numbers, no duplicate properties.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.Strict,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(EtppAdjustment))]
[JsonSerializable(typeof(EtppAppliedBody))]
[JsonSerializable(typeof(EtppErrorBody))]
internal sealed partial class EtppJson : JsonSerializerContext;

/// <summary>A success answer as received, before validation: <c>{key, etpp_reference, applied_at}</c>.</summary>
internal sealed class EtppAppliedBody
{
    public string? Key { get; set; }

    public string? EtppReference { get; set; }

    public string? AppliedAt { get; set; }
}

/// <summary>An error answer as received: <c>{"error": {"code", "message"}}</c>.</summary>
internal sealed class EtppErrorBody
{
    public EtppErrorDetail? Error { get; set; }
}

/// <summary>The error inside <see cref="EtppErrorBody"/>.</summary>
internal sealed class EtppErrorDetail
{
    public string? Code { get; set; }

    public string? Message { get; set; }
}
