using System.Globalization;
using System.Text;
using System.Text.Json;
using Callscope.Core.Diagnosis;
using CsCheck;

namespace Callscope.Core.Tests.Support;

/// <summary>A participant's event set and one way it may have arrived: shuffled, with repeated deliveries.</summary>
internal sealed record ParticipantHistory(IReadOnlyList<DiagnosisEvent> Events, IReadOnlyList<DiagnosisEvent> Arrivals)
{
    public override string ToString() =>
        string.Join('\n', Events.Select(e => $"{e.Id} {e.Type} +{(e.Timestamp - ParticipantScript.Start).TotalSeconds}s {e.ConnectionId ?? "-"} {e.Data}"))
        + "\narrivals: " + string.Join(' ', Arrivals.Select(e => e.Id));
}

/// <summary>
/// Generated participants: quality samples with values on both sides of every threshold, joins, leaves with reasons,
/// reconnects, media and device errors and audio toggles, on two named connections and an unnamed one, at times
/// 5 s apart so that many events share an instant.
/// </summary>
internal static class ParticipantHistories
{
    private static readonly string?[] Connections = ["a", "b", null];
    private static readonly string[] Limitations = ["none", "bandwidth", "cpu", "other"];
    private static readonly string[] Candidates = ["host", "srflx", "relay", "prflx"];
    private static readonly string[] States = ["connected", "failed", "checking"];
    private static readonly string[] Reasons = ["network", "left", "error"];
    private static readonly string[] Codes = ["NotAllowedError", "no_device", "device_in_use", "TOKEN_EXPIRED"];

    private static readonly Gen<(int Kind, int Tick, int Connection, int Value)> Steps =
        Gen.Select(Gen.Int[0, 13], Gen.Int[0, 240], Gen.Int[0, 2], Gen.Int[0, 9]);

    public static readonly Gen<ParticipantHistory> Histories =
        from steps in Steps.Array[1, 90]
        let events = steps.Select((s, i) => Event(i, s.Kind, s.Tick, s.Connection, s.Value)).ToArray()
        from copies in Gen.Int[1, 3].Array[events.Length]
        from keys in Gen.Int.Array[events.Length * 3]
        select new ParticipantHistory(events, Arrive(events, copies, keys));

    private static List<DiagnosisEvent> Arrive(DiagnosisEvent[] events, int[] copies, int[] keys)
    {
        var deliveries = events.SelectMany((e, i) => Enumerable.Repeat(e, copies[i])).ToList();
        return deliveries.Select((e, i) => (e, Key: keys[i % keys.Length] ^ i)).OrderBy(d => d.Key).Select(d => d.e).ToList();
    }

    private static DiagnosisEvent Event(int index, int kind, int tick, int connection, int v)
    {
        var (type, data) = kind switch
        {
            0 => ("quality_sample", (object?)new
            {
                rtt_ms = v * 100, jitter_ms = v * 8, packet_loss_pct = v, connection_state = States[v % 3],
                audio_bitrate_up_kbps = v % 2 * 30, audio_bitrate_down_kbps = 0,
            }),
            1 => ("quality_sample", new { rtt_ms = v * 90, packet_loss_pct = v * 1.5 }),
            2 => ("quality_sample", new { mos = 1 + (v * 0.4), quality_limitation = Limitations[v % 4] }),
            3 => ("quality_sample", new { quality_limitation = Limitations[v % 4], candidate_type = Candidates[v % 4], bitrate_up_kbps = v % 3 * 20 }),
            4 or 5 => ("participant_joined", null),
            6 => ("participant_left", new { reason = Reasons[v % 3] }),
            7 => ("participant_reconnecting", null),
            8 => ("participant_reconnected", null),
            9 => ("media_connection_failed", new { code = "ICE_FAILED" }),
            10 => (v % 2 == 0 ? "media_permissions_failed" : "app_error", new { code = Codes[v % 4] }),
            11 => ("audio_enabled", null),
            12 => ("audio_disabled", null),
            _ => ("video_enabled", null),
        };

        var id = "e" + (index % 7 == 6 ? "0" : string.Empty) + index.ToString(CultureInfo.InvariantCulture);
        return DiagnosisEvent.FromJson(id, type, ParticipantScript.At(tick * 5), Connections[connection], data is null ? null : JsonSerializer.Serialize(data));
    }

    /// <summary>Every member of every issue, one issue a line, so that two diagnoses compare as text.</summary>
    public static string Describe(IEnumerable<DiagnosedIssue> issues)
    {
        var text = new StringBuilder();
        foreach (var i in issues)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{i.Kind} {i.Severity} {i.StartedAt:O}..{i.EndedAt:O} {i.ConnectionId ?? "-"} {i.Evidence.Metric} {i.Evidence.Threshold} {i.Evidence.Worst} {i.Evidence.Count} ");
            text.AppendJoin(',', i.Evidence.Samples.Select(s => $"{s.EventId}@{s.At:O}={s.Value}/{s.Detail}"));
            text.Append(CultureInfo.InvariantCulture, $" \"{i.Summary}\"\n");
        }

        return text.ToString();
    }
}
