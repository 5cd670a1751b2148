using Npgsql;

namespace Callscope.Tests.Shared;

/// <summary>
/// Which store the data-facing tests run against: SQLite by default, PostgreSQL when
/// <c>CALLSCOPE_TEST_PROVIDER=postgres</c> and <c>CALLSCOPE_TEST_POSTGRES</c> (a server connection string) are set —
/// scripts/test.sh runs the suites once each way. Every test gets a database of its own.
/// </summary>
public static class TestDatabase
{
    public static bool Postgres => string.Equals(Environment.GetEnvironmentVariable("CALLSCOPE_TEST_PROVIDER"), "postgres", StringComparison.OrdinalIgnoreCase);

    public static string Provider => Postgres ? "postgres" : "sqlite";

    private static readonly Lazy<string> Template = new(CreateTemplate);

    /// <summary>A fresh database, copied from a migrated template so that each test starts in milliseconds.</summary>
    public static string NewPostgresDatabase()
    {
        var name = "cs_" + Guid.NewGuid().ToString("N");
        var template = Template.Value;

        // PostgreSQL copies a template for one CREATE DATABASE at a time.
        lock (Template)
        {
            using var connection = new NpgsqlConnection(Server("postgres"));
            connection.Open();
            // Pooled connections left by the template's migration would block the copy.
            using (var terminate = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @template", connection))
            {
                terminate.Parameters.AddWithValue("template", template);
                terminate.ExecuteNonQuery();
            }

            using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"", connection);
            create.ExecuteNonQuery();
        }

        return Server(name);
    }

    /// <summary>One migrated template per test process; the migrations themselves are what is being copied.</summary>
    private static string CreateTemplate()
    {
        var name = "cs_template_" + Guid.NewGuid().ToString("N");
        var database = Data.CallscopeDatabase.Create("postgres", Server(name), Path.GetTempPath());
        database.Migrate(DateTimeOffset.UtcNow);
        NpgsqlConnection.ClearAllPools();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Drop(Server(name));
        return name;
    }

    private static string Server(string database)
    {
        var server = Environment.GetEnvironmentVariable("CALLSCOPE_TEST_POSTGRES")
            ?? throw new InvalidOperationException("CALLSCOPE_TEST_POSTGRES must name a PostgreSQL server when CALLSCOPE_TEST_PROVIDER=postgres.");
        return new NpgsqlConnectionStringBuilder(server) { Database = database }.ToString();
    }

    public static void Drop(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var name = builder.Database!;
        NpgsqlConnection.ClearAllPools();
        builder.Database = "postgres";
        using var connection = new NpgsqlConnection(builder.ToString());
        connection.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        drop.ExecuteNonQuery();
    }
}
