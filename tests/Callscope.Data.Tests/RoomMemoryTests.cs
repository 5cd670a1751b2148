using Callscope.Core.Events;
using Callscope.Core.Ingest;
using Callscope.Core.Law;
using Callscope.Data.Writing;
using static Callscope.Data.Tests.PersistedLawTests;

namespace Callscope.Data.Tests;

/// <summary>
/// The writer holds the law state of the rooms in use only: a room unused for a while, or pushed out by busier
/// rooms, is dropped and rebuilt from its stored events on its next write, and the store ends up the same as when
/// every room stays in memory.
/// </summary>
public sealed class RoomMemoryTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_idle_room_is_dropped_and_rebuilt_from_its_events_with_the_same_sessions()
    {
        await using var kept = new StoreHarness(T, memory: WriterMemory.Default with { RoomIdle = TimeSpan.FromDays(1) });
        await using var dropped = new StoreHarness(T, memory: WriterMemory.Default with { RoomIdle = TimeSpan.FromMinutes(3) });
        var events = new List<IncomingEvent>();

        async Task At(TimeSpan after, params IncomingEvent[] batch)
        {
            events.AddRange(batch.Where(e => e.Room.FriendlyUrl == "alpha"));
            foreach (var store in new[] { kept, dropped })
            {
                store.Clock.SetUtcNow(T + after);
                Assert.False((await store.IngestAsync(batch)).Rejected);
            }
        }

        await At(TimeSpan.Zero,
            Sent(EventTypes.ParticipantJoined, "alpha", "ann", "c1", T), Sent(EventTypes.ParticipantJoined, "alpha", "bob", "c2", T.AddSeconds(4)));
        Assert.Equal(1, dropped.Pipeline.CachedRooms);

        // Four minutes without an event in alpha, while both are still in the call: the next write drops alpha's state.
        await At(TimeSpan.FromMinutes(4), Sent(EventTypes.ParticipantJoined, "beta", "cy", "c3", T.AddMinutes(4)));
        Assert.Equal(1, dropped.Pipeline.CachedRooms);
        Assert.Equal(2, kept.Pipeline.CachedRooms);

        // The live session goes on from the rebuilt state: a leave, a reconnection, a quality sample, then both leave.
        await At(TimeSpan.FromMinutes(5),
            Sent(EventTypes.ParticipantLeft, "alpha", "bob", "c2", T.AddMinutes(5), """{"reason":"network"}"""),
            Sent(EventTypes.ParticipantJoined, "alpha", "bob", "c4", T.AddMinutes(5).AddSeconds(3)));
        Assert.Equal(2, dropped.Pipeline.CachedRooms);
        await At(TimeSpan.FromMinutes(9), Sent("quality_sample", "alpha", "ann", "c1", T.AddMinutes(9), """{"rtt_ms":40}"""));
        await At(TimeSpan.FromMinutes(14),
            Sent(EventTypes.ParticipantLeft, "alpha", "ann", "c1", T.AddMinutes(14)), Sent(EventTypes.ParticipantLeft, "alpha", "bob", "c4", T.AddMinutes(14)));

        // The empty session's grace runs out while alpha is out of memory again; the sweeper ends it from a rebuild.
        await At(TimeSpan.FromMinutes(18), Sent(EventTypes.ParticipantLeft, "beta", "cy", "c3", T.AddMinutes(18)));
        Assert.False(dropped.Pipeline.HoldsRoom(RoomOf(dropped, "alpha")));
        foreach (var store in new[] { kept, dropped })
        {
            store.Clock.SetUtcNow(T.AddMinutes(22));
            Assert.Equal(1, await store.Pipeline.SendAsync(new ExpireCommand(), TestContext.Current.CancellationToken));
        }

        // The end written from the stored row is the row the law writes: same end, reason and counts.
        Assert.Equal(Rows(kept), Rows(dropped));

        // A later session in the same room starts from a rebuilt state too.
        await At(TimeSpan.FromMinutes(40), Sent(EventTypes.ParticipantJoined, "alpha", "ann", "c5", T.AddMinutes(40)));

        var expected = Describe(RoomLaw.Compute(events.Select(e => e.ToLaw()).OfType<LawEvent>(), RoomPolicy.Default, T.AddMinutes(40)));
        Assert.Equal(2, expected.Split('\n').Count(line => line.StartsWith("session", StringComparison.Ordinal)));
        Assert.Equal(expected, Describe(Stored(kept, "alpha")));
        Assert.Equal(expected, Describe(Stored(dropped, "alpha")));
        Assert.Equal(Rows(kept), Rows(dropped));
    }

    /// <summary>Every session row as lists show it, the counts the store keeps with it included.</summary>
    private static string Rows(StoreHarness store) => string.Join("\n",
        store.Queries.List(store.Team, new Sessions.SessionFilter(), new Sessions.Paging(Limit: 100, Descending: false)).Data
            .Select(s => $"{s.RoomFriendlyUrl} {s.Start:HH:mm:ss} {s.End:HH:mm:ss} {s.EndReason} {s.Status} {s.EndingAt:HH:mm:ss} " +
                $"live={s.ParticipantsLive} total={s.ParticipantsTotal} max={s.MaxConcurrentParticipants} grace={s.GracePeriodSeconds}"));

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 12)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task A_writer_that_holds_one_room_stores_what_the_law_computes_for_rooms_written_in_turn(int seed)
    {
        var random = new Random(seed);
        var events = Generate(random);
        var now = events.Max(e => e.ReceivedAt);
        await using var store = new StoreHarness(now, memory: WriterMemory.Default with { Rooms = 1 });

        foreach (var batch in events.OrderBy(e => e.Timestamp).Chunk(1 + random.Next(4)))
        {
            Assert.False((await store.IngestAsync(batch)).Rejected);
            Assert.True(store.Pipeline.CachedRooms <= 1);
        }

        foreach (var room in events.Select(e => e.Room.FriendlyUrl!).Distinct())
        {
            var expected = RoomLaw.Compute(events.Where(e => e.Room.FriendlyUrl == room).Select(e => e.ToLaw()).OfType<LawEvent>(), RoomPolicy.Default, now);
            Assert.Equal(Describe(expected), Describe(Stored(store, room)));
        }
    }

    private static Core.RoomId RoomOf(StoreHarness store, string friendlyUrl) =>
        store.Queries.List(store.Team, new Sessions.SessionFilter(Query: friendlyUrl), new Sessions.Paging(Limit: 1)).Data[0].RoomId;

    /// <summary>An event received as it happens, as a live call sends it.</summary>
    private static IncomingEvent Sent(string type, string room, string who, string connection, DateTimeOffset at, string? data = null) =>
        Event(type, room, who, connection, at, data, received: at);
}
