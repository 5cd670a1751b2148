using Callscope.Core;
using Callscope.Core.Events;
using Callscope.Data.Sessions;

namespace Callscope.Data.Tests;

/// <summary>
/// <c>active_recorders</c> is counted for all live sessions in one statement; it must say what each live session's own
/// recording says (<see cref="SessionQueries.Activity"/>), however the recording events of the room lie around it.
/// </summary>
public sealed class ActiveRecordersTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Counts_the_live_sessions_whose_latest_recording_event_since_their_start_is_a_start()
    {
        await using var store = new StoreHarness(T.AddHours(1));
        // An earlier session of "again" recorded and ended; its recording must not carry into the live one.
        var result = await store.IngestAsync(
        [
            TestEvents.Of(EventTypes.ParticipantJoined, "again", "z", T.AddMinutes(-30)),
            TestEvents.Of("recording_started", "again", null, T.AddMinutes(-29)),
            TestEvents.Of(EventTypes.SessionEnded, "again", null, T.AddMinutes(-20), """{"ended_by":"z"}"""),
            TestEvents.Of(EventTypes.ParticipantJoined, "again", "y", T),

            TestEvents.Of(EventTypes.ParticipantJoined, "running", "a", T),
            TestEvents.Of("recording_started", "running", null, T.AddMinutes(1)),

            TestEvents.Of(EventTypes.ParticipantJoined, "stopped", "b", T),
            TestEvents.Of("recording_started", "stopped", null, T.AddMinutes(1)),
            TestEvents.Of("recording_stopped", "stopped", null, T.AddMinutes(2)),

            TestEvents.Of(EventTypes.ParticipantJoined, "restarted", "c", T),
            TestEvents.Of("recording_started", "restarted", null, T.AddMinutes(1)),
            TestEvents.Of("recording_failed", "restarted", null, T.AddMinutes(2)),
            TestEvents.Of("recording_started", "restarted", null, T.AddMinutes(3)),

            TestEvents.Of(EventTypes.ParticipantJoined, "none", "d", T),

            // Recording ended by a session end: the room's next session starts without it.
            TestEvents.Of(EventTypes.ParticipantJoined, "closed", "e", T.AddMinutes(-10)),
            TestEvents.Of("recording_started", "closed", null, T.AddMinutes(-9)),
            TestEvents.Of(EventTypes.SessionEnded, "closed", null, T.AddMinutes(-5), """{"ended_by":"e"}"""),
            TestEvents.Of(EventTypes.ParticipantJoined, "closed", "f", T.AddMinutes(1)),
        ]);
        Assert.False(result.Rejected);

        var live = store.Queries.List(store.Team, new SessionFilter(Live: true), new Paging(Limit: 100)).Data;
        Assert.Equal(6, live.Count);
        var recording = live.Where(s => store.Queries.Activity(store.Team, s).Recording).Select(s => s.RoomFriendlyUrl).Order().ToList();
        Assert.Equal(["restarted", "running"], recording);
        Assert.Equal(recording.Count, store.Queries.ActiveRecorders(store.Team));

        // A recording that starts later than now is not running yet.
        await store.IngestAsync([TestEvents.Of("recording_started", "none", null, T.AddHours(2))]);
        Assert.Equal(2, store.Queries.ActiveRecorders(store.Team));
        store.Clock.SetUtcNow(T.AddHours(3));
        Assert.Equal(3, store.Queries.ActiveRecorders(store.Team));
    }
}
