using Callscope.Core;
using Callscope.Core.Events;
using Callscope.Core.Ingest;
using Callscope.Core.Law;
using Callscope.Data.Writing;
using Callscope.Data.Rooms;
using Callscope.Data.Sessions;
using Dapper;

namespace Callscope.Data.Tests;

/// <summary>
/// The end-by-deadline rule has a SQL form (<see cref="SessionLiveness"/>) and a C# form (<see cref="StoredSession"/>):
/// on the real store, both must say the same of every session just before, at and just after its deadline, with and
/// without a deadline, before and after the writer's expiry has written the ends.
/// </summary>
public sealed class SessionLivenessTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Start = T.AddMinutes(5);
    private static readonly TimeSpan Millisecond = TimeSpan.FromMilliseconds(1);

    [Fact]
    public async Task Sql_conditions_and_the_core_rule_agree_on_every_session_around_its_deadline()
    {
        await using var store = await FourRoomsAsync();
        var deadlines = Rows(store).Select(r => r.Deadline).OfType<long>().Select(DbTime.At).ToList();
        Assert.Equal(2, deadlines.Count);
        var instants = deadlines
            .SelectMany(d => new[] { d - Millisecond, d, d + Millisecond })
            .Append(Start)
            .Append(Start.AddDays(1))
            .Distinct()
            .Order();

        foreach (var now in instants)
        {
            store.Clock.SetUtcNow(now);
            AssertReadsAgree(store, now);
        }
    }

    [Fact]
    public async Task Expiry_writes_the_ends_that_reads_already_showed()
    {
        await using var store = await FourRoomsAsync();
        store.Clock.SetUtcNow(Start.AddDays(1));
        var before = Views(store);
        Assert.True(store.Queries.AnyDue());

        var expired = await store.Pipeline.SendAsync(new ExpireCommand(), TestContext.Current.CancellationToken);

        Assert.Equal(2, expired);
        Assert.False(store.Queries.AnyDue());
        Assert.Equal(before, Views(store));
        AssertReadsAgree(store, store.Clock.GetUtcNow());
    }

    /// <summary>
    /// Four rooms at <see cref="Start"/>: one emptied (due by grace), one occupied with no deadline, one occupied with
    /// a session length (due by length), one ended by a moderator.
    /// </summary>
    private static async Task<StoreHarness> FourRoomsAsync()
    {
        var store = new StoreHarness(Start);
        await store.Pipeline.SendAsync(new CreateRoomCommand(store.Team, new RoomSettings("timed", null, null, null, SessionLength: 600, null)),
            TestContext.Current.CancellationToken);
        var result = await store.IngestAsync(
        [
            Event(EventTypes.ParticipantJoined, "emptied", "a", T),
            Event(EventTypes.ParticipantLeft, "emptied", "a", T.AddMinutes(2)),
            Event(EventTypes.ParticipantJoined, "occupied", "b", T.AddMinutes(1)),
            Event(EventTypes.ParticipantJoined, "timed", "c", T),
            Event(EventTypes.ParticipantJoined, "ended", "d", T),
            Event(EventTypes.SessionEnded, "ended", null, T.AddMinutes(3), """{"ended_by":"d"}"""),
        ]);
        Assert.False(result.Rejected);
        return store;
    }

    private static void AssertReadsAgree(StoreHarness store, DateTimeOffset now)
    {
        var rows = Rows(store);
        Assert.Equal(4, rows.Count);
        var states = rows.ToDictionary(r => r.Id, r => r.Stored.At(now));
        foreach (var row in rows)
        {
            var at = states[row.Id];
            var when = $"session of {row.Room} at {now:O}";
            Assert.True(row.Live == (at.Ended ? 0 : 1), $"{when}: live");
            Assert.True(row.Ended == (at.Ended ? 1 : 0), $"{when}: ended");
            Assert.True(row.Due == (row.Stored.IsDueAt(now) ? 1 : 0), $"{when}: due");

            var view = store.Queries.Find(store.Team, row.Id);
            Assert.NotNull(view);
            Assert.Equal((at.Status, at.End, at.EndReason, at.EndingAt, at.LastParticipantLeftAt),
                (view.Status, view.End, view.EndReason, view.EndingAt, view.LastParticipantLeftAt));
            foreach (var participant in store.Queries.Participants(store.Team, new ParticipantFilter(SessionId: view.Id), new Paging()).Data)
            {
                Assert.True(!participant.Live || !at.Ended, $"{when}: a participant of an ended session is not live");
            }
        }

        var live = rows.Where(r => !states[r.Id].Ended).Select(r => r.Id).Order().ToList();
        var ended = rows.Where(r => states[r.Id].Ended).Select(r => r.Id).Order().ToList();
        Assert.Equal(live, Listed(store, live: true));
        Assert.Equal(ended, Listed(store, live: false));
        Assert.Equal(rows.Any(r => r.Stored.IsDueAt(now)), store.Queries.AnyDue());

        var counts = new DashboardQueries(store.Database, store.Clock).Live(store.Team);
        Assert.Equal(states.Values.Count(s => s.Status == SessionStatus.Live), counts.ActiveSessions);
        Assert.Equal(states.Values.Count(s => s.Status == SessionStatus.EndingSoon), counts.EndingSoonSessions);
    }

    private static List<string> Listed(StoreHarness store, bool live)
    {
        var page = store.Queries.List(store.Team, new SessionFilter(Live: live), new Paging());
        Assert.Equal(page.Data.Count, page.TotalCount);
        return [.. page.Data.Select(s => s.Id.ToString()).Order()];
    }

    private static List<string> Views(StoreHarness store) =>
        [.. store.Queries.List(store.Team, new SessionFilter(), new Paging()).Data.Select(v => v.ToString()).Order()];

    private static List<SessionRow> Rows(StoreHarness store)
    {
        using var connection = store.Database.Open();
        return [.. connection.Query<SessionRow>(
            $"""
            SELECT s.id AS Id, r.friendly_url AS Room, s.end_time AS EndTime, s.end_reason AS EndReason, s.deadline AS Deadline,
                s.deadline_reason AS DeadlineReason, s.active_connections AS ActiveConnections, s.last_left_at AS LastLeftAt,
                CAST(CASE WHEN {SessionLiveness.Live} THEN 1 ELSE 0 END AS BIGINT) AS Live,
                CAST(CASE WHEN {SessionLiveness.Ended} THEN 1 ELSE 0 END AS BIGINT) AS Ended,
                CAST(CASE WHEN {SessionLiveness.Due} THEN 1 ELSE 0 END AS BIGINT) AS Due
            FROM sessions s JOIN rooms r ON r.id = s.room_id
            WHERE s.team_id = @team
            """,
            new { team = store.Team.ToString(), now = DbTime.Ms(store.Clock.GetUtcNow()) })];
    }

    private sealed record SessionRow(string Id, string Room, long? EndTime, string? EndReason, long? Deadline, string? DeadlineReason,
        long ActiveConnections, long? LastLeftAt, long Live, long Ended, long Due)
    {
        public StoredSession Stored => new(DbTime.At(EndTime), EndReason, DbTime.At(Deadline), DeadlineReason, (int)ActiveConnections, DbTime.At(LastLeftAt));
    }

    private static int counter;

    private static IncomingEvent Event(string type, string room, string? who, DateTimeOffset at, string? data = null) =>
        new($"liveness-{Interlocked.Increment(ref counter)}", type, at, Start, null, new RoomRef(null, room),
            who is null ? null : new ParticipantRef(who, who.ToUpperInvariant(), null, who + "-1"), data);
}
