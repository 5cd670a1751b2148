using Callscope.Core;
using Callscope.Core.Events;
using Callscope.Core.Ingest;
using Callscope.Data.Sessions;
using Dapper;

namespace Callscope.Data.Tests;

/// <summary>
/// The live sessions of a team with a long history and few calls under way: the list of them comes in start order,
/// ties broken by id, by page and by cursor, and on SQLite it is read from the index of live sessions. Before that
/// index held the id, SQLite walked every session of the team to find them: 3.2–3.4 s with one live session among a
/// million (docs/benchmarks.md, Queries).
/// </summary>
public sealed class LiveSessionListTests
{
    private static readonly DateTimeOffset T = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Live_sessions_among_ended_ones_are_listed_newest_first_with_ties_in_id_order_by_page_and_by_cursor()
    {
        await using var store = new StoreHarness(T.AddHours(2));
        var events = new List<IncomingEvent>();
        for (var i = 0; i < 40; i++)
        {
            var at = T.AddMinutes(-i);
            events.Add(TestEvents.Of(EventTypes.ParticipantJoined, $"past-{i}", "a", at));
            events.Add(TestEvents.Of(EventTypes.SessionEnded, $"past-{i}", null, at.AddSeconds(30), """{"ended_by":"a"}"""));
        }

        // Two calls began in the same millisecond, one earlier, and one began after the newest ended session.
        events.Add(TestEvents.Of(EventTypes.ParticipantJoined, "tie-1", "b", T.AddMinutes(5)));
        events.Add(TestEvents.Of(EventTypes.ParticipantJoined, "tie-2", "c", T.AddMinutes(5)));
        events.Add(TestEvents.Of(EventTypes.ParticipantJoined, "early", "d", T.AddMinutes(-50)));
        events.Add(TestEvents.Of(EventTypes.ParticipantJoined, "late", "e", T.AddMinutes(20)));
        Assert.False((await store.IngestAsync(events)).Rejected);

        var all = store.Queries.List(store.Team, new SessionFilter(Live: true), new Paging(Limit: 100));
        Assert.Equal(4, all.TotalCount);
        var ties = all.Data.Where(s => s.RoomFriendlyUrl.StartsWith("tie-", StringComparison.Ordinal)).Select(s => s.Id.ToString()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["late", "tie", "tie", "early"], all.Data.Select(s => s.RoomFriendlyUrl.Split('-')[0]));
        Assert.Equal([ties[1], ties[0]], all.Data.Skip(1).Take(2).Select(s => s.Id.ToString()));

        // Pages by offset and by cursor give the same sequence, each way round.
        var newest = all.Data.Select(s => s.Id).ToList();
        Assert.Equal(newest, Walk(store, descending: true, byCursor: false));
        Assert.Equal(newest, Walk(store, descending: true, byCursor: true));
        Assert.Equal(newest.AsEnumerable().Reverse(), Walk(store, descending: false, byCursor: true));
        Assert.Equal(newest, store.Queries.ListAll(store.Team, new SessionFilter(Live: true), descending: true, chunk: 3).Select(s => s.Id));

        var ended = store.Queries.List(store.Team, new SessionFilter(Live: false), new Paging(Limit: 100));
        Assert.Equal(40, ended.TotalCount);
        Assert.DoesNotContain(ended.Data, s => newest.Contains(s.Id));

        if (store.Database.Provider == DatabaseProvider.Sqlite)
        {
            using var connection = store.Database.Open();
            var plan = string.Join("\n", connection.Query<(long, long, long, string Detail)>(
                $"""
                EXPLAIN QUERY PLAN SELECT s.id FROM sessions s JOIN rooms r ON r.id = s.room_id
                WHERE s.team_id = @team AND {SessionLiveness.Live}
                ORDER BY {store.Database.Dialect.StartOrder(false)} DESC, s.id DESC LIMIT 100
                """, new { team = store.Team.ToString(), now = 0L }).Select(r => r.Detail));
            Assert.Contains("USING INDEX sessions_live ", plan, StringComparison.Ordinal);
            Assert.DoesNotContain("TEMP B-TREE", plan, StringComparison.Ordinal);
        }
    }

    /// <summary>The live sessions two at a time, by offset or by the cursor of each page's last session.</summary>
    private static List<SessionId> Walk(StoreHarness store, bool descending, bool byCursor)
    {
        var seen = new List<SessionId>();
        while (true)
        {
            var paging = byCursor
                ? new Paging(Limit: 2, Descending: descending, After: seen.Count == 0 ? null : seen[^1].ToString())
                : new Paging(Limit: 2, Offset: seen.Count, Descending: descending);
            var page = store.Queries.List(store.Team, new SessionFilter(Live: true), paging).Data;
            Assert.True(seen.Count < 10, "the walk ends");
            if (page.Count == 0)
            {
                return seen;
            }

            seen.AddRange(page.Select(s => s.Id));
        }
    }
}
