using System.Text.Json;

namespace Callscope.Core.Diagnosis;

/// <summary>
/// One stored event of a participant as the diagnosis reads it: its id, type, time, the connection it belongs to and
/// its <c>data</c> already parsed (an object, or undefined when the event has none).
/// </summary>
public sealed record DiagnosisEvent(string Id, string Type, DateTimeOffset Timestamp, string? ConnectionId, JsonElement Data)
{
    /// <summary>An event whose data is still the stored JSON text (null or empty when it has none).</summary>
    public static DiagnosisEvent FromJson(string id, string type, DateTimeOffset timestamp, string? connectionId, string? dataJson)
    {
        if (string.IsNullOrEmpty(dataJson))
        {
            return new DiagnosisEvent(id, type, timestamp, connectionId, default);
        }

        using var document = JsonDocument.Parse(dataJson);
        return new DiagnosisEvent(id, type, timestamp, connectionId, document.RootElement.Clone());
    }

    /// <summary>A number member of <c>data</c>, or null when it is missing, not a number or not finite.</summary>
    public double? Number(string name) =>
        Data.ValueKind == JsonValueKind.Object && Data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            && value.TryGetDouble(out var number) && double.IsFinite(number)
            ? number
            : null;

    /// <summary>A string member of <c>data</c>, or null when it is missing or not a string.</summary>
    public string? Text(string name) =>
        Data.ValueKind == JsonValueKind.Object && Data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>Connections are told apart by their id; events without one share a single unnamed connection.</summary>
    internal string ConnectionKey => ConnectionId is { } id ? "c:" + id : "-";
}
