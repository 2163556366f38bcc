using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EBakul.EtppSimulator;

/// <summary>The JSON rules of the contract: snake_case names, numbers only as JSON numbers, no duplicate properties.</summary>
public static class SimulatorJson
{
    /// <summary>Options for every body the simulator reads or writes.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.Strict,
        AllowDuplicateProperties = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        // Readable messages in logs and curl output; nothing here is embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
