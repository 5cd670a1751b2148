using Callscope.Core;
using Callscope.Core.Ingest;
using Callscope.Data.Usage;

namespace Callscope.Data.Tests.Usage;

/// <summary>
/// What the statistics keep between reads (the rooms of stored days, the hour under way) must never outlive a change:
/// one <see cref="UsageQueries"/> answers before and after late events and the worker's stores, and every answer must
/// equal the direct computation.
/// </summary>
public sealed class UsageKeptReadsTests
{
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
    private static int counter;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_rooms_of_stored_days_are_read_again_after_the_worker_stores_a_late_session()
    {
        await using var store = new StoreHarness(Day.AddDays(3));
        var worker = new UsageWorker(store.Database, store.Pipeline, store.Clock);
        var queries = new UsageQueries(store.Database, store.Clock);
        await Call(store, "alpha", Day.AddHours(9));
        await worker.CatchUpAsync(Ct);
        Assert.Equal(1, AssertSame(store, queries).Rooms);

        // A late call in another room on the same stored day: measured while its room is marked, stored after.
        await Call(store, "beta", Day.AddHours(11));
        Assert.Equal(2, AssertSame(store, queries).Rooms);
        await worker.CatchUpAsync(Ct);
        Assert.Equal(2, AssertSame(store, queries).Rooms);
    }

    [Fact]
    public async Task The_hour_under_way_follows_writes_and_the_time_passing_without_any()
    {
        var now = Day.AddDays(1).AddHours(10).AddMinutes(5);
        await using var store = new StoreHarness(now);
        var queries = new UsageQueries(store.Database, store.Clock);
        await store.IngestAsync([Event("participant_joined", "alpha", "ana", now.AddMinutes(-4))]);
        var first = AssertSame(store, queries, now.AddHours(-1));
        Assert.Equal(1, first.MaxConcurrentParticipants);

        // Nothing written: the open connection's minutes grow with the clock, and the answer comes from what was kept.
        var reused = queries.HourReused;
        store.Clock.Advance(TimeSpan.FromMinutes(6));
        var later = AssertSame(store, queries, now.AddHours(-1));
        Assert.Equal(first.ParticipationMinutes + 6, later.ParticipationMinutes, 2);
        Assert.True(queries.HourReused > reused);

        // A join in another room and a leave in the first: both rooms are read again.
        await store.IngestAsync([Event("participant_joined", "beta", "bo", store.Clock.GetUtcNow().AddMinutes(-1))]);
        Assert.Equal(2, AssertSame(store, queries, now.AddHours(-1)).MaxConcurrentSessions);
        await store.IngestAsync([Event("participant_left", "alpha", "ana", store.Clock.GetUtcNow())]);
        store.Clock.Advance(TimeSpan.FromMinutes(9));
        var after = AssertSame(store, queries, now.AddHours(-1));
        Assert.Equal(2, after.MaxConcurrentParticipants);

        // A late call in the hour before: its room joins the rooms of the day so far, which were kept.
        await Call(store, "gamma", now.AddMinutes(-40));
        Assert.Equal(3, AssertSame(store, queries, now.AddHours(-1)).Rooms);

        // The next hour starts afresh.
        store.Clock.Advance(TimeSpan.FromHours(1));
        AssertSame(store, queries, now);
    }

    [Fact]
    public async Task A_read_of_sessions_holds_one_copy_of_each_room_and_session_id()
    {
        // The hour under way is kept between reads: a busy team's hour is every live session and its participants, so
        // the read must not keep a copy of a session's id per participant, or of a room's id per session.
        var now = Day.AddDays(1).AddHours(10);
        await using var store = new StoreHarness(now);
        await store.IngestAsync(
        [
            Event("participant_joined", "alpha", "ana", now.AddMinutes(-50)),
            Event("participant_joined", "alpha", "bo", now.AddMinutes(-49)),
            Event("participant_left", "alpha", "ana", now.AddMinutes(-40)),
            Event("participant_left", "alpha", "bo", now.AddMinutes(-40)),
            Event("participant_joined", "alpha", "cy", now.AddMinutes(-20)),
            Event("participant_joined", "alpha", "di", now.AddMinutes(-19)),
        ]);
        store.Clock.Advance(TimeSpan.FromMinutes(1));

        using var connection = store.Database.Open();
        using var transaction = connection.BeginTransaction();
        var (sessions, participants) = UsageSource.Read(connection, transaction, store.Team.ToString(), "", null,
            DbTime.Ms(now.AddHours(-1)), DbTime.Ms(now.AddHours(1)), longest: null);

        Assert.Equal(2, sessions.Count);
        Assert.Same(sessions[0].Room, sessions[1].Room);
        Assert.Equal(4, participants.Count);
        var ids = sessions.ToDictionary(s => s.Id);
        Assert.All(participants, p => Assert.Same(ids[p.Session].Id, p.Session));
    }

    private static UsageFigures AssertSame(StoreHarness store, UsageQueries queries, DateTimeOffset? from = null)
    {
        var (a, b) = (from ?? Day, from is null ? Day.AddDays(1) : store.Clock.GetUtcNow().AddHours(1));
        var expected = new UsageReference(store.Database, store.Clock).Team(store.Team, a, b);
        var actual = queries.Team(store.Team, a, b);
        Assert.Equal(expected, actual);
        return actual;
    }

    private static async Task Call(StoreHarness store, string room, DateTimeOffset at)
    {
        var result = await store.IngestAsync(
        [
            Event("participant_joined", room, room + "-1", at),
            Event("participant_left", room, room + "-1", at.AddMinutes(30)),
        ]);
        Assert.Empty(result.Problems);
    }

    private static IncomingEvent Event(string type, string room, string who, DateTimeOffset at) =>
        new($"kept-{Interlocked.Increment(ref counter)}", type, at, at, null, new RoomRef(null, room), new ParticipantRef(who, who, "attendee", who + "-c"), null);
}
