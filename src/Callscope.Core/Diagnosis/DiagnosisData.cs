using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Callscope.Core.Diagnosis;

/// <summary>
/// An event's data as the diagnosis holds it: the members the detectors read (<see cref="QualitySample"/> and the few
/// other events' members), read once, and the data itself. Data given as an element is read with
/// <see cref="Number"/> and <see cref="Text"/>; data given as stored text is read in one pass of a
/// <see cref="Utf8JsonReader"/> (<see cref="DataText"/>) to the same values, and parsed into an element only when
/// <see cref="DiagnosisEvent.Data"/> is asked for.
/// </summary>
internal sealed class DiagnosisData : IEquatable<DiagnosisData>
{
    /// <summary>No data: every member absent.</summary>
    public static readonly DiagnosisData None = new(null, default);

    private readonly string? _text;
    private readonly JsonElement _given;
    private StrongBox<JsonElement>? _parsed;

    private DiagnosisData(string? text, JsonElement given)
    {
        _text = text;
        _given = given;
    }

    public double? RttMs { get; private set; }

    public double? JitterMs { get; private set; }

    public double? PacketLossPct { get; private set; }

    public double? Mos { get; private set; }

    public double? BitrateUpKbps { get; private set; }

    public double? BitrateDownKbps { get; private set; }

    public double? AudioBitrateUpKbps { get; private set; }

    public double? AudioBitrateDownKbps { get; private set; }

    public string? QualityLimitation { get; private set; }

    public string? CandidateType { get; private set; }

    public string? ConnectionState { get; private set; }

    public string? Reason { get; private set; }

    public string? Code { get; private set; }

    public string? Message { get; private set; }

    public string? Device { get; private set; }

    /// <summary>The data as an element: the one given, or the stored text parsed the first time it is asked for.</summary>
    public JsonElement Element
    {
        get
        {
            if (_text is null)
            {
                return _given;
            }

            if (Volatile.Read(ref _parsed) is { } parsed)
            {
                return parsed.Value;
            }

            using var document = JsonDocument.Parse(_text);
            var mine = new StrongBox<JsonElement>(document.RootElement.Clone());
            return (Interlocked.CompareExchange(ref _parsed, mine, null) ?? mine).Value;
        }
    }

    /// <summary>The members of a parsed element.</summary>
    public static DiagnosisData Of(JsonElement element) =>
        element.ValueKind == JsonValueKind.Undefined ? None : new DiagnosisData(null, element)
        {
            RttMs = Number(element, "rtt_ms"),
            JitterMs = Number(element, "jitter_ms"),
            PacketLossPct = Number(element, "packet_loss_pct"),
            Mos = Number(element, "mos"),
            BitrateUpKbps = Number(element, "bitrate_up_kbps"),
            BitrateDownKbps = Number(element, "bitrate_down_kbps"),
            AudioBitrateUpKbps = Number(element, "audio_bitrate_up_kbps"),
            AudioBitrateDownKbps = Number(element, "audio_bitrate_down_kbps"),
            QualityLimitation = Text(element, "quality_limitation"),
            CandidateType = Text(element, "candidate_type"),
            ConnectionState = Text(element, "connection_state"),
            Reason = Text(element, "reason"),
            Code = Text(element, "code"),
            Message = Text(element, "message"),
            Device = Text(element, "device"),
        };

    /// <summary>The members of stored JSON text, read in one pass; throws a <see cref="JsonException"/> when it is not JSON.</summary>
    public static DiagnosisData Read(string json)
    {
        var data = new DiagnosisData(json, default);
        DataText.Read(json, data);
        return data;
    }

    /// <summary>A number member of an object, or null when it is missing, not a number or not finite.</summary>
    public static double? Number(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            && value.TryGetDouble(out var number) && double.IsFinite(number)
            ? number
            : null;

    /// <summary>A string member of an object, or null when it is missing or not a string.</summary>
    public static string? Text(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>Sets a member read from text; a later member of the same name replaces it, as the last one wins in an element.</summary>
    internal void Set(DataMember member, double? number, string? text)
    {
        switch (member)
        {
            case DataMember.RttMs: RttMs = number; break;
            case DataMember.JitterMs: JitterMs = number; break;
            case DataMember.PacketLossPct: PacketLossPct = number; break;
            case DataMember.Mos: Mos = number; break;
            case DataMember.BitrateUpKbps: BitrateUpKbps = number; break;
            case DataMember.BitrateDownKbps: BitrateDownKbps = number; break;
            case DataMember.AudioBitrateUpKbps: AudioBitrateUpKbps = number; break;
            case DataMember.AudioBitrateDownKbps: AudioBitrateDownKbps = number; break;
            case DataMember.QualityLimitation: QualityLimitation = text; break;
            case DataMember.CandidateType: CandidateType = text; break;
            case DataMember.ConnectionState: ConnectionState = text; break;
            case DataMember.Reason: Reason = text; break;
            case DataMember.Code: Code = text; break;
            case DataMember.Message: Message = text; break;
            case DataMember.Device: Device = text; break;
            case DataMember.Other: break;
            default: throw new ArgumentOutOfRangeException(nameof(member));
        }
    }

    /// <summary>
    /// Events compare as they did when every event held a parsed element: data given as an element by that element,
    /// data read from text only with itself (each text was parsed into a document of its own).
    /// </summary>
    public bool Equals(DiagnosisData? other) =>
        other is not null && (ReferenceEquals(this, other) || (_text is null && other._text is null && _given.Equals(other._given)));

    public override bool Equals(object? obj) => Equals(obj as DiagnosisData);

    public override int GetHashCode() => _text is null ? _given.GetHashCode() : RuntimeHelpers.GetHashCode(this);
}
