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

    // The numbers read, NaN when absent (a number read is always finite): half the size of nullable doubles.
    private double _rttMs = double.NaN;
    private double _jitterMs = double.NaN;
    private double _packetLossPct = double.NaN;
    private double _mos = double.NaN;
    private double _bitrateUpKbps = double.NaN;
    private double _bitrateDownKbps = double.NaN;
    private double _audioBitrateUpKbps = double.NaN;
    private double _audioBitrateDownKbps = double.NaN;

    private DiagnosisData(string? text, JsonElement given)
    {
        _text = text;
        _given = given;
    }

    public double? RttMs => Present(_rttMs);

    public double? JitterMs => Present(_jitterMs);

    public double? PacketLossPct => Present(_packetLossPct);

    public double? Mos => Present(_mos);

    public double? BitrateUpKbps => Present(_bitrateUpKbps);

    public double? BitrateDownKbps => Present(_bitrateDownKbps);

    public double? AudioBitrateUpKbps => Present(_audioBitrateUpKbps);

    public double? AudioBitrateDownKbps => Present(_audioBitrateDownKbps);

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
    public static DiagnosisData Of(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Undefined)
        {
            return None;
        }

        var data = new DiagnosisData(null, element);
        foreach (var member in DataText.Members)
        {
            var name = DataText.Name(member);
            if (DataText.IsNumber(member))
            {
                data.Set(member, Number(element, name), null);
            }
            else
            {
                data.Set(member, null, Text(element, name));
            }
        }

        return data;
    }

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

    /// <summary>Sets a member (a number or a text). Reading a text, a later member of the same name replaces an earlier one, as the last one wins in an element.</summary>
    internal void Set(DataMember member, double? number, string? text)
    {
        switch (member)
        {
            case DataMember.RttMs: _rttMs = number ?? double.NaN; break;
            case DataMember.JitterMs: _jitterMs = number ?? double.NaN; break;
            case DataMember.PacketLossPct: _packetLossPct = number ?? double.NaN; break;
            case DataMember.Mos: _mos = number ?? double.NaN; break;
            case DataMember.BitrateUpKbps: _bitrateUpKbps = number ?? double.NaN; break;
            case DataMember.BitrateDownKbps: _bitrateDownKbps = number ?? double.NaN; break;
            case DataMember.AudioBitrateUpKbps: _audioBitrateUpKbps = number ?? double.NaN; break;
            case DataMember.AudioBitrateDownKbps: _audioBitrateDownKbps = number ?? double.NaN; break;
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

    private static double? Present(double value) => double.IsNaN(value) ? null : value;

    /// <summary>
    /// Events compare as they did when every event held a parsed element: data given as an element by that element,
    /// data read from text only with itself (each text was parsed into a document of its own).
    /// </summary>
    public bool Equals(DiagnosisData? other) =>
        other is not null && (ReferenceEquals(this, other) || (_text is null && other._text is null && _given.Equals(other._given)));

    public override bool Equals(object? obj) => Equals(obj as DiagnosisData);

    public override int GetHashCode() => _text is null ? _given.GetHashCode() : RuntimeHelpers.GetHashCode(this);
}
