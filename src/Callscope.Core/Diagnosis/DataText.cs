using System.Text;
using System.Text.Json;

namespace Callscope.Core.Diagnosis;

/// <summary>The members of <see cref="DiagnosisData"/>, as <see cref="DataText"/> finds them by name.</summary>
internal enum DataMember
{
    Other,
    RttMs,
    JitterMs,
    PacketLossPct,
    Mos,
    BitrateUpKbps,
    BitrateDownKbps,
    AudioBitrateUpKbps,
    AudioBitrateDownKbps,
    QualityLimitation,
    CandidateType,
    ConnectionState,
    Reason,
    Code,
    Message,
    Device,
}

/// <summary>
/// Reads the members the detectors use from an event's stored data text in one pass, without building a document.
/// It reads what <see cref="DiagnosisData.Number"/> and <see cref="DiagnosisData.Text"/> read from the parsed element:
/// only the top-level members of an object, names compared unescaped, the last of two members of one name winning, a
/// number only when it is a finite double, a string only when it is a string. The whole text is read, so that a text
/// <see cref="JsonDocument.Parse(string, JsonDocumentOptions)"/> refuses is refused here too.
/// </summary>
internal static class DataText
{
    private const int MinBuffer = 4096;

    /// <summary>The same transcoding as <see cref="JsonDocument"/>'s: invalid UTF-16 throws rather than being replaced.</summary>
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Every member read.</summary>
    public static readonly DataMember[] Members = [.. Enum.GetValues<DataMember>().Where(m => m != DataMember.Other)];

    /// <summary>The names, to compare escaped names with (rare: clients send them plain).</summary>
    private static readonly (byte[] Name, DataMember Member)[] Names = [.. Members.Select(m => (Encoding.UTF8.GetBytes(Name(m)), m))];

    /// <summary>Where this thread transcodes a text to UTF-8, kept for the next one (most data texts are a few hundred bytes).</summary>
    [ThreadStatic]
    private static byte[]? t_buffer;

    public static void Read(string json, DiagnosisData into)
    {
        var buffer = t_buffer;
        if (buffer is null || buffer.Length < Utf8.GetMaxByteCount(json.Length))
        {
            buffer = new byte[Math.Max(MinBuffer, Utf8.GetMaxByteCount(json.Length))];
            t_buffer = buffer.Length <= 16 * MinBuffer ? buffer : t_buffer;
        }

        var written = Utf8.GetBytes(json, buffer);
        Read(buffer.AsSpan(0, written), into);
    }

    /// <summary>Whether the member is a number (the others are strings).</summary>
    public static bool IsNumber(DataMember member) => member is >= DataMember.RttMs and <= DataMember.AudioBitrateDownKbps;

    /// <summary>The member's name in the data.</summary>
    public static string Name(DataMember member) => member switch
    {
        DataMember.RttMs => "rtt_ms",
        DataMember.JitterMs => "jitter_ms",
        DataMember.PacketLossPct => "packet_loss_pct",
        DataMember.Mos => "mos",
        DataMember.BitrateUpKbps => "bitrate_up_kbps",
        DataMember.BitrateDownKbps => "bitrate_down_kbps",
        DataMember.AudioBitrateUpKbps => "audio_bitrate_up_kbps",
        DataMember.AudioBitrateDownKbps => "audio_bitrate_down_kbps",
        DataMember.QualityLimitation => "quality_limitation",
        DataMember.CandidateType => "candidate_type",
        DataMember.ConnectionState => "connection_state",
        DataMember.Reason => "reason",
        DataMember.Code => "code",
        DataMember.Message => "message",
        DataMember.Device => "device",
        _ => throw new ArgumentOutOfRangeException(nameof(member)),
    };

