using Callscope.Core;
using Callscope.Data.Dialects;
using Callscope.Data.Rooms;
using Callscope.Data.Writing;
using System.Data.Common;
using Dapper;

namespace Callscope.Data.Tests;

/// <summary>
/// The room part of a session search reads each store's trigram index whenever the text has a trigram, whatever the
/// planner would otherwise weigh: PostgreSQL's planner chose to scan every room of the team for a long text such as a
/// session id, and scanning 20,000 rooms cost 14–19 ms against 1–6 ms through the index (docs/benchmarks.md, Queries).
/// </summary>
public sealed class RoomSearchPlanTests
{
    private static readonly DateTimeOffset T = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("sales-000017")]
    [InlineData("01a22b2a-983c-7cd9-9e15-848d308f848e")]
    [InlineData("ALES-00001")]
    public async Task A_text_with_a_trigram_is_matched_through_the_trigram_index_and_finds_what_a_substring_test_finds(string text)
    {
        var (store, rooms) = await RoomsAsync();
        await using var _ = store;
        using var connection = store.Database.Open();

        var plan = Plan(store, connection, text);

        Assert.Contains(store.Database.Provider == DatabaseProvider.Postgres ? "rooms_search_name" : "room_search", plan, StringComparison.Ordinal);
        Assert.Equal(Expected(text, rooms), Match(store, connection, text));
    }

    [Fact]
    public async Task A_text_without_a_trigram_is_still_answered_and_the_setting_does_not_outlive_its_statement()
    {
        var (store, rooms) = await RoomsAsync();
        await using var _ = store;
        using var connection = store.Database.Open();

        Assert.Equal(20, Expected("-00", rooms).Count());
        Assert.Equal(Expected("-00", rooms), Match(store, connection, "-00"));
        Assert.Equal(Expected("sales-0000", rooms), Match(store, connection, "sales-0000"));
        if (store.Database.Provider == DatabaseProvider.Postgres)
        {
            // The same pooled connection plans the next statement as the server is set.
            Assert.Equal("on", connection.ExecuteScalar<string>("SHOW enable_seqscan"));
        }
    }

    private static string Name(int i) => $"{(i % 2 == 0 ? "sales" : "support")}-{i:D6}";

    /// <summary>The ids of the rooms whose name contains the text, by a plain substring test.</summary>
    private static IEnumerable<string> Expected(string text, Dictionary<string, string> rooms) =>
        rooms.Where(r => r.Key.Contains(text, StringComparison.OrdinalIgnoreCase)).Select(r => r.Value).Order(StringComparer.Ordinal);

    /// <summary>A store with 20 rooms, and their ids by name.</summary>
    private static async Task<(StoreHarness Store, Dictionary<string, string> Rooms)> RoomsAsync()
    {
        var store = new StoreHarness(T);
        var rooms = new Dictionary<string, string>();
        for (var i = 0; i < 20; i++)
        {
            var created = await store.Pipeline.SendAsync(new CreateRoomCommand(store.Team, new RoomSettings(Name(i), $"Room {i}", null, null, null, null)), Ct);
            Assert.Equal(RoomOutcome.Stored, created.Outcome);
            rooms[Name(i)] = created.Room!.Id.ToString();
        }

        if (store.Database.Provider == DatabaseProvider.Postgres)
        {
            // With the table's statistics the planner knows it is small, and left to itself it would scan it.
            using var connection = store.Database.Open();
            connection.Execute("ANALYZE rooms");
        }

        return (store, rooms);
    }

    private static DynamicParameters Parameters(StoreHarness store, string text) =>
        new(new { team = store.Team.ToString(), qlike = StoreDialect.ContainsPattern(text) });

    private static IEnumerable<string> Match(StoreHarness store, DbConnection connection, string text, DbTransaction? transaction = null)
    {
        var p = Parameters(store, text);
        var sql = store.Database.Dialect.RoomsContaining(text, p);
        return connection.Query<(string Id, long Sessions)>(sql, p, transaction).Select(r => r.Id).Order(StringComparer.Ordinal);
    }

    /// <summary>
    /// What the match read: SQLite's plan, or on PostgreSQL, where the statement runs inside a function, the scans of the
    /// name's trigram index that the match's own transaction counted.
    /// </summary>
    private static string Plan(StoreHarness store, DbConnection connection, string text)
    {
        var p = Parameters(store, text);
        var sql = store.Database.Dialect.RoomsContaining(text, p);
        if (store.Database.Provider != DatabaseProvider.Postgres)
        {
            return string.Join("\n", connection.Query<(long, long, long, string Detail)>("EXPLAIN QUERY PLAN " + sql, p).Select(r => r.Detail));
        }

        using var transaction = connection.BeginTransaction();
        _ = Match(store, connection, text, transaction).ToList();
        var scans = connection.ExecuteScalar<long>("SELECT pg_stat_get_xact_numscans('rooms_search_name'::regclass)", transaction: transaction);
        return scans > 0 ? "rooms_search_name" : "not the trigram index";
    }
}
