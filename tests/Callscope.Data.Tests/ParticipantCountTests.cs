using Callscope.Core;
using Callscope.Core.Events;
using Callscope.Core.Ingest;
using Callscope.Data.Sessions;
using Callscope.Data.Writing;
using Dapper;

namespace Callscope.Data.Tests;

/// <summary>
/// The total of a team's or a room's participant list comes from the rooms' participant counts, kept by triggers on the
/// session rows (migrations <c>Sqlite/0022_participant_counts</c>, <c>Postgres/0023_participant_counts</c>), and from the
/// few participants connected now: it must be the number of participants the list walks, through new sessions, a late
/// join, a late event that rebuilds a room's participants, retention deleting a room's past, and an upgrade of a store
/// written before the counts.
/// </summary>
public sealed class ParticipantCountTests
{
    private static readonly DateTimeOffset T = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_list_total_is_the_number_of_participants_it_walks_as_rooms_gain_rebuild_and_lose_their_past()
    {
        await using var store = new StoreHarness(T.AddDays(3));
        Assert.False((await store.IngestAsync(History())).Rejected);
        var rooms = Rooms(store);
        Assert.Equal(10, AssertTotals(store, rooms));

        // A late join inside the first standup: the writer rebuilds that room's participants (deleted and written again).
        Assert.False((await store.IngestAsync([TestEvents.Of(EventTypes.ParticipantJoined, "standup", "dee", T.AddMinutes(3))])).Rejected);
        Assert.Equal(11, AssertTotals(store, rooms));

        // Someone joins the live retro: its session row is updated, not inserted.
        Assert.False((await store.IngestAsync([TestEvents.Of(EventTypes.ParticipantJoined, "retro", "ivy", T.AddDays(2).AddHours(13))])).Rejected);
        Assert.Equal(12, AssertTotals(store, rooms, "fay", "gus", "ivy"));

        // Retention deletes the ended past of every room: only the live session's participants stay.
        var step = await store.Pipeline.SendAsync(new RetentionCommand(store.Team, DbTime.Ms(T.AddDays(2)), [.. rooms.Values], 10_000), Ct);
        Assert.True(step.Finished);
        Assert.Equal(4, AssertTotals(store, rooms, "fay", "gus", "ivy"));
    }

    [Fact]
    public async Task A_store_written_before_the_counts_gets_them_from_its_rows_on_upgrade()
    {
        await using var store = new StoreHarness(T.AddDays(3));
        Assert.False((await store.IngestAsync(History())).Rejected);
        var postgres = store.Database.Provider == DatabaseProvider.Postgres;
        var migration = postgres ? "0023_participant_counts" : "0022_participant_counts";
        using (var connection = store.Database.Open())
        {
            // As migration 0004 and 0018 left it: sessions counted by triggers of their own, and an index of those counts.
            connection.Execute(postgres
                ? "DROP TRIGGER sessions_participants_counted ON sessions"
                : """
                  DROP TRIGGER sessions_participants_counted;
                  DROP TRIGGER sessions_counted;
                  DROP TRIGGER sessions_uncounted;
                  CREATE TRIGGER sessions_counted AFTER INSERT ON sessions BEGIN
                      UPDATE rooms SET session_count = session_count + 1 WHERE team_id = NEW.team_id AND id = NEW.room_id;
                  END;
                  CREATE TRIGGER sessions_uncounted AFTER DELETE ON sessions BEGIN
                      UPDATE rooms SET session_count = session_count - 1 WHERE team_id = OLD.team_id AND id = OLD.room_id;
                  END;
                  """);
            connection.Execute("DROP INDEX participants_live; DROP INDEX rooms_session_counts");
            connection.Execute("ALTER TABLE rooms DROP COLUMN participant_count");
            connection.Execute("CREATE INDEX rooms_session_counts ON rooms (team_id, session_count)");
            connection.Execute($"DELETE FROM schemaversions WHERE scriptname LIKE '%.{migration}.sql'");
        }

        var ran = store.Database.Migrate(T.AddDays(3));

        Assert.EndsWith($".{migration}.sql", Assert.Single(ran), StringComparison.Ordinal);
        Assert.Equal(10, AssertTotals(store, Rooms(store)));
    }

    /// <summary>
    /// Three rooms: standup with two ended sessions (three people, then two), planning with one ended session of two, and
    /// retro live with three people of whom one left. Ten participants, two connected now.
    /// </summary>
    private static List<IncomingEvent> History()
    {
        var events = new List<IncomingEvent>();
        foreach (var (room, start, people, end) in new[]
        {
            ("standup", T, new[] { "ana", "ben", "cy" }, true),
            ("standup", T.AddHours(1), ["ana", "ben"], true),
            ("planning", T.AddMinutes(10), ["ana", "eve"], true),
            ("retro", T.AddDays(2).AddHours(12), ["fay", "gus", "hal"], false),
        })
        {
            foreach (var who in people)
            {
                events.Add(TestEvents.Of(EventTypes.ParticipantJoined, room, who, start));
            }

            if (end)
            {
                events.Add(TestEvents.Of(EventTypes.SessionEnded, room, null, start.AddMinutes(20), """{"ended_by":"ana"}"""));
            }
        }

        events.Add(TestEvents.Of(EventTypes.ParticipantLeft, "retro", "hal", T.AddDays(2).AddHours(12).AddMinutes(5)));
        return events;
    }

    private static Dictionary<string, RoomId> Rooms(StoreHarness store) =>
        store.Queries.List(store.Team, new SessionFilter(), new Paging(Limit: 100)).Data
            .DistinctBy(s => s.RoomId).ToDictionary(s => s.RoomFriendlyUrl, s => s.RoomId);

    /// <summary>
    /// Checks every list's total (the team's and each room's; all, connected now and not) against the participants it
    /// walks, and the team's against the table, with the people connected now (fay and gus unless named); returns the
    /// team's total.
    /// </summary>
    private static int AssertTotals(StoreHarness store, Dictionary<string, RoomId> rooms, params string[] connectedNow)
    {
        connectedNow = connectedNow.Length == 0 ? ["fay", "gus"] : connectedNow;
        foreach (var room in rooms.Values.Select(r => (RoomId?)r).Append(null))
        {
            foreach (var live in new bool?[] { null, true, false })
            {
                var filter = new ParticipantFilter(Live: live, RoomId: room);
                var walked = store.Queries.ParticipantsAll(store.Team, filter, descending: true, chunk: 2).Count();
                Assert.True(walked == store.Queries.Participants(store.Team, filter, new Paging(Limit: 1)).TotalCount, $"room {room}, live {live}");
            }
        }

        var connected = store.Queries.Participants(store.Team, new ParticipantFilter(Live: true), new Paging(Limit: 100)).Data;
        Assert.Equal(connectedNow, connected.Select(p => p.ExternalId).Order(StringComparer.Ordinal));
        using var connection = store.Database.Open();
        var stored = connection.ExecuteScalar<int>("SELECT COUNT(*) FROM participants WHERE team_id = @team", new { team = store.Team.ToString() });
        Assert.Equal(stored, store.Queries.Participants(store.Team, new ParticipantFilter(), new Paging(Limit: 1)).TotalCount);
        return stored;
    }
}
