using System.Globalization;

namespace Callscope.Bench.Workload;

/// <summary>
/// Fixed session shapes for filling a store before a measurement: a room's whole history of ended sessions, sessions
/// left empty so that they wait for their grace period to run out, and live sessions.
/// </summary>
public sealed class ScriptedSessions(string idPrefix, int seed)
{
    private const long Second = 1000;
    private const long Minute = 60 * Second;

    private readonly Random random = new(seed);
    private long sequence;

    /// <summary>
    /// <paramref name="count"/> ended sessions of one room, one after another from <paramref name="startMs"/>: two people
    /// each, a media toggle and quality samples, then a pause longer than the grace period. The events come in time
    /// order, the way a media server sends them.
    /// </summary>
    public IEnumerable<SimEvent> History(string room, long startMs, int count)
    {
        var at = startMs;
        for (var s = 0; s < count; s++)
        {
            var host = Person(room, random.Next(0, 6));
            var guest = Person(room, random.Next(6, 12));
            var (hostConnection, guestConnection) = (NextId(), NextId());
            var guestJoin = at + random.NextInt64(10 * Second, 120 * Second);
            var end = at + random.NextInt64(10 * Minute, 50 * Minute);
            var guestLeave = end + random.NextInt64(0, 60 * Second);
            yield return Joined(room, host, hostConnection, "moderator", at);
            yield return Event(room, host, hostConnection, "audio_enabled", at + (2 * Second));
            yield return Joined(room, guest, guestConnection, "attendee", guestJoin);
            yield return Event(room, guest, guestConnection, "quality_sample", guestJoin + (5 * Second), """{"rtt_ms":48,"jitter_ms":3,"packet_loss_pct":0.2,"fps":30,"score":4.6}""");
            yield return Event(room, host, hostConnection, "participant_left", end, """{"reason":"left"}""");
            yield return Event(room, guest, guestConnection, "participant_left", guestLeave, """{"reason":"left"}""");
            at = guestLeave + random.NextInt64(8 * Minute, 90 * Minute);
        }
    }

    /// <summary>How long each session of <see cref="Regular"/> lasts, from the host's join to the guest's leave.</summary>
    public const long RegularLength = 15 * Minute;

    /// <summary>
    /// <paramref name="count"/> sessions of one room like a daily meeting, each of <paramref name="eventsPerSession"/>
    /// events: the host joins, a guest 30 s later, quality samples between them, the host leaves at 14.5 min and the
    /// guest at <see cref="RegularLength"/>; the next session starts <paramref name="gapMs"/> after that (longer than
    /// the grace period, so each is a session of its own). The events come in time order.
    /// </summary>
    public IEnumerable<SimEvent> Regular(string room, long startMs, int count, int eventsPerSession, long gapMs)
    {
        var samples = Math.Max(0, eventsPerSession - 4);
        var at = startMs;
        for (var s = 0; s < count; s++)
        {
            var (host, guest) = (Person(room, 0), Person(room, 1));
            var (hostConnection, guestConnection) = (NextId(), NextId());
            yield return Joined(room, host, hostConnection, "moderator", at);
            yield return Joined(room, guest, guestConnection, "attendee", at + (30 * Second));
            var spacing = (13 * Minute) / Math.Max(1, samples);
            for (var i = 0; i < samples; i++)
            {
                var (who, connection) = i % 2 == 0 ? (host, hostConnection) : (guest, guestConnection);
                yield return Event(room, who, connection, "quality_sample", at + Minute + (i * spacing), """{"rtt_ms":48,"jitter_ms":3,"packet_loss_pct":0.2,"fps":30,"score":4.6}""");
            }

            yield return Event(room, host, hostConnection, "participant_left", at + RegularLength - (30 * Second), """{"reason":"left"}""");
            yield return Event(room, guest, guestConnection, "participant_left", at + RegularLength, """{"reason":"left"}""");
            at += RegularLength + gapMs;
        }
    }

    /// <summary>Someone who joins at <paramref name="joinMs"/> and leaves at <paramref name="leaveMs"/>, on a connection of their own.</summary>
    public IEnumerable<SimEvent> Visit(string room, string who, long joinMs, long leaveMs)
    {
        var connection = NextId();
        yield return Joined(room, who, connection, "attendee", joinMs);
        yield return Event(room, who, connection, "participant_left", leaveMs, """{"reason":"left"}""");
    }

    /// <summary>One person joins and leaves at <paramref name="leftAtMs"/>: the session then waits, empty, for its grace period.</summary>
    public IEnumerable<SimEvent> Waiting(string room, long leftAtMs)
    {
        var who = Person(room, 0);
        var connection = NextId();
        yield return Joined(room, who, connection, "moderator", leftAtMs - random.NextInt64(1 * Minute, 10 * Minute));
        yield return Event(room, who, connection, "participant_left", leftAtMs, """{"reason":"left"}""");
    }

    /// <summary>A session still going on at <paramref name="nowMs"/>: two people with audio, video and a quality sample each.</summary>
    public IEnumerable<SimEvent> Live(string room, long nowMs)
    {
        var host = Person(room, 0);
        var guest = Person(room, 1);
        var (hostConnection, guestConnection) = (NextId(), NextId());
        var start = nowMs - random.NextInt64(1 * Minute, 30 * Minute);
        yield return Joined(room, host, hostConnection, "moderator", start);
        yield return Joined(room, guest, guestConnection, "attendee", start + random.NextInt64(5 * Second, 60 * Second));
        yield return Event(room, host, hostConnection, "audio_enabled", start + (61 * Second));
        yield return Event(room, guest, guestConnection, "video_enabled", start + (62 * Second));
        yield return Event(room, host, hostConnection, "quality_sample", start + (65 * Second), """{"rtt_ms":52,"jitter_ms":4,"packet_loss_pct":0.1,"fps":30,"score":4.5}""");
        yield return Event(room, guest, guestConnection, "quality_sample", start + (66 * Second), """{"rtt_ms":95,"jitter_ms":9,"packet_loss_pct":1.3,"fps":24,"score":3.8}""");
    }

    private static string Person(string room, int regular) => string.Create(CultureInfo.InvariantCulture, $"{room}-user-{regular}");

    private SimEvent Joined(string room, string who, string connection, string role, long at) => new(
        NextId(), "participant_joined", at, room, who, who, role, connection,
        """{"client":{"device":"desktop","os":"macOS","browser":"Firefox","network_type":"wifi"}}""");

    /// <summary>Like a media server, every event of a participant names its connection as well as its identity.</summary>
    private SimEvent Event(string room, string who, string connection, string type, long at, string? data = null) =>
        new(NextId(), type, at, room, who, who, null, connection, data);

    private string NextId() => string.Create(CultureInfo.InvariantCulture, $"{idPrefix}{++sequence}");
}
