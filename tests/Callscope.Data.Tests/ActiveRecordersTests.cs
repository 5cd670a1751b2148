using Callscope.Core;
using Callscope.Core.Events;
using Callscope.Core.Ingest;
using Callscope.Data.Sessions;

namespace Callscope.Data.Tests;

/// <summary>
/// <c>active_recorders</c> is counted for all live sessions in one statement; it must say what each live session's own
/// recording says (<see cref="SessionQueries.Activity"/>), however the recording events of the room lie around it.
/// </summary>
public sealed class ActiveRecordersTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
    private static int counter;

    [Fact]
    public async Task Counts_the_live_sessions_whose_latest_recording_event_since_their_start_is_a_start()
    {
        await using var store = new StoreHarness(T.AddHours(1));
        // An earlier session of "again" recorded and ended; its recording must not carry into the live one.
        var result = await store.IngestAsync(
        [
            Event(EventTypes.ParticipantJoined, "again", "z", T.AddMinutes(-30)),
            Event("recording_started", "again", null, T.AddMinutes(-29)),
            Event(EventTypes.SessionEnded, "again", null, T.AddMinutes(-20), """{"ended_by":"z"}"""),
            Event(EventTypes.ParticipantJoined, "again", "y", T),

            Event(EventTypes.ParticipantJoined, "running", "a", T),
            Event("recording_started", "running", null, T.AddMinutes(1)),

            Event(EventTypes.ParticipantJoined, "stopped", "b", T),
            Event("recording_started", "stopped", null, T.AddMinutes(1)),
            Event("recording_stopped", "stopped", null, T.AddMinutes(2)),

            Event(EventTypes.ParticipantJoined, "restarted", "c", T),
            Event("recording_started", "restarted", null, T.AddMinutes(1)),
            Event("recording_failed", "restarted", null, T.AddMinutes(2)),
            Event("recording_started", "restarted", null, T.AddMinutes(3)),

            Event(EventTypes.ParticipantJoined, "none", "d", T),

            // Recording ended by a session end: the room's next session starts without it.
            Event(EventTypes.ParticipantJoined, "closed", "e", T.AddMinutes(-10)),
            Event("recording_started", "closed", null, T.AddMinutes(-9)),
            Event(EventTypes.SessionEnded, "closed", null, T.AddMinutes(-5), """{"ended_by":"e"}"""),
            Event(EventTypes.ParticipantJoined, "closed", "f", T.AddMinutes(1)),
        ]);
        Assert.False(result.Rejected);

        var live = store.Queries.List(store.Team, new SessionFilter(Live: true), new Paging(Limit: 100)).Data;
        Assert.Equal(6, live.Count);
        var recording = live.Where(s => store.Queries.Activity(store.Team, s).Recording).Select(s => s.RoomFriendlyUrl).Order().ToList();
        Assert.Equal(["restarted", "running"], recording);
        Assert.Equal(recording.Count, store.Queries.ActiveRecorders(store.Team));

        // A recording that starts later than now is not running yet.
        await store.IngestAsync([Event("recording_started", "none", null, T.AddHours(2))]);
        Assert.Equal(2, store.Queries.ActiveRecorders(store.Team));
        store.Clock.SetUtcNow(T.AddHours(3));
        Assert.Equal(3, store.Queries.ActiveRecorders(store.Team));
    }

    private static IncomingEvent Event(string type, string room, string? who, DateTimeOffset at, string? data = null) =>
        new($"recorders-{Interlocked.Increment(ref counter)}", type, at, at, null, new RoomRef(null, room),
            who is null ? null : new ParticipantRef(who, who.ToUpperInvariant(), null, who + "-1"), data);
}
