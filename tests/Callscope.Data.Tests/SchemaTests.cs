using Dapper;

namespace Callscope.Data.Tests;

public sealed class SchemaTests
{
    [Fact]
    public async Task The_migrated_schema_of_this_provider_matches_the_model()
    {
        await using var store = new StoreHarness(DateTimeOffset.UnixEpoch.AddYears(56));
        using var connection = store.Database.Open();

        foreach (var (table, expected) in StoreSchema.Tables)
        {
            var columns = store.Database.Provider == DatabaseProvider.Postgres
                ? connection.Query<string>("SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = @table", new { table })
                : connection.Query<string>("SELECT name FROM pragma_table_info(@table)", new { table });

            Assert.Equal(expected.Order(StringComparer.Ordinal), columns.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task Every_table_the_migrations_create_is_in_the_model()
    {
        await using var store = new StoreHarness(DateTimeOffset.UnixEpoch.AddYears(56));
        using var connection = store.Database.Open();

        var tables = store.Database.Provider == DatabaseProvider.Postgres
            ? connection.Query<string>("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname NOT LIKE 'schemaversions'")
            : connection.Query<string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'SchemaVersions'");

        // Each store's own way of indexing events (the de-duplication table of both; SQLite's mark of it, its room index
        // and that index's mark) and SQLite's trigram index of room names, an FTS5 table with the tables it keeps its
        // index in.
        string[] own = Provider(store) == DatabaseProvider.Postgres
            ? ["event_ids"]
            : ["event_id_hashes", "event_ids_mark", "event_rooms", "event_rooms_mark", "room_search", "room_search_config", "room_search_data", "room_search_docsize", "room_search_idx"];
        Assert.Equal(StoreSchema.Tables.Keys.Concat(own).Order(StringComparer.Ordinal),
            tables.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_unknown_provider_is_refused_with_a_clear_message()
    {
        var error = Assert.Throws<InvalidOperationException>(() => CallscopeDatabase.Create("mysql", null, Path.GetTempPath()));

        Assert.Contains("Unknown database provider 'mysql'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_postgres_provider_needs_a_connection_string()
    {
        var error = Assert.Throws<InvalidOperationException>(() => CallscopeDatabase.Create("postgres", null, Path.GetTempPath()));

        Assert.Contains("ConnectionString", error.Message, StringComparison.Ordinal);
    }

    private static DatabaseProvider Provider(StoreHarness store) => store.Database.Provider;
}
