using System.Text.Json;

namespace Callscope.Core.Diagnosis;

/// <summary>
/// One stored event of a participant as the diagnosis reads it: its id, type, time, the connection it belongs to and
/// its <c>data</c> (an object, or undefined when the event has none). The members of the data the detectors read are
/// read once, when the event is made, so that no detector looks into the JSON again.
/// </summary>
public sealed record DiagnosisEvent(string Id, string Type, DateTimeOffset Timestamp, string? ConnectionId, JsonElement Data)
{
    private readonly DiagnosisData _data = DiagnosisData.Of(Data);

    private DiagnosisEvent(string id, string type, DateTimeOffset timestamp, string? connectionId, DiagnosisData data)
        : this(id, type, timestamp, connectionId, default(JsonElement)) =>
        _data = data;

    /// <summary>
    /// The event's <c>data</c>. An event made by <see cref="FromJson"/> parses its stored text into an element only the
    /// first time this is asked for: the diagnosis itself does not need it.
    /// </summary>
    public JsonElement Data
    {
        get => _data.Element;
        init => _data = DiagnosisData.Of(value);
    }

    /// <summary>
    /// An event whose data is still the stored JSON text (null or empty when it has none). The text is read once, here,
    /// for the members the detectors use (a text that is not JSON throws a <see cref="JsonException"/>, as parsing it would).
    /// </summary>
    public static DiagnosisEvent FromJson(string id, string type, DateTimeOffset timestamp, string? connectionId, string? dataJson) =>
        new(id, type, timestamp, connectionId, string.IsNullOrEmpty(dataJson) ? DiagnosisData.None : DiagnosisData.Read(dataJson));

    /// <summary>A number member of <c>data</c>, or null when it is missing, not a number or not finite.</summary>
    public double? Number(string name) => DiagnosisData.Number(Data, name);

    /// <summary>A string member of <c>data</c>, or null when it is missing or not a string.</summary>
    public string? Text(string name) => DiagnosisData.Text(Data, name);

    /// <summary>The members of <c>data</c> the detectors read, read once.</summary>
    internal DiagnosisData Members => _data;

    /// <summary>Connections are told apart by their id; events without one share a single unnamed connection.</summary>
    internal string ConnectionKey => ConnectionId is { } id ? "c:" + id : "-";
}
