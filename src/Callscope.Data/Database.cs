using System.Data;
using System.Data.Common;
using System.Reflection;
using DbUp;
using DbUp.Engine;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Callscope.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Opens connections to the store and keeps its schema current. SQLite is the embedded default; PostgreSQL
/// carries several Callscope nodes on one database. The two differ only where this class says so.
/// </summary>
public sealed class CallscopeDatabase
{
    private readonly NpgsqlDataSource? postgres;

    public CallscopeDatabase(string connectionString)
        : this(DatabaseProvider.Sqlite, connectionString)
    {
    }

    private CallscopeDatabase(DatabaseProvider provider, string connectionString)
    {
        Provider = provider;
        if (provider == DatabaseProvider.Postgres)
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString) { Enlist = false };
            ConnectionString = builder.ToString();
            postgres = NpgsqlDataSource.Create(ConnectionString);
        }
        else
        {
            ConnectionString = new SqliteConnectionStringBuilder(connectionString) { Pooling = true, ForeignKeys = false }.ToString();
        }
    }

    public DatabaseProvider Provider { get; }

    public string ConnectionString { get; }

    /// <summary>The case-insensitive LIKE of the provider.</summary>
    public string ILike => Provider == DatabaseProvider.Postgres ? "ILIKE" : "LIKE";

    /// <summary>"column IN list" for a list parameter: PostgreSQL takes the list as one array parameter.</summary>
    public string InList(string column, string parameter) =>
        Provider == DatabaseProvider.Postgres ? $"{column} = ANY(@{parameter})" : $"{column} IN @{parameter}";

    /// <summary>
    /// A table expression for the events of one room (<paramref name="room"/> is a parameter or a column), those from
    /// <paramref name="from"/> to <paramref name="to"/> when they are given, to be named and filtered like
    /// <c>events</c>. PostgreSQL indexes events by room as it stores them. On SQLite the writer copies new events into
    /// <c>event_rooms</c> about once a second (see <c>IngestPipeline</c>), and the rows stored since the last copy are
    /// found by a scan of those rows alone, after the mark. That scan is NOT INDEXED (the rowid range stays): conditions
    /// on the team reach it from the caller's filter, and without statistics SQLite would take the id index for them
    /// and read every event of the team.
    /// </summary>
    public string EventsOfRoom(string room, string? from = null, string? to = null)
    {
        if (Provider == DatabaseProvider.Postgres)
        {
            return "events";
        }

        var range = (from is null ? "" : $" AND x.ts >= {from}") + (to is null ? "" : $" AND x.ts <= {to}");
        return $"""
            (SELECT e.* FROM event_rooms x JOIN events e ON e.seq = x.seq WHERE x.room_id = {room}{range}
             UNION ALL
             SELECT * FROM events NOT INDEXED WHERE seq > (SELECT seq FROM event_rooms_mark) AND room_id = {room})
            """;
    }

    /// <summary>Picks the store by name; an unknown name is an error, never a silent fallback.</summary>
    public static CallscopeDatabase Create(string provider, string? connectionString, string dataDirectory) => provider.ToLowerInvariant() switch
    {
        "sqlite" => string.IsNullOrEmpty(connectionString) ? InDirectory(dataDirectory) : OwnFile(connectionString),
        "postgres" or "postgresql" => new CallscopeDatabase(DatabaseProvider.Postgres,
            string.IsNullOrEmpty(connectionString)
                ? throw new InvalidOperationException("Callscope:Database:ConnectionString is required with the postgres provider.")
                : connectionString),
        _ => throw new InvalidOperationException($"Unknown database provider '{provider}': use 'sqlite' or 'postgres'."),
    };

    /// <summary>
    /// The database <c>callscope.db</c> in a data folder private to the service's user: the folder is 0700 and the
    /// database files 0600 (see <see cref="PrivateFiles"/>).
    /// </summary>
    public static CallscopeDatabase InDirectory(string directory)
    {
        PrivateFiles.EnsureFolder(directory);
        var file = Path.Combine(directory, "callscope.db");
        MakePrivate(file);
        return new CallscopeDatabase($"Data Source={file}");
    }

    /// <summary>A SQLite file named by a connection string: the file is private too; its folder is the operator's.</summary>
    private static CallscopeDatabase OwnFile(string connectionString)
    {
        var settings = new SqliteConnectionStringBuilder(connectionString);
        var file = settings.DataSource;
        if (settings.Mode == SqliteOpenMode.ReadWriteCreate && file.Length > 0 && file != ":memory:"
            && !file.StartsWith("file:", StringComparison.OrdinalIgnoreCase) && Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(file))))
        {
            MakePrivate(file);
        }

        return new CallscopeDatabase(connectionString);
    }

    /// <summary>
    /// Makes a SQLite database 0600 before SQLite opens it: a new one is created empty with that mode (an empty file
    /// is an empty database); an existing one, its journal, write-ahead log and shared-memory index lose group's and
    /// others' access. SQLite creates its -wal, -shm and -journal files with the database file's mode, so they are
    /// born private.
    /// </summary>
    private static void MakePrivate(string file)
    {
        PrivateFiles.EnsureFile(file);
        foreach (var suffix in new[] { "-wal", "-shm", "-journal" })
        {
            PrivateFiles.Tighten(file + suffix);
        }
    }

    public DbConnection Open()
    {
        if (postgres is not null)
        {
            return postgres.OpenConnection();
        }

        return OpenSqlite(ConnectionString);
    }

    private static SqliteConnection OpenSqlite(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        // WAL (set once by Migrate; it is a property of the file) with synchronous=NORMAL keeps every committed
        // transaction across a process crash (kill -9); only a power loss could drop the last commits.
        pragma.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    /// <summary>
    /// The writer's own connection. On SQLite it keeps a large page cache (the event id index takes inserts all over
    /// its tree) and does not checkpoint on commit: <see cref="Checkpoint"/> does that from another thread, so the
    /// writer never waits for the copy back into the database file.
    /// </summary>
    public DbConnection OpenWriter()
    {
        if (postgres is not null)
        {
            return Open();
        }

        // Not pooled: these settings belong to the writer alone.
        var connection = OpenSqlite(new SqliteConnectionStringBuilder(ConnectionString) { Pooling = false }.ToString());
        using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA cache_size=-{WriterCacheKib}; PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit={WalSizeLimit};";
        pragma.ExecuteNonQuery();
        return connection;
    }

    private const int WriterCacheKib = 128 * 1024;

    /// <summary>
    /// What is left of the log file on disk when it starts over: more than the log grows to between two restarts
    /// (see <c>IngestPipeline</c>), so under steady load the file is rewritten in place instead of being cut and
    /// grown again, which costs the file system a new allocation for every block.
    /// </summary>
    private const long WalSizeLimit = 512L * 1024 * 1024;

    /// <summary>
    /// Copies committed pages from SQLite's write-ahead log back into the database file and returns how many frames
    /// the log holds. A passive checkpoint never waits for the writer or readers, and runs beside the writer. A
    /// writer that keeps writing keeps a passive checkpoint from ever finishing, and an unfinished log never starts
    /// over, so once the log has grown the writer, between two transactions, finishes one with a restarting checkpoint
    /// (see <c>IngestPipeline</c>). Nothing on PostgreSQL.
    /// </summary>
    public static long Checkpoint(DbConnection connection, bool restart)
    {
        if (connection is not SqliteConnection)
        {
            return 0;
        }

        using var command = connection.CreateCommand();
        command.CommandText = restart ? "PRAGMA wal_checkpoint(RESTART)" : "PRAGMA wal_checkpoint(PASSIVE)";
        using var reader = command.ExecuteReader();
        return reader.Read() ? reader.GetInt64(1) : 0;
    }

    /// <summary>Begins the writer's transaction: SQLite takes its write lock at once.</summary>
    public DbTransaction BeginWrite(DbConnection connection) => connection is SqliteConnection sqlite
        ? sqlite.BeginTransaction(deferred: false)
        : connection.BeginTransaction(IsolationLevel.ReadCommitted);

    public bool IsUniqueViolation(DbException error) => error switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == 19,
        PostgresException pg => pg.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    /// <summary>Errors after which the same transaction can simply be run again (deadlocks between nodes).</summary>
    public static bool IsTransient(DbException error) =>
        error is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.UniqueViolation }
        || error is SqliteException { SqliteErrorCode: 5 or 6 };

    /// <summary>
    /// Whether the configured PostgreSQL database is there. Creating it goes through the maintenance database, and
    /// that path leaves a connection open on every call (one per start, more in a test run), so it is taken only when needed.
    /// </summary>
    private bool PostgresDatabaseExists()
    {
        try
        {
            using var connection = postgres!.OpenConnection();
            return true;
        }
        catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            return false;
        }
    }

    /// <summary>Applies pending migrations; returns the names of the scripts it ran.</summary>
    public IReadOnlyList<string> Migrate(DateTimeOffset? now = null)
    {
        UpgradeEngine upgrader;
        if (Provider == DatabaseProvider.Postgres)
        {
            if (!PostgresDatabaseExists())
            {
                EnsureDatabase.For.PostgresqlDatabase(ConnectionString, new DbUp.Engine.Output.NoOpUpgradeLog());
            }

            upgrader = DeployChanges.To.PostgresqlDatabase(ConnectionString)
                .WithScriptsEmbeddedInAssembly(Assembly.GetExecutingAssembly(), name => name.Contains(".Migrations.Postgres.", StringComparison.Ordinal))
                .WithTransactionPerScript()
                .LogToNowhere()
                .Build();
        }
        else
        {
            using (var connection = Open())
            {
                using var wal = connection.CreateCommand();
                wal.CommandText = "PRAGMA journal_mode=WAL";
                wal.ExecuteNonQuery();
            }

            upgrader = DeployChanges.To.SqliteDatabase(ConnectionString)
                .WithScriptsEmbeddedInAssembly(Assembly.GetExecutingAssembly(), name => name.Contains(".Migrations.Sqlite.", StringComparison.Ordinal))
                .WithTransactionPerScript()
                .LogToNowhere()
                .Build();
        }

        var result = upgrader.PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException($"Migrating the database failed at {result.ErrorScript?.Name}.", result.Error);
        }

        if (Provider == DatabaseProvider.Postgres)
        {
            EventPartitions.Ensure(this, now ?? DateTimeOffset.UtcNow);
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
