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
        await using var store = await RoomsAsync();
        using var connection = store.Database.Open();

        var plan = Plan(store, connection, text);

        Assert.Contains(store.Database.Provider == DatabaseProvider.Postgres ? "rooms_search_name" : "room_search", plan, StringComparison.Ordinal);
        Assert.Equal(Expected(text), Match(store, connection, text));
    }

    [Fact]
    public async Task A_text_without_a_trigram_is_still_answered_and_the_setting_does_not_outlive_its_statement()
    {
        await using var store = await RoomsAsync();
        using var connection = store.Database.Open();

        Assert.Equal(20, Expected("-00").Count());
        Assert.Equal(Expected("-00"), Match(store, connection, "-00"));
        Assert.Equal(Expected("sales-0000"), Match(store, connection, "sales-0000"));
        if (store.Database.Provider == DatabaseProvider.Postgres)
        {
            // The same pooled connection plans the next statement as the server is set.
            Assert.Equal("on", connection.ExecuteScalar<string>("SHOW enable_seqscan"));
        }
    }

    private static string Name(int i) => $"{(i % 2 == 0 ? "sales" : "support")}-{i:D6}";

    private static IEnumerable<string> Expected(string text) =>
        Enumerable.Range(0, 20).Select(Name).Where(n => n.Contains(text, StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal);

    private static async Task<StoreHarness> RoomsAsync()
    {
        var store = new StoreHarness(T);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(RoomOutcome.Stored, (await store.Pipeline.SendAsync(new CreateRoomCommand(store.Team, new RoomSettings(Name(i), $"Room {i}", null, null, null, null)), Ct)).Outcome);
        }

        if (store.Database.Provider == DatabaseProvider.Postgres)
        {
            // With the table's statistics the planner knows it is small, and left to itself it would scan it.
            using var connection = store.Database.Open();
            connection.Execute("ANALYZE rooms");
        }

        return store;
    }

    private static DynamicParameters Parameters(StoreHarness store, string text) =>
        new(new { team = store.Team.ToString(), qlike = StoreDialect.ContainsPattern(text) });

    private static IEnumerable<string> Match(StoreHarness store, DbConnection connection, string text, DbTransaction? transaction = null)
    {
        var p = Parameters(store, text);
        var sql = store.Database.Dialect.RoomsContaining(text, "r.friendly_url", p);
        return connection.Query<string>(sql, p, transaction).Order(StringComparer.Ordinal);
    }

    /// <summary>
    /// What the match read: SQLite's plan, or on PostgreSQL, where the statement runs inside a function, the scans of the
    /// name's trigram index that the match's own transaction counted.
    /// </summary>
    private static string Plan(StoreHarness store, DbConnection connection, string text)
    {
        var p = Parameters(store, text);
        var sql = store.Database.Dialect.RoomsContaining(text, "r.friendly_url", p);
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
