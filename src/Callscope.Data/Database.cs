using System.Data.Common;
using Callscope.Data.Dialects;

namespace Callscope.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// The store: embedded SQLite by default, or PostgreSQL carrying several Callscope nodes on one database. Everything
/// in which the two differ is the <see cref="Dialect"/>'s.
/// </summary>
public sealed class CallscopeDatabase(StoreDialect dialect)
{
    /// <summary>A SQLite store named by its connection string.</summary>
    public CallscopeDatabase(string connectionString)
        : this(new SqliteDialect(connectionString))
    {
    }

    public StoreDialect Dialect { get; } = dialect;

    public DatabaseProvider Provider => Dialect.Provider;

    public string ConnectionString => Dialect.ConnectionString;

    /// <summary>"column IN list" for a list parameter.</summary>
    public string InList(string column, string parameter) => Dialect.InList(column, parameter);

    /// <inheritdoc cref="StoreDialect.EventsOfRoom"/>
    public string EventsOfRoom(string room, string? from = null, string? to = null) => Dialect.EventsOfRoom(room, from, to);

    /// <summary>The store a configured name means ("sqlite"; "postgres" or "postgresql"), or null for any other name.</summary>
    public static DatabaseProvider? ParseProvider(string? name) => name?.ToLowerInvariant() switch
    {
        "sqlite" => DatabaseProvider.Sqlite,
        "postgres" or "postgresql" => DatabaseProvider.Postgres,
        _ => null,
    };

    /// <summary>Why these settings name no usable store, or null when they do.</summary>
    public static string? SettingsProblem(string provider, string? connectionString) => ParseProvider(provider) switch
    {
        null => $"Unknown database provider '{provider}' in Callscope:Database:Provider: use 'sqlite' (the default) or 'postgres'.",
        DatabaseProvider.Postgres when string.IsNullOrEmpty(connectionString) =>
            "Callscope:Database:ConnectionString is required with the postgres provider.",
        _ => null,
    };

    /// <summary>
    /// Picks the store by name; an unknown name is an error, never a silent fallback. SQLite's readers keep a page cache
    /// of <paramref name="readerPageCacheMib"/> each.
    /// </summary>
    public static CallscopeDatabase Create(string provider, string? connectionString, string dataDirectory,
        int readerPageCacheMib = SqliteDialect.DefaultReaderPageCacheMib)
    {
        if (SettingsProblem(provider, connectionString) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        return new(ParseProvider(provider) == DatabaseProvider.Postgres
            ? new PostgresDialect(connectionString!)
            : string.IsNullOrEmpty(connectionString)
                ? SqliteDialect.InDirectory(dataDirectory, readerPageCacheMib)
                : SqliteDialect.OwnFile(connectionString, readerPageCacheMib));
    }

    /// <summary>The database <c>callscope.db</c> in a data folder private to the service's user.</summary>
    public static CallscopeDatabase InDirectory(string directory) => new(SqliteDialect.InDirectory(directory));

    public DbConnection Open() => Dialect.Open();

    /// <summary>The server fell quiet: gives back what the store's idle connections hold, then the C allocator's free memory.</summary>
    public void ReleaseMemory()
    {
        Dialect.ReleaseMemory();
        NativeHeap.Trim();
    }

    public bool IsUniqueViolation(DbException error) => Dialect.IsUniqueViolation(error);

    /// <summary>Applies pending migrations; returns the names of the scripts it ran.</summary>
    public IReadOnlyList<string> Migrate(DateTimeOffset? now = null) => Dialect.Migrate(now ?? DateTimeOffset.UtcNow);

    public bool IsReachable()
    {
        try
        {
            using var connection = Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            return command.ExecuteScalar() is not null;
        }
        catch (DbException)
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
