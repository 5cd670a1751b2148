using System.Reflection;
using DbUp;
using Microsoft.Data.Sqlite;

namespace Callscope.Data;

/// <summary>Opens connections to the store and keeps its schema current.</summary>
public sealed class CallscopeDatabase
{
    public CallscopeDatabase(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true, ForeignKeys = false };
        ConnectionString = builder.ToString();
    }

    public string ConnectionString { get; }

    public static CallscopeDatabase InDirectory(string directory)
    {
        Directory.CreateDirectory(directory);
        return new CallscopeDatabase($"Data Source={Path.Combine(directory, "callscope.db")}");
    }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        // WAL with synchronous=NORMAL keeps every committed transaction across a process crash (kill -9);
        // only a power loss could drop the last commits.
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    /// <summary>Applies pending migrations; returns the names of the scripts it ran.</summary>
    public IReadOnlyList<string> Migrate()
    {
        using (Open())
        {
            // Opening once creates the file and switches it to WAL before DbUp connects.
        }

        var upgrader = DeployChanges.To
            .SqliteDatabase(ConnectionString)
            .WithScriptsEmbeddedInAssembly(Assembly.GetExecutingAssembly(), name => name.Contains(".Migrations.Sqlite.", StringComparison.Ordinal))
            .WithTransactionPerScript()
            .LogToNowhere()
            .Build();
        var result = upgrader.PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException($"Migrating the database failed at {result.ErrorScript?.Name}.", result.Error);
        }

        return [.. result.Scripts.Select(s => s.Name)];
    }

    public bool IsReachable()
    {
        try
        {
            using var connection = Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            return command.ExecuteScalar() is not null;
        }
        catch (SqliteException)
        {
            return false;
        }
    }
}

/// <summary>The store keeps times as Unix milliseconds.</summary>
public static class DbTime
{
    public static long Ms(DateTimeOffset t) => t.ToUnixTimeMilliseconds();

    public static long? Ms(DateTimeOffset? t) => t?.ToUnixTimeMilliseconds();

    public static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public static DateTimeOffset? At(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
}
