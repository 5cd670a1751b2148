using Callscope.Core.Ingest;

namespace Callscope.Data.Tests;

/// <summary>Events for store tests, each with an id of its own, received when they happened.</summary>
internal static class TestEvents
{
    private static int counter;

    /// <summary>
    /// An event of <paramref name="room"/> (by name) at <paramref name="at"/>; of <paramref name="who"/>, named in upper case
    /// and on the connection <c>who-1</c>, unless the event is the room's own.
    /// </summary>
    public static IncomingEvent Of(string type, string room, string? who, DateTimeOffset at, string? data = null) =>
        new($"test-event-{Interlocked.Increment(ref counter)}", type, at, at, null, new RoomRef(null, room),
            who is null ? null : new ParticipantRef(who, who.ToUpperInvariant(), null, who + "-1"), data);

    /// <summary>
    /// <paramref name="count"/> quality samples of alice, one a second from <paramref name="start"/> plus
    /// <paramref name="second"/> seconds, spread over <paramref name="rooms"/> rooms in turn; their ids are
    /// <paramref name="prefix"/> and their number, so that a test can send one again.
    /// </summary>
    public static List<IncomingEvent> QualitySamples(string prefix, DateTimeOffset start, int second, int count, int rooms) =>
        [.. Enumerable.Range(0, count).Select(i => new IncomingEvent(
            $"{prefix}{i}", "quality_sample", start.AddSeconds(second + i), start.AddSeconds(second + i), null, new RoomRef(null, $"room-{1 + i % rooms}"),
            new ParticipantRef("alice", "alice", "attendee", "alice-c1"), """{"rtt_ms":42}"""))];
}
