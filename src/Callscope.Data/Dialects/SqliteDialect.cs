using System.Data.Common;
using System.Globalization;
using System.Reflection;
using Callscope.Core;
using Callscope.Core.Ingest;
using Callscope.Data.Sessions;
using Callscope.Data.Writing;
using Dapper;
using DbUp;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Callscope.Data.Dialects;

/// <summary>
/// The embedded store: one file in write-ahead-log mode, one writer. Its writer compiles each statement once and runs
/// it per row (nothing to save on round trips in process); its upkeep copies the log back into the file beside the
/// writer and keeps the room index of events (<see cref="SqliteUpkeepLoop"/>).
/// </summary>
public sealed class SqliteDialect : StoreDialect
{
    public SqliteDialect(string connectionString)
    {
        ConnectionString = new SqliteConnectionStringBuilder(connectionString) { Pooling = true, ForeignKeys = false }.ToString();
    }

    /// <summary>The database's file name in the data folder.</summary>
    public const string FileName = "callscope.db";

    /// <summary>How long a connection waits for another's lock before it gives up.</summary>
    public const int BusyTimeoutMs = 10_000;

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public override string ConnectionString { get; }

    /// <summary>
    /// The database <c>callscope.db</c> in a data folder private to the service's user: the folder is 0700 and the
    /// database files 0600 (see <see cref="PrivateFiles"/>).
    /// </summary>
    public static SqliteDialect InDirectory(string directory, int readerPageCacheMib = DefaultReaderPageCacheMib)
    {
        PrivateFiles.EnsureFolder(directory);
        var file = Path.Combine(directory, FileName);
        MakePrivate(file);
        return new SqliteDialect($"Data Source={file}") { ReaderPageCacheMib = readerPageCacheMib };
    }