    private static void Read(ReadOnlySpan<byte> utf8, DiagnosisData into)
    {
        var reader = new Utf8JsonReader(utf8);
        reader.Read();
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var member = Member(ref reader);
                reader.Read();
                if (member != DataMember.Other)
                {
                    into.Set(member, Number(ref reader), Text(ref reader));
                }

                reader.Skip();
            }
        }
        else
        {
            reader.Skip();
        }

        // Anything after the one value makes the reader throw, as it makes the parse throw.
        while (reader.Read())
        {
        }
    }

    private static DataMember Member(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return Member(reader.ValueSpan);
        }

        foreach (var (name, member) in Names)
        {
            if (reader.ValueTextEquals(name))
            {
                return member;
            }
        }

        return DataMember.Other;
    }

    /// <summary>The member a plain name stands for: by length first, so that most names are told apart by one comparison.</summary>
    private static DataMember Member(ReadOnlySpan<byte> name) => name.Length switch
    {
        3 when name.SequenceEqual("mos"u8) => DataMember.Mos,
        4 when name.SequenceEqual("code"u8) => DataMember.Code,
        6 when name.SequenceEqual("rtt_ms"u8) => DataMember.RttMs,
        6 when name.SequenceEqual("reason"u8) => DataMember.Reason,
        6 when name.SequenceEqual("device"u8) => DataMember.Device,
        7 when name.SequenceEqual("message"u8) => DataMember.Message,
        9 when name.SequenceEqual("jitter_ms"u8) => DataMember.JitterMs,
        14 when name.SequenceEqual("candidate_type"u8) => DataMember.CandidateType,
        15 when name.SequenceEqual("packet_loss_pct"u8) => DataMember.PacketLossPct,
        15 when name.SequenceEqual("bitrate_up_kbps"u8) => DataMember.BitrateUpKbps,
        16 when name.SequenceEqual("connection_state"u8) => DataMember.ConnectionState,
        17 when name.SequenceEqual("bitrate_down_kbps"u8) => DataMember.BitrateDownKbps,
        18 when name.SequenceEqual("quality_limitation"u8) => DataMember.QualityLimitation,
        21 when name.SequenceEqual("audio_bitrate_up_kbps"u8) => DataMember.AudioBitrateUpKbps,
        23 when name.SequenceEqual("audio_bitrate_down_kbps"u8) => DataMember.AudioBitrateDownKbps,
        _ => DataMember.Other,
    };

    private static double? Number(ref Utf8JsonReader reader) =>
        reader.TokenType != JsonTokenType.Number ? null
        : WholeNumber(reader.ValueSpan) is { } whole ? whole
        : reader.TryGetDouble(out var number) && double.IsFinite(number) ? number
        : null;

    /// <summary>
    /// A number written as up to 15 digits and nothing else, which most members are: read digit by digit, it is the
    /// double the full parse gives (every integer below 2^53 is one exactly). Anything else (a sign, a fraction, an
    /// exponent, more digits) is left to the full parse.
    /// </summary>
    private static double? WholeNumber(ReadOnlySpan<byte> text)
    {
        if (text.Length > 15)
        {
            return null;
        }

        var value = 0L;
        foreach (var c in text)
        {
            var digit = c - (byte)'0';
            if ((uint)digit > 9)
            {
                return null;
            }

            value = (value * 10) + digit;
        }

        return value;
    }

    private static string? Text(ref Utf8JsonReader reader) =>
        reader.TokenType != JsonTokenType.String ? null
        : !reader.ValueIsEscaped && Common(reader.ValueSpan) is { } common ? common
        : reader.GetString();

    /// <summary>The values the text members mostly take, handed out as one string each instead of a new one per sample.</summary>
    private static string? Common(ReadOnlySpan<byte> value) => value.Length switch
    {
        3 when value.SequenceEqual("cpu"u8) => "cpu",
        3 when value.SequenceEqual("new"u8) => "new",
        4 when value.SequenceEqual("none"u8) => "none",
        4 when value.SequenceEqual("host"u8) => "host",
        5 when value.SequenceEqual("srflx"u8) => "srflx",
        5 when value.SequenceEqual("relay"u8) => "relay",
        5 when value.SequenceEqual("prflx"u8) => "prflx",
        5 when value.SequenceEqual("other"u8) => "other",
        6 when value.SequenceEqual("failed"u8) => "failed",
        6 when value.SequenceEqual("closed"u8) => "closed",
        7 when value.SequenceEqual("network"u8) => "network",
        8 when value.SequenceEqual("checking"u8) => "checking",
        9 when value.SequenceEqual("bandwidth"u8) => "bandwidth",
        9 when value.SequenceEqual("connected"u8) => "connected",
        9 when value.SequenceEqual("completed"u8) => "completed",
        12 when value.SequenceEqual("disconnected"u8) => "disconnected",
        _ => null,
    };
}
