using Callscope.Core.Ingest;
using Callscope.Data.Dialects;
using Callscope.Data.Writing;
using Callscope.Data.Rooms;
using Callscope.Data.Sessions;

namespace Callscope.Data.Tests;

/// <summary>
/// On SQLite a room's events are found through an index the writer copies new events into about once a second, and
/// the newest ones by a scan after the copy's mark. An events log must read the same whichever side of the mark its
/// events are on, with late events (earlier timestamps, stored later) in their place.
/// </summary>
public sealed class RoomIndexTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_events_log_reads_the_same_before_between_and_after_the_copies_into_the_room_index()
    {
        // The writer never copies by itself here: the test says when.
        await using var store = new StoreHarness(T.AddHours(1), "sqlite", SqliteUpkeep.Default with { RoomIndexInterval = Timeout.InfiniteTimeSpan });

        // Alice's log lies in the middle of the room's; Bob's events and another room's are interleaved with hers.
        var first = new List<IncomingEvent> { Event("join-a", "participant_joined", 0, "room-1", "alice") };
        first.AddRange(Enumerable.Range(10, 10).SelectMany(s => new[]
        {
            Event($"a{s}", "quality_sample", s, "room-1", "alice"), Event($"b{s}", "quality_sample", s, "room-1", "bob"),
            Event($"x{s}", "quality_sample", s, "room-2", "alice"),
        }));
        // Late: earlier than what is already stored, and later.
        var second = Enumerable.Range(1, 9).Concat(Enumerable.Range(20, 10)).SelectMany(s => new[]
        {
            Event($"a{s}", "quality_sample", s, "room-1", "alice"), Event($"x{s}", "quality_sample", s, "room-2", "bob"),
        }).Append(Event("leave-a", "participant_left", 30, "room-1", "alice")).ToList();

        var expected = new List<(string Id, long Ts, int Order)>();
        var stored = 0;
        var logs = new List<string>();

        async Task Store(List<IncomingEvent> batch)
        {
            Assert.Equal(batch.Count, (await store.IngestAsync(batch)).Accepted);
            expected.AddRange(batch.Where(e => e.Room.FriendlyUrl == "room-1")
                .Select(e => (e.Id, e.Timestamp.ToUnixTimeMilliseconds(), stored++)).ToList());
            expected.Sort((a, b) => (a.Ts, a.Order).CompareTo((b.Ts, b.Order)));
        }

        string Read() => Describe(store, expected.Select(e => e.Id).ToList());

        await Store(first);
        logs.Add(Read());
        Assert.Equal(first.Count, await store.Pipeline.SendAsync(new IndexRoomsCommand(), TestContext.Current.CancellationToken));
        logs.Add(Read());
        await Store(second);
        logs.Add(Read());
        Assert.Equal(second.Count, await store.Pipeline.SendAsync(new IndexRoomsCommand(), TestContext.Current.CancellationToken));
        Assert.Equal(0, await store.Pipeline.SendAsync(new IndexRoomsCommand(), TestContext.Current.CancellationToken));
        logs.Add(Read());

        // The last reading (everything copied) equals the one with the second batch only after the mark.
        Assert.Equal(logs[2], logs[3]);
        Assert.Equal(logs[0], logs[1]);
        Assert.EndsWith("alice: 11 of 21", logs[0]);
        Assert.EndsWith("alice: 31 of 41", logs[3]);
    }

    [Fact]
    public async Task The_writer_copies_new_events_into_the_room_index_by_itself_also_when_it_falls_idle()
    {
        await using var store = new StoreHarness(T.AddHours(1), "sqlite", SqliteUpkeep.Default with { RoomIndexInterval = TimeSpan.FromMilliseconds(200) });
        var batch = Enumerable.Range(0, 50).Select(s => Event($"e{s}", "quality_sample", s, $"room-{s % 3}", "alice")).ToList();
        Assert.Equal(25, (await store.IngestAsync(batch[..25])).Accepted);
        // Most likely within the interval of the first copy: then only the idle writer copies it.
        Assert.Equal(25, (await store.IngestAsync(batch[25..])).Accepted);

        using var connection = store.Database.Open();
        long Behind() => Dapper.SqlMapper.ExecuteScalar<long>(connection,
            "SELECT (SELECT COUNT(*) FROM events WHERE seq > (SELECT seq FROM event_rooms_mark)) + (SELECT COUNT(*) FROM events) - (SELECT COUNT(*) FROM event_rooms)");
        for (var wait = 0; wait < 300 && Behind() > 0; wait++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Equal(0, Behind());
        var room = new RoomStore(store.Database).Find(store.Team, "room-0")!.Id;
        var log = store.Queries.RoomEvents(store.Team, room, null, null, null, new Paging(Limit: 100, Descending: false));
        Assert.Equal(batch.Where(e => e.Room.FriendlyUrl == "room-0").Select(e => e.Id), log.Data.Select(e => e.Id));
    }

    [Fact]
    public async Task The_newest_events_are_read_by_their_place_after_the_mark_and_not_by_walking_the_team()
    {
        await using var store = new StoreHarness(T.AddHours(1), "sqlite");
        using var connection = store.Database.Open();
        var plan = Dapper.SqlMapper.Query<(long Id, long Parent, long Unused, string Detail)>(connection,
            $"EXPLAIN QUERY PLAN SELECT e.id FROM {store.Database.EventsOfRoom("@room", "@from", "@to")} e WHERE e.room_id = @room AND e.team_id = @team AND e.ts >= @from AND e.ts <= @to",
            new { room = "r", team = "t", from = 0, to = 1 }).Select(r => r.Detail).ToList();

        // The team's filter reaches the scan after the mark too; by the id index it would read every event of the team.
        Assert.Contains(plan, d => d.Contains("USING PRIMARY KEY (room_id=? AND ts>? AND ts<?)", StringComparison.Ordinal));
        Assert.Contains(plan, d => d.Contains("USING INTEGER PRIMARY KEY (rowid>?)", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, d => d.Contains("events_by_id", StringComparison.Ordinal));
    }

    /// <summary>
    /// The room's log and Alice's, read whole in both orders, in pages, and by cursor; each must match the expected
    /// order, and the text returned lets readings at different moments be compared.
    /// </summary>
    private static string Describe(StoreHarness store, List<string> expected)
    {
        var room = new RoomStore(store.Database).Find(store.Team, "room-1")!.Id;
        Page<EventView> Room(Paging paging) => store.Queries.RoomEvents(store.Team, room, null, null, null, paging);

        var ascending = Room(new Paging(Limit: 1000, Descending: false));
        Assert.Equal(expected, ascending.Data.Select(e => e.Id));
        Assert.Equal(expected.Count, ascending.TotalCount);
        Assert.Equal(Enumerable.Reverse(expected), Room(new Paging(Limit: 1000)).Data.Select(e => e.Id));
        Assert.Equal(expected.Skip(5).Take(7), Room(new Paging(Limit: 7, Offset: 5, Descending: false)).Data.Select(e => e.Id));

        var walked = new List<string>();
        for (var page = Room(new Paging(Limit: 6, Descending: false)); page.Data.Count > 0;
             page = Room(new Paging(Limit: 6, Descending: false, After: walked[^1])))
        {
            walked.AddRange(page.Data.Select(e => e.Id));
        }

        Assert.Equal(expected, walked);

        var within = store.Queries.RoomEvents(store.Team, room, T.AddSeconds(12), T.AddSeconds(21), ["quality_sample"], new Paging(Limit: 1000, Descending: false));
        Assert.Equal(expected.Where(id => id.StartsWith('a') || id.StartsWith('b')).Where(id => int.Parse(id[1..]) is >= 12 and <= 21), within.Data.Select(e => e.Id));

        var alice = store.Queries.Participants(store.Team, new ParticipantFilter(RoomId: room), new Paging(Limit: 10)).Data.Single(p => p.ExternalId == "alice");
        var aliceLog = store.Queries.Events(store.Team, alice, null, new Paging(Limit: 1000, Descending: false));
        Assert.Equal(expected.Where(id => !id.StartsWith('b')), aliceLog.Data.Select(e => e.Id));
        return $"room: {string.Join(",", ascending.Data.Select(e => $"{e.Id}@{e.Seq}"))}; alice: {aliceLog.TotalCount} of {ascending.TotalCount}";
    }

    private static IncomingEvent Event(string id, string type, int second, string room, string person) => new(
        id, type, T.AddSeconds(second), T.AddSeconds(second), null, new RoomRef(null, room),
        new ParticipantRef(person, person, "attendee", $"{person}-{room}-c1"),
        type == "quality_sample" ? """{"rtt_ms":42}""" : null);
}
