using System.Globalization;

namespace Callscope.Bench.Workload;

/// <summary>One stored event of a participant as the store reads it back: id, type, time, connection and data text.</summary>
public sealed record DiagnosisRow(string Id, string Type, DateTimeOffset Timestamp, string? ConnectionId, string? DataJson);

/// <summary>
/// A long call of one participant as stored rows: a join, audio and video on, a quality sample every 5 s, a leave.
/// Most samples are a good network; spells of high RTT, jitter, loss, bandwidth limitation, a TURN relay and silent
/// audio recur through the call, long enough to raise issues, so that every detector both runs and raises.
/// </summary>
public static class DiagnosisRows
{
    public const string Connection = "PA_conn_7Hk2";

    public static IReadOnlyList<DiagnosisRow> Call(int samples, int seed)
    {
        var random = new Random(seed);
        var start = new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);
        var rows = new List<DiagnosisRow>(samples + 4)
        {
            new("EV_join", "participant_joined", start, Connection, """{"device":"desktop","browser":"Chrome 131"}"""),
            new("EV_audio", "audio_enabled", start.AddSeconds(1), Connection, null),
            new("EV_video", "video_enabled", start.AddSeconds(1), Connection, null),
        };

        for (var i = 0; i < samples; i++)
        {
            var id = string.Create(CultureInfo.InvariantCulture, $"EV_q{i:D6}");
            rows.Add(new DiagnosisRow(id, "quality_sample", start.AddSeconds(5 * (i + 1)), Connection, Sample(i, random)));
        }

        rows.Add(new DiagnosisRow("EV_left", "participant_left", start.AddSeconds(5 * (samples + 1)), Connection, """{"reason":"client_initiated"}"""));
        return rows;
    }

    /// <summary>A sample's data: good values, with a spell of trouble of one kind or another every 500 samples.</summary>
    private static string Sample(int i, Random random)
    {
        var spell = i % 500 < 24 ? (i / 500) % 6 : -1;
        var rtt = spell == 0 ? random.Next(380, 900) : random.Next(25, 140);
        var jitter = spell == 1 ? random.Next(20, 70) : random.Next(1, 12);
        var loss = Math.Round(spell == 2 ? random.NextDouble() * 9 : random.NextDouble() * 0.8, 2);
        var limitation = spell == 3 ? (random.Next(4) == 0 ? "cpu" : "bandwidth") : "none";
        var candidate = spell == 4 ? "relay" : "srflx";
        var audioUp = spell == 5 ? 0 : random.Next(24, 40);
        var audioDown = spell == 5 ? 0 : random.Next(24, 40);
        var (width, height) = spell == 3 ? (640, 360) : (1280, 720);
        return string.Create(CultureInfo.InvariantCulture,
            $$"""{"rtt_ms":{{rtt}},"jitter_ms":{{jitter}},"packet_loss_pct":{{loss}},"bitrate_up_kbps":{{random.Next(300, 2500)}},"bitrate_down_kbps":{{random.Next(400, 4000)}},"audio_bitrate_up_kbps":{{audioUp}},"audio_bitrate_down_kbps":{{audioDown}},"fps":{{random.Next(24, 31)}},"width":{{width}},"height":{{height}},"quality_limitation":"{{limitation}}","candidate_type":"{{candidate}}","network_type":"wifi","connection_state":"connected","score":{{Math.Round(3 + (random.NextDouble() * 2), 1)}}}""");
    }
}
