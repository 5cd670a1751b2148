using System.Text;
using System.Text.Json;
using Callscope.Core.Events;
using Callscope.Core.Ingest;
using Callscope.Core.Law;
using Callscope.Data.Sessions;

namespace Callscope.Data.Tests;

/// <summary>
/// The store must hold exactly what the pure law computes over the whole event set, whatever the batches, their
/// order and their duplicates: this exercises the writer's fast path, its recomputation and the id matching.
/// </summary>
public sealed class PersistedLawTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = T.AddHours(6);

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 40)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Stored_sessions_equal_the_law_over_the_whole_event_set_for_any_batching(int seed)
    {
        var random = new Random(seed);
        var events = Generate(random);
        var delivered = events.Concat(events.Where(_ => random.NextDouble() < 0.2)).OrderBy(_ => random.Next()).ToList();
        await using var store = new StoreHarness(Now);

        for (var i = 0; i < delivered.Count;)
        {
            var size = 1 + random.Next(12);
            var result = await store.IngestAsync(delivered.Skip(i).Take(size).ToList());
            Assert.False(result.Rejected);
            i += size;
        }

        var expectedTotal = 0;
        foreach (var room in events.Select(e => e.Room.FriendlyUrl!).Distinct())
        {
            var expected = RoomLaw.Compute(events.Where(e => e.Room.FriendlyUrl == room).Select(e => e.ToLaw()).OfType<LawEvent>(), RoomPolicy.Default, Now);
            Assert.Equal(Describe(expected), Describe(Stored(store, room)));
            expectedTotal += expected.Count;
        }

        // The list's totals come from counts the store keeps as sessions are written and rewritten: they must match
        // the sessions themselves.
        int Total(bool? live) => store.Queries.List(store.Team, new SessionFilter(Live: live), new Paging(Limit: 1)).TotalCount;
        var live = store.Queries.List(store.Team, new SessionFilter(Live: true), new Paging(Limit: 100)).Data.Count;
        Assert.Equal(expectedTotal, Total(null));
        Assert.Equal(live, Total(true));
        Assert.Equal(expectedTotal - live, Total(false));

        // A search reads a narrow result from its hits and walks the time index for a broad one, and hands its matched
        // rooms on as a list or, past a limit, as a query: every way gives the same sessions, totals and pages.
        SessionQueries[] others =
        [
            new(store.Database, store.Clock) { NarrowSearchLimit = -1 },
            new(store.Database, store.Clock) { ListedRoomLimit = -1 },
            new(store.Database, store.Clock) { NarrowSearchLimit = -1, ListedRoomLimit = -1 },
        ];
        foreach (var (query, offset) in new[] { ("alpha", 0), ("a", 0), ("ET", 1), ("lph", 0), ("nothing", 0) })
        {
            string Page(SessionQueries queries)
            {
                var page = queries.List(store.Team, new SessionFilter(Query: query), new Paging(Limit: 3, Offset: offset));
                return $"{page.TotalCount}: {string.Join(", ", page.Data.Select(s => s.Id))}";
            }

            var expected = Page(store.Queries);
            Assert.Equal(query == "nothing", expected.StartsWith("0:", StringComparison.Ordinal));
            Assert.All(others, other => Assert.Equal(expected, Page(other)));
        }
    }

    [Fact]
    public async Task A_search_walked_one_session_at_a_time_gives_the_sessions_of_its_page()
    {
        // The walk settles its search once and pages on by cursor: every chunk after the first reuses it.
        await using var store = new StoreHarness(Now);
        await store.IngestAsync(Generate(new Random(5)));

        foreach (var queries in new[] { store.Queries, new SessionQueries(store.Database, store.Clock) { NarrowSearchLimit = -1 } })
        {
            foreach (var query in new[] { "alpha", "a", "ET" })
            {
                var filter = new SessionFilter(Query: query);
                var page = queries.List(store.Team, filter, new Paging(Limit: 1000)).Data.Select(s => s.Id).ToList();
                var walked = queries.ListAll(store.Team, filter, descending: true, chunk: 1).Select(s => s.Id).ToList();

                Assert.True(page.Count > 1, $"q={query} found {page.Count}");
                Assert.Equal(page, walked);
            }
        }
    }

    [Fact]
    public async Task A_duplicate_delivered_in_another_batch_changes_nothing()
    {
        var events = Generate(new Random(7));
        await using var store = new StoreHarness(Now);
        await store.IngestAsync(events);
        var before = Describe(Stored(store, events[0].Room.FriendlyUrl!));

        var again = await store.IngestAsync(events);

        Assert.Equal(0, again.Accepted);
        Assert.Equal(events.Count, again.Duplicates);
        Assert.Equal(before, Describe(Stored(store, events[0].Room.FriendlyUrl!)));
    }

    internal static List<IncomingEvent> Generate(Random random)
    {
        var events = new List<IncomingEvent>();
        var rooms = new[] { "alpha", "beta" };
        foreach (var room in rooms)
        {
            var t = T;
            for (var burst = 0; burst < 3; burst++)
            {
                var people = 1 + random.Next(3);
                for (var p = 0; p < people; p++)
                {
                    var who = $"p{p}";
                    var join = t.AddSeconds(random.Next(0, 120));
                    var connection = $"{room}-{burst}-{p}";
                    events.Add(Event(EventTypes.ParticipantJoined, room, who, connection, join));
                    events.Add(Event("quality_sample", room, who, connection, join.AddSeconds(5), """{"rtt_ms":40}"""));
                    if (random.NextDouble() < 0.85)
                    {
                        var leave = join.AddSeconds(60 + random.Next(600));
                        var data = random.NextDouble() < 0.2 ? $$"""{"reason":"network","joined_at":"{{join:O}}"}""" : null;
                        events.Add(Event(EventTypes.ParticipantLeft, room, who, connection, leave, data));
                    }
                }

                if (random.NextDouble() < 0.2)
                {
                    events.Add(Event(EventTypes.SessionEnded, room, null, null, t.AddMinutes(5), """{"ended_by":"p0"}"""));
                }

                // Gaps just below, at and above the grace period between bursts.
                t = t.AddMinutes(12 + random.Next(-1, 2) * 0.05 + random.Next(0, 3) * 3);
            }
        }

        return events;
    }

    private static int counter;

    /// <summary>An event of a fresh id, received at <paramref name="received"/> (by default, well after all of them).</summary>
    internal static IncomingEvent Event(string type, string room, string? who, string? connection, DateTimeOffset at, string? data = null, DateTimeOffset? received = null) =>
        new($"e{Interlocked.Increment(ref counter)}", type, at, received ?? Now, null, new RoomRef(null, room),
            who is null ? null : new ParticipantRef(who, who.ToUpperInvariant(), null, connection), data);

    internal static List<SessionRecord> Stored(StoreHarness store, string room)
    {
        var sessions = store.Queries.List(store.Team, new SessionFilter(Query: room), new Paging(Limit: 1000, Descending: false)).Data
            .Where(s => s.RoomFriendlyUrl == room);
        var records = new List<SessionRecord>();
        foreach (var s in sessions)
        {
            var record = new SessionRecord
            {
                Start = s.Start, End = s.End, EndReason = s.EndReason, EndedBy = s.EndedBy, LastParticipantLeftAt = s.LastParticipantLeftAt,
                MaxConcurrentParticipants = s.MaxConcurrentParticipants, GracePeriod = TimeSpan.FromSeconds(s.GracePeriodSeconds),
            };
            foreach (var p in store.Queries.Participants(store.Team, new ParticipantFilter(SessionId: s.Id), new Paging(Limit: 1000, Descending: false)).Data)
            {
                var participant = new ParticipantRecord { Key = "x:" + p.ExternalId, ExternalId = p.ExternalId, Name = p.Name };
                participant.Connections.AddRange(p.Connections.Select(c => new ConnectionRecord
                {
                    OpenEventId = string.Empty, ConnectionId = c.ConnectionId, JoinTime = c.JoinTime, LeaveTime = c.LeaveTime,
                    LeaveReason = c.LeaveReason, JoinMissing = c.JoinMissing,
                }));
                record.Participants.Add(participant);
            }

            records.Add(record);
        }

        return records;
    }

    internal static string Describe(IEnumerable<SessionRecord> sessions)
    {
        var text = new StringBuilder();
        foreach (var s in sessions.OrderBy(s => s.Start))
        {
            text.Append($"session {s.Start:HH:mm:ss.fff}-{s.End:HH:mm:ss.fff} {s.EndReason} by={s.EndedBy} left={s.LastParticipantLeftAt:HH:mm:ss.fff} max={s.MaxConcurrentParticipants}\n");
            foreach (var p in s.Participants.OrderBy(p => p.ExternalId, StringComparer.Ordinal))
            {
                text.Append($"  {p.ExternalId} {p.Name}:");
                foreach (var c in p.Connections.OrderBy(c => c.JoinTime))
                {
                    text.Append($" [{c.ConnectionId} {c.JoinTime:HH:mm:ss.fff}-{c.LeaveTime:HH:mm:ss.fff} {c.LeaveReason}{(c.JoinMissing ? " join-missing" : string.Empty)}]");
                }

                text.Append('\n');
            }
        }

        return text.ToString();
    }
}
