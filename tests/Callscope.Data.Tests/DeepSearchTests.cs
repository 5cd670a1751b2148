using Callscope.Core.Events;
using Callscope.Core.Ingest;
using Callscope.Data.Sessions;

namespace Callscope.Data.Tests;

/// <summary>
/// A broad search's deep page may be cut from the matched rooms' own indexes, from a bound in time set from a sample of
/// those rooms (<see cref="SessionQueries.WindowedSearch"/>), instead of the walk of the team's sessions by start time.
/// Both must give the same pages, in both orders and with a time range, including where the sample sets the bound
/// wrong and the page is read again.
/// </summary>
public sealed class DeepSearchTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_deep_page_read_room_by_room_equals_the_walk_by_start_time()
    {
        await using var store = new StoreHarness(T.AddDays(2));
        var random = new Random(18);

        // Rooms no search below matches, a month before the rest: the team's span is long and mostly empty.
        await store.IngestAsync([.. Sessions(random, "plain", rooms: 6, perRoom: 5, T.AddDays(-30))]);
        var named = store.Queries.List(store.Team, new SessionFilter(), new Paging(Limit: 1, Descending: false)).Data.Single().Id.ToString();
        var prefix = named[..8];

        // Rooms whose names hold that session's id prefix: the search matches them by name and the older session by id.
        await store.IngestAsync([.. Sessions(random, $"call-{prefix}", rooms: 14, perRoom: 16, T)]);
        await store.IngestAsync([.. Sessions(random, "other", rooms: 10, perRoom: 6, T.AddHours(3))]);

        var walk = new SessionQueries(store.Database, store.Clock) { NarrowSearchLimit = -1, WindowedSearch = false };
        // Read room by room, with the bound set from every matched room, and from one or three of them, which set it
        // wrong for some pages (those are read again).
        SessionQueries[] byRoom =
        [
            new(store.Database, store.Clock) { NarrowSearchLimit = -1, WindowedSearch = true },
            new(store.Database, store.Clock) { NarrowSearchLimit = -1, WindowedSearch = true, SearchSampleRooms = 1 },
            new(store.Database, store.Clock) { NarrowSearchLimit = -1, WindowedSearch = true, SearchSampleRooms = 3 },
        ];
        var filters = new[]
        {
            new SessionFilter(Query: prefix),
            new SessionFilter(Query: prefix.ToUpperInvariant(), From: T.AddHours(1), To: T.AddHours(20)),
            new SessionFilter(Query: "call"),
        };

        var pages = 0;
        foreach (var filter in filters)
        {
            foreach (var descending in new[] { true, false })
            {
                var all = store.Queries.List(store.Team, filter, new Paging(Limit: 1000, Descending: descending));
                Assert.True(all.TotalCount > 40, $"q={filter.Query} matched {all.TotalCount}");
                Assert.Equal(all.TotalCount, all.Data.Count);
                Assert.Equal(filter.Query == prefix, all.Data.Any(s => s.Id.ToString() == named));

                foreach (var limit in new[] { 1, 7, 25 })
                {
                    for (var offset = 1; offset <= all.TotalCount + 1; offset += 1 + random.Next(4))
                    {
                        var paging = new Paging(Limit: limit, Offset: offset, Descending: descending);
                        var expected = all.Data.Skip(offset).Take(limit).Select(s => s.Id).ToList();
                        Assert.Equal(expected, walk.List(store.Team, filter, paging).Data.Select(s => s.Id).ToList());
                        foreach (var queries in byRoom)
                        {
                            var page = queries.List(store.Team, filter, paging);
                            Assert.Equal(all.TotalCount, page.TotalCount);
                            Assert.Equal(expected, page.Data.Select(s => s.Id).ToList());
                            pages++;
                        }
                    }
                }
            }
        }

        Assert.True(pages > 900, $"{pages} pages compared");
    }

    /// <summary>
    /// Sessions of two people in each of <paramref name="rooms"/> rooms, up to <paramref name="perRoom"/> a room, the
    /// rooms' sessions interleaved in time from <paramref name="from"/>, some starting at the same millisecond as another
    /// room's.
    /// </summary>
    private static IEnumerable<IncomingEvent> Sessions(Random random, string prefix, int rooms, int perRoom, DateTimeOffset from)
    {
        for (var r = 0; r < rooms; r++)
        {
            var room = $"{prefix}-{r}";
            var start = from.AddMinutes(random.Next(0, 300));
            // The first room is the busiest, its sessions close together: a bound set from it alone is too near.
            var count = r == 0 ? perRoom : 1 + random.Next(perRoom);
            for (var s = 0; s < count; s++)
            {
                // Starts on whole minutes: rooms share start times, so the page's order falls back on the id.
                start = start.AddMinutes(r == 0 || random.Next(0, 3) == 0 ? 20 : 20 + random.Next(1, 90));
                for (var person = 0; person < 2; person++)
                {
                    var who = $"p{person}";
                    var connection = $"{room}-{s}-{person}";
                    var join = start.AddSeconds(person * 30);
                    yield return PersistedLawTests.Event(EventTypes.ParticipantJoined, room, who, connection, join);
                    yield return PersistedLawTests.Event(EventTypes.ParticipantLeft, room, who, connection, join.AddMinutes(5));
                }
            }
        }
    }
}