    /// <summary>A SQLite file named by a connection string: the file is private too; its folder is the operator's.</summary>
    public static SqliteDialect OwnFile(string connectionString, int readerPageCacheMib = DefaultReaderPageCacheMib)
    {
        var settings = new SqliteConnectionStringBuilder(connectionString);
        var file = settings.DataSource;
        if (settings.Mode == SqliteOpenMode.ReadWriteCreate && file.Length > 0 && file != ":memory:"
            && !file.StartsWith("file:", StringComparison.OrdinalIgnoreCase) && Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(file))))
        {
            MakePrivate(file);
        }

        return new SqliteDialect(connectionString) { ReaderPageCacheMib = readerPageCacheMib };
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

    /// <summary>
    /// The page cache of each pooled connection, in MiB (SQLite's own default is 2 MiB). A search at a million sessions
    /// reads a few thousand rows of rooms and index pages scattered over the file; with 2 MiB each read evicts what the
    /// last one needed, and every request reads them again from the system's file cache. 4 MiB holds a search's pages;
    /// 16 MiB held more of a deep page's walk, but the diagnosis's readers fill theirs too, and the server held 30–50 MB
    /// more (docs/benchmarks.md). Pages are taken as they are read, and a quiet server closes its pooled connections
    /// (<see cref="ReleaseMemory"/>).
    /// </summary>
    public int ReaderPageCacheMib { get; init; } = DefaultReaderPageCacheMib;

    public const int DefaultReaderPageCacheMib = 4;

    public override DbConnection Open() => OpenSqlite(ConnectionString, ReaderPageCacheMib);

    private static SqliteConnection OpenSqlite(string connectionString, int pageCacheMib)
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        // WAL (set once by Migrate; it is a property of the file) with synchronous=NORMAL keeps every committed
        // transaction across a process crash (kill -9); only a power loss could drop the last commits.
        pragma.CommandText = $"PRAGMA synchronous=NORMAL; PRAGMA busy_timeout={BusyTimeoutMs}; PRAGMA cache_size=-{pageCacheMib * 1024};";
        pragma.ExecuteNonQuery();
        return connection;
    }

    /// <summary>
    /// Keeps a page cache of its own (<see cref="WriterMemory.PageCacheMib"/>: the event id index takes its look-ups all
    /// over its tree) and does not checkpoint on commit: <see cref="Checkpoint"/> does that from another thread, so the
    /// writer never waits for the copy back into the file.
    /// </summary>
    public override DbConnection OpenWriter(WriterMemory memory)
    {
        // Not pooled: these settings belong to the writer alone.
        var connection = OpenSqlite(new SqliteConnectionStringBuilder(ConnectionString) { Pooling = false }.ToString(), memory.PageCacheMib);
        EventIdHashes.Register(connection);
        using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit={WalSizeLimit}; {EventIdHashes.ForgetDeleted};";
        pragma.ExecuteNonQuery();
        return connection;
    }

    /// <summary>
    /// What is left of the log file on disk when it starts over: more than the log grows to between two restarts
    /// (see <see cref="SqliteUpkeepLoop"/>), so under steady load the file is rewritten in place instead of being cut
    /// and grown again, which costs the file system a new allocation for every block.
    /// </summary>
    private const long WalSizeLimit = 512L * 1024 * 1024;

    /// <summary>
    /// Copies committed pages from the write-ahead log back into the database file and returns how many frames the log
    /// holds. A passive checkpoint never waits for the writer or readers, and runs beside the writer. A writer that
    /// keeps writing keeps a passive checkpoint from ever finishing, and an unfinished log never starts over, so once
    /// the log has grown the writer, between two transactions, finishes one with a restarting checkpoint.
    /// </summary>
    public static long Checkpoint(DbConnection connection, bool restart)
    {
        if (!restart)
        {
            return RunCheckpoint(connection, "PASSIVE");
        }

        // A restart waits for every reader to move past the log's end. A long read (callscope backup copying the
        // store) would hold the writer here for the whole busy timeout, again at each try: so the writer waits a
        // moment only, and a restart that readers stop is tried again after the checkpointer's next pass.
        SetBusyTimeout(connection, RestartBusyTimeoutMs);
        try
        {
            return RunCheckpoint(connection, "RESTART");
        }
        finally
        {
            SetBusyTimeout(connection, BusyTimeoutMs);
        }
    }

    /// <summary>How long the writer waits for readers when it lets the log start over.</summary>
    private const int RestartBusyTimeoutMs = 200;

    private static long RunCheckpoint(DbConnection connection, string mode)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA wal_checkpoint({mode})";
        using var reader = command.ExecuteReader();
        return reader.Read() ? reader.GetInt64(1) : 0;
    }

    private static void SetBusyTimeout(DbConnection connection, int milliseconds)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA busy_timeout={milliseconds}";
        command.ExecuteNonQuery();
    }

    /// <summary>SQLite takes its write lock at once.</summary>
    public override DbTransaction BeginWrite(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: false);

    /// <summary>
    /// Deferred: in WAL mode it takes a read snapshot at its first statement and keeps it to the end. A transaction that
    /// is not deferred (what <c>BeginTransaction(IsolationLevel)</c> gives for any level but read-uncommitted) would
    /// take the write lock at once and hold the writer back for as long as the read runs.
    /// </summary>
    public override DbTransaction BeginSnapshotRead(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: true);

    public override IReadOnlyList<string> Migrate(DateTimeOffset now)
    {
        using (var connection = Open())
        {
            using var wal = connection.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode=WAL";
            wal.ExecuteNonQuery();
        }

        return Migrations.Run(DeployChanges.To.SqliteDatabase(ConnectionString)
            .WithScriptsEmbeddedInAssembly(Assembly.GetExecutingAssembly(), IsMigration)
            .WithScript(EventIdHashes.Migration.Name, new EventIdHashes.Migration()));
    }

    /// <summary>Whether an embedded resource of this assembly is one of this provider's migration scripts.</summary>
    public static bool IsMigration(string resourceName) => resourceName.Contains(".Migrations.Sqlite.", StringComparison.Ordinal);

    /// <summary>The names of every migration this build runs: the embedded scripts and the one run by code.</summary>
    public static IEnumerable<string> MigrationNames() =>
        Assembly.GetExecutingAssembly().GetManifestResourceNames().Where(IsMigration).Append(EventIdHashes.Migration.Name);

    public override bool IsUniqueViolation(DbException error) => error is SqliteException { SqliteErrorCode: 19 };

    /// <summary>Busy or locked: another process held the file for longer than the busy timeout.</summary>
    public override bool IsTransient(DbException error) => error is SqliteException { SqliteErrorCode: 5 or 6 };

    public override string ILike => "LIKE";

    public override string Smaller(string a, string b) => $"min({a}, {b})";

    public override string Larger(string a, string b) => $"max({a}, {b})";

    public override string InList(string column, string parameter) => $"{column} IN @{parameter}";

    /// <summary>
    /// Events carry no index by room: the writer copies new events into <c>event_rooms</c> about once a second
    /// (<see cref="IndexRoomsCommand"/>), and the rows stored since the last copy are found by a scan of those rows alone,
    /// after the mark. That scan is NOT INDEXED (the rowid range stays): conditions on the team reach it from the
    /// caller's filter, and without statistics SQLite would take the id index for them and read every event of the team.
    /// </summary>
    public override string EventsOfRoom(string room, string? from = null, string? to = null)
    {
        var range = (from is null ? "" : $" AND x.ts >= {from}") + (to is null ? "" : $" AND x.ts <= {to}");
        return $"""
            (SELECT e.* FROM event_rooms x JOIN events e ON e.seq = x.seq WHERE x.room_id = {room}{range}
             UNION ALL
             SELECT * FROM events NOT INDEXED WHERE seq > (SELECT seq FROM event_rooms_mark) AND room_id = {room})
            """;
    }

    /// <summary>
    /// The id index has two layers (migrations 0020 and 0023): <c>event_id_hashes</c> holds the ids up to its mark, by
    /// hash (<see cref="EventIdHashes"/>); the newer ones are only in the writer's memory, so a reader finds them among
    /// the room's events after that mark, through the room index and, after its own mark, by the scan of the newest rows.
    /// The hash goes in as the parameter <c>@byHash</c>, so a reader needs no function of ours.
    /// </summary>
    public override string EventById(DynamicParameters p, string team, string id, string room)
    {
        AddEventKey(p, team, id, room);
        p.Add("byHash", EventIdHashes.Of(team, id));
        return """
            (SELECT e.* FROM event_id_hashes x JOIN events e ON e.seq = x.seq
             WHERE x.hash = @byHash AND e.team_id = @byTeam AND e.id = @byId AND e.room_id = @byRoom
             UNION ALL
             SELECT e.* FROM event_rooms x JOIN events e ON e.seq = x.seq
             WHERE x.room_id = @byRoom AND x.seq > (SELECT seq FROM event_ids_mark) AND e.team_id = @byTeam AND e.id = @byId
             UNION ALL
             SELECT * FROM events NOT INDEXED
             WHERE seq > (SELECT seq FROM event_rooms_mark) AND seq > (SELECT seq FROM event_ids_mark)
               AND room_id = @byRoom AND team_id = @byTeam AND id = @byId)
            """;
    }

    /// <summary>
    /// Rooms found by the FTS5 trigram index of their names and descriptions (<c>room_search</c>, migration 0018), then
    /// tested with LIKE, so that the answer is the scan's (the index folds more than ASCII case). The index only knows
    /// substrings of three characters or more: shorter text scans.
    /// </summary>
    public override string RoomsContaining(string text, DynamicParameters p)
    {
        if (text.EnumerateRunes().Count() < 3)
        {
            return base.RoomsContaining(text, p);
        }

        // The team's condition is kept off its index (+), so that the rooms are read by the rowids the index gives.
        p.Add("qmatch", "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"");
        return $"""
            SELECT r.id, r.session_count FROM rooms r
            WHERE r.rowid IN (SELECT rowid FROM room_search WHERE room_search MATCH @qmatch) AND +r.team_id = @team
                AND (r.friendly_url LIKE @qlike ESCAPE '\' OR r.description LIKE @qlike ESCAPE '\')
            """;
    }

    /// <summary>The list goes as one JSON array, read by <c>json_each</c>.</summary>
    public override string TextList(string name, IReadOnlyCollection<string> values, DynamicParameters p)
    {
        p.Add(name, System.Text.Json.JsonSerializer.Serialize(values));
        return $"SELECT value FROM json_each(@{name})";
    }

    /// <summary>A narrow search is sorted after it is read: an expression in ORDER BY keeps the planner off the time index.</summary>
    public override string StartOrder(bool narrowSearch) => narrowSearch ? "s.start_time + 0" : "s.start_time";

    public override bool NarrowPageFirst => false;

    /// <summary>One node: every commit is this node's own.</summary>
    public override Task ListenForChangesAsync(Action<TeamId> changed, Action<Exception> lost, CancellationToken cancellationToken) => Task.CompletedTask;

    internal override bool[] InsertEvents(WriteContext context, TeamId team, IReadOnlyList<RoomId> rooms, IReadOnlyList<IncomingEvent> events) =>
        EventRows.InsertPrepared(context, team, rooms, events);

    internal override void UpsertRows(WriteContext context, RowTable table, IReadOnlyList<object?[]> rows)
    {
        var command = context.Statement(table.One, table.Names);
        foreach (var row in rows)
        {
            WriterStatements.Bind(command, row).ExecuteNonQuery();
        }
    }

    /// <summary>One compiled upsert, run once per room: no round trips to save in process.</summary>
    internal override void MarkRooms(WriteContext context, IReadOnlyList<RoomMark> marks)
    {
        var upsert = context.Statement(
            "INSERT INTO diagnosis_queue (room_id, team_id, version, done, from_ts, to_ts) VALUES (@room, @team, 1, 0, @from, @to) " + DiagnosisMarks.OnConflict(this),
            "room", "team", "from", "to");
        foreach (var mark in marks)
        {
            WriterStatements.Bind(upsert, mark.Room.ToString(), mark.Team.ToString(), mark.From, mark.To).ExecuteNonQuery();
        }
    }

    internal override void MarkUsage(WriteContext context, IReadOnlyList<UsageMark> marks)
    {
        var upsert = context.Statement(
            "INSERT INTO usage_marks (team_id, room_id, from_ts, version) VALUES (@team, @room, @from, 1) " + UsageMarks.OnConflict(this),
            "team", "room", "from");
        foreach (var mark in marks)
        {
            WriterStatements.Bind(upsert, mark.Team.ToString(), mark.Room.ToString(), mark.From).ExecuteNonQuery();
        }
    }

    internal override void NumberUsageChanges(WriteContext context, string team, IReadOnlyCollection<string> rooms, long version)
    {
        var upsert = context.Statement(UsageChanges.Number("VALUES (@team, @room, @version)"), "team", "room", "version");
        foreach (var room in rooms)
        {
            WriterStatements.Bind(upsert, team, room, version).ExecuteNonQuery();
        }
    }

    /// <summary>One writer, so nothing to lock: the versions only tell whether the cached state is current.</summary>
    internal override Dictionary<RoomId, long> LockRooms(WriteContext context, IReadOnlyCollection<(TeamId Team, RoomId Room)> rooms) =>
        rooms.ToDictionary(r => r.Room, r => RoomVersion(context, "SELECT law_version FROM rooms WHERE team_id = @team AND id = @room", r.Team, r.Room));

    /// <summary>
    /// Each room's version goes up by one, then is read back: an <c>UPDATE … RETURNING</c> would have SQLite open a
    /// statement journal for every room and copy its pages there first (docs/benchmarks.md, "Seventh round").
    /// </summary>
    internal override Dictionary<RoomId, long> BumpVersions(WriteContext context, IReadOnlyCollection<(TeamId Team, RoomId Room)> rooms)
    {
        var bump = context.Statement("UPDATE rooms SET law_version = law_version + 1 WHERE team_id = @team AND id = @room", "team", "room");
        foreach (var (team, room) in rooms)
        {
            WriterStatements.Bind(bump, team.ToString(), room.ToString()).ExecuteNonQuery();
        }

        return LockRooms(context, rooms);
    }

    private static long RoomVersion(WriteContext context, string sql, TeamId team, RoomId room) => Convert.ToInt64(
        WriterStatements.Bind(context.Statement(sql, "team", "room"), team.ToString(), room.ToString()).ExecuteScalar(), CultureInfo.InvariantCulture);

    /// <summary>One compiled look-up per name: cheaper in process than compiling a new statement for every list.</summary>
    internal override Dictionary<string, RoomId> FindRooms(WriteContext context, TeamId team, string[] names)
    {
        var found = new Dictionary<string, RoomId>(names.Length, StringComparer.Ordinal);
        var lookup = context.SqliteStatement("SELECT id FROM rooms WHERE team_id = @team AND friendly_url = @name AND deleted_at IS NULL", "team", "name");
        lookup.Bind(0, team.ToString());
        foreach (var name in names)
        {
            lookup.Bind(1, name);
            if (lookup.RunForText() is { } id)
            {
                found[name] = new RoomId(Guid.Parse(id));
            }
        }

        return found;
    }

    internal override string DueRoomsSql => $"SELECT s.team_id, s.room_id FROM sessions s WHERE {SessionLiveness.Due} LIMIT 1000";

    /// <summary>Only the law's events, by their partial index: the planner would otherwise walk every event of the room.</summary>
    internal override string LawEventsSql =>
        "SELECT id, type, ts, law_flags, external_id, connection_id, participant_name, role, data FROM events INDEXED BY events_law WHERE team_id = @team AND room_id = @room AND law = 1";

    /// <summary>
    /// The oldest rows are found through the room index, and the rows stored since its last copy by a scan of those alone;
    /// they go with their index rows.
    /// </summary>
    internal override int DeleteEventsBefore(WriteContext context, TeamId team, RoomId room, long before, int limit)
    {
        var args = new { room = room.ToString(), before, limit };
        var seqs = context.Query<long>(
            """
            SELECT seq FROM (SELECT seq FROM event_rooms WHERE room_id = @room AND ts < @before ORDER BY ts LIMIT @limit)
            UNION ALL
            SELECT seq FROM events NOT INDEXED WHERE seq > (SELECT seq FROM event_rooms_mark) AND room_id = @room AND ts < @before
            """, args).Take(limit).ToArray();
        if (seqs.Length == 0)
        {
            return 0;
        }

        context.Execute("DELETE FROM event_rooms WHERE room_id = @room AND ts < @before AND seq IN @seqs", new { args.room, before, seqs });
        return context.Execute("DELETE FROM events WHERE seq IN @seqs", new { seqs });
    }

    internal override void AnnounceChanges(WriteContext context, IReadOnlyCollection<TeamId> teams)
    {
    }

    /// <summary>
    /// Closes the pooled readers, each of which keeps a page cache of its own (up to <see cref="ReaderPageCacheMib"/> MiB)
    /// for as long as it is pooled; readers in use are closed when they are returned. The next read opens a fresh one.
    /// The writer, which is not pooled, gives its cache back after its current transaction (<see cref="CacheReleases"/>).
    /// </summary>
    internal override void ReleaseMemory()
    {
        using var pooled = new SqliteConnection(ConnectionString);
        SqliteConnection.ClearPool(pooled);
        Interlocked.Increment(ref cacheReleases);
    }

    private long cacheReleases;

    /// <summary>How often the writer's page cache was asked to be given back; the writer compares it with what it last answered.</summary>
    internal long CacheReleases => Interlocked.Read(ref cacheReleases);

    internal override WriterUpkeep CreateUpkeep(SqliteUpkeep settings, ILogger logger) => new SqliteUpkeepLoop(this, settings, logger);
}
