using System.Data;
using System.Data.Common;
using System.Reflection;
using Callscope.Core;
using Callscope.Core.Ingest;
using Callscope.Data.Sessions;
using Callscope.Data.Writing;
using Dapper;
using DbUp;
using Npgsql;

namespace Callscope.Data.Dialects;

/// <summary>
/// PostgreSQL, shared by several nodes: rooms are row-locked per writer, several rows go in one statement as arrays
/// (one round trip instead of one per row), sessions due to end are taken with <c>SKIP LOCKED</c>, events are
/// partitioned by month (<see cref="EventPartitions"/>), and commits are announced to the other nodes.
/// </summary>
public sealed class PostgresDialect : StoreDialect
{
    private readonly NpgsqlDataSource source;

    public PostgresDialect(string connectionString)
    {
        ConnectionString = new NpgsqlConnectionStringBuilder(connectionString) { Enlist = false }.ToString();
        source = NpgsqlDataSource.Create(ConnectionString);
    }

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public override string ConnectionString { get; }

    public override DbConnection Open() => source.OpenConnection();

    public override DbConnection OpenWriter(WriterMemory memory) => Open();

    public override DbTransaction BeginWrite(DbConnection connection) => connection.BeginTransaction(IsolationLevel.ReadCommitted);

    public override DbTransaction BeginSnapshotRead(DbConnection connection) => connection.BeginTransaction(IsolationLevel.RepeatableRead);

    public override IReadOnlyList<string> Migrate(DateTimeOffset now)
    {
        if (!DatabaseExists())
        {
            EnsureDatabase.For.PostgresqlDatabase(ConnectionString, new DbUp.Engine.Output.NoOpUpgradeLog());
        }

        var scripts = Migrations.Run(DeployChanges.To.PostgresqlDatabase(ConnectionString)
            .WithScriptsEmbeddedInAssembly(Assembly.GetExecutingAssembly(), name => name.Contains(".Migrations.Postgres.", StringComparison.Ordinal)));
        EventPartitions.Ensure(this, now);
        return scripts;
    }

    /// <summary>
    /// Whether the configured database is there. Creating it goes through the maintenance database, and that path
    /// leaves a connection open on every call (one per start, more in a test run), so it is taken only when needed.
    /// </summary>
    private bool DatabaseExists()
    {
        try
        {
            using var connection = source.OpenConnection();
            return true;
        }
        catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            return false;
        }
    }

    public override bool IsUniqueViolation(DbException error) => error is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>A deadlock or a race with another node: running the same transaction again settles it.</summary>
    public override bool IsTransient(DbException error) =>
        error is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.UniqueViolation };

    public override string ILike => "ILIKE";

    public override string Smaller(string a, string b) => $"LEAST({a}, {b})";

    public override string Larger(string a, string b) => $"GREATEST({a}, {b})";

    /// <summary>The list goes as one array parameter.</summary>
    public override string InList(string column, string parameter) => $"{column} = ANY(@{parameter})";

    public override string SkipLocked(string table) => $" FOR UPDATE OF {table} SKIP LOCKED";

    /// <summary>PostgreSQL indexes events by room as it stores them.</summary>
    public override string EventsOfRoom(string room, string? from = null, string? to = null) => "events";

    /// <summary>The id index keeps each event's room and time (migration 0024): the event is found among the room's events at that time.</summary>
    public override string EventById(DynamicParameters p, string team, string id, string room)
    {
        AddEventKey(p, team, id, room);
        return """
            (SELECT e.* FROM event_ids x JOIN events e ON e.room_id = x.room_id AND e.ts = x.ts AND e.team_id = x.team_id AND e.id = x.id
             WHERE x.team_id = @byTeam AND x.id = @byId AND x.room_id = @byRoom)
            """;
    }

    /// <summary>The list goes as one text array.</summary>
    public override string TextList(string name, IReadOnlyCollection<string> values, DynamicParameters p)
    {
        p.Add(name, values.ToArray());
        return $"SELECT unnest(@{name}::text[])";
    }

    public override string StartOrder(bool narrowSearch) => "s.start_time";

    public override bool NarrowPageFirst => true;

    /// <summary>
    /// Where the text holds a trigram, the rooms come through <c>rooms_containing</c> (migrations 0021, 0022): the planner prices
    /// <c>ILIKE</c> as almost free and a trigram index by the number of trigrams in the text, so for a long text (a session
    /// id) or a common word it chose to scan every room of the team, matching both columns of each: 14–19 ms at 20,000
    /// rooms, against 1–6 ms through the index (docs/benchmarks.md, Queries). The function plans its statement with
    /// sequential scans off and tests the team in a form no index of the team answers, so the trigram indexes are the one
    /// way in; the setting lasts as long as the function runs. Without a trigram the indexes cannot narrow anything, and
    /// the planner chooses as usual.
    /// </summary>
    public override string RoomsContaining(string text, DynamicParameters p) =>
        HasTrigram(text) ? "SELECT r.id, r.session_count FROM rooms_containing(@team, @qlike) r" : base.RoomsContaining(text, p);

    /// <summary>Whether the text has three letters or digits in a row: <c>pg_trgm</c> takes its trigrams within words.</summary>
    private static bool HasTrigram(string text)
    {
        var run = 0;
        foreach (var c in text)
        {
            run = char.IsLetterOrDigit(c) ? run + 1 : 0;
            if (run == 3)
            {
                return true;
            }
        }

        return false;
    }

    public override async Task ListenForChangesAsync(Action<TeamId> changed, Action<Exception> lost, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString);
                await connection.OpenAsync(cancellationToken);
                connection.Notification += (_, e) =>
                {
                    if (Guid.TryParse(e.Payload, out var team))
                    {
                        changed(new TeamId(team));
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {ChangesChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(cancellationToken);
                }

                while (!cancellationToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(cancellationToken);
                }
            }
            catch (NpgsqlException error)
            {
                lost(error);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    /// <summary>The whole batch in two steps: the ids in one set-based statement (which tells the new ones), then their rows by binary COPY.</summary>
    internal override bool[] InsertEvents(WriteContext context, TeamId team, IReadOnlyList<RoomId> rooms, IReadOnlyList<IncomingEvent> events) =>
        EventRows.InsertSetBased(context, team, rooms, events);

    /// <summary>Every row in one statement, each column as one array.</summary>
    internal override void UpsertRows(WriteContext context, RowTable table, IReadOnlyList<object?[]> rows)
    {
        var parameters = new DynamicParameters();
        for (var c = 0; c < table.Columns.Length; c++)
        {
            var column = c;
            parameters.Add(table.Columns[c].Name,
                table.Columns[c].Text ? rows.Select(r => (string?)r[column]).ToArray() : rows.Select(r => (long?)r[column]).ToArray());
        }

        context.Connection.Execute(table.Many, parameters, context.Transaction);
    }

    /// <summary>Row locks, taken in id order in one statement.</summary>
    internal override Dictionary<RoomId, long> LockRooms(WriteContext context, IReadOnlyCollection<(TeamId Team, RoomId Room)> rooms)
    {
        if (rooms.Count == 1)
        {
            var (team, room) = rooms.First();
            var version = WriterStatements.Bind(
                context.Statement("SELECT law_version FROM rooms WHERE team_id = @team AND id = @room FOR UPDATE", "team", "room"),
                team.ToString(), room.ToString()).ExecuteScalar();
            return new Dictionary<RoomId, long> { [room] = Convert.ToInt64(version, System.Globalization.CultureInfo.InvariantCulture) };
        }

        return Versions(context,
            """
            SELECT r.id, r.law_version FROM rooms r JOIN unnest(@teams, @ids) AS u (team_id, id) ON r.team_id = u.team_id AND r.id = u.id
            ORDER BY r.id FOR UPDATE OF r
            """,
            rooms);
    }

    /// <summary>Every room in one statement: one round trip.</summary>
    internal override void MarkRooms(WriteContext context, IReadOnlyList<RoomMark> marks) => context.Execute(
        $"""
        INSERT INTO diagnosis_queue (room_id, team_id, version, done, from_ts, to_ts)
        SELECT room, team, 1, 0, f, t FROM unnest(@rooms, @teams, @froms, @tos) WITH ORDINALITY AS u (room, team, f, t, ord) ORDER BY ord
        {DiagnosisMarks.OnConflict(this)}
        """,
        new
        {
            rooms = marks.Select(m => m.Room.ToString()).ToArray(), teams = marks.Select(m => m.Team.ToString()).ToArray(),
            froms = marks.Select(m => m.From).ToArray(), tos = marks.Select(m => m.To).ToArray(),
        });

    /// <summary>Every room in one statement: one round trip instead of one per room.</summary>
    internal override void MarkUsage(WriteContext context, IReadOnlyList<UsageMark> marks) => context.Execute(
        $"""
        INSERT INTO usage_marks (team_id, room_id, from_ts, version)
        SELECT team, room, f, 1 FROM unnest(@teams, @rooms, @froms) WITH ORDINALITY AS u (team, room, f, ord) ORDER BY ord
        {UsageMarks.OnConflict(this)}
        """,
        new
        {
            teams = marks.Select(m => m.Team.ToString()).ToArray(), rooms = marks.Select(m => m.Room.ToString()).ToArray(),
            froms = marks.Select(m => m.From).ToArray(),
        });

    /// <summary>Every room in one statement: one round trip instead of one per room.</summary>
    internal override void NumberUsageChanges(WriteContext context, string team, IReadOnlyCollection<string> rooms, long version) => context.Execute(
        UsageChanges.Number("SELECT @team, u.room, @version FROM unnest(@rooms) WITH ORDINALITY AS u (room, ord) ORDER BY u.ord"),
        new { team, rooms = rooms.ToArray(), version });

    internal override Dictionary<RoomId, long> BumpVersions(WriteContext context, IReadOnlyCollection<(TeamId Team, RoomId Room)> rooms) => Versions(context,
        """
        UPDATE rooms r SET law_version = r.law_version + 1 FROM unnest(@teams, @ids) AS u (team_id, id)
        WHERE r.team_id = u.team_id AND r.id = u.id RETURNING r.id, r.law_version
        """,
        rooms);

    private static Dictionary<RoomId, long> Versions(WriteContext context, string sql, IReadOnlyCollection<(TeamId Team, RoomId Room)> rooms) =>
        rooms.Count == 0
            ? []
            : context.Connection.Query<(string Id, long Version)>(sql,
                    new { teams = rooms.Select(r => r.Team.ToString()).ToArray(), ids = rooms.Select(r => r.Room.ToString()).ToArray() }, context.Transaction)
                .ToDictionary(r => new RoomId(Guid.Parse(r.Id)), r => r.Version);

    /// <summary>
    /// All the names in one statement: one round trip, one probe of the name index per name. The probe is written as a
    /// subquery with a <c>LIMIT</c> so the planner cannot turn it into a scan of the team's rooms: with a few hundred names
    /// it priced <c>friendly_url = ANY(@names)</c> as a sequential scan, and under ingest, where every batch leaves a new
    /// version of its rooms' rows behind, that scan cost 13 ms a batch against 0.8 ms for the probes (docs/benchmarks.md,
    /// Ingest).
    /// </summary>
    internal override Dictionary<string, RoomId> FindRooms(WriteContext context, TeamId team, string[] names) => context.Connection.Query<(string Id, string Name)>(
            """
            SELECT r.id, r.friendly_url FROM unnest(@names) AS n (name) CROSS JOIN LATERAL
                (SELECT id, friendly_url FROM rooms WHERE team_id = @team AND deleted_at IS NULL AND friendly_url = n.name LIMIT 1) r
            """,
            new { team = team.ToString(), names }, context.Transaction)
        .ToDictionary(r => r.Name, r => new RoomId(Guid.Parse(r.Id)), StringComparer.Ordinal);

    /// <summary>
    /// The rooms of due sessions, locked with SKIP LOCKED: when several nodes sweep at once, each due session is taken by
    /// exactly one of them, and a room another node's writer holds is left to a later sweep. The sweep takes rooms, as
    /// every writer does, before their sessions: a sweep that locked sessions first and then waited for their room
    /// would wait in a cycle with a writer that holds the room and goes on to write those sessions.
    /// </summary>
    internal override string DueRoomsSql =>
        $"""
        SELECT s.team_id, s.room_id FROM sessions s JOIN rooms r ON r.team_id = s.team_id AND r.id = s.room_id
        WHERE {SessionLiveness.Due} ORDER BY s.room_id LIMIT 1000 FOR UPDATE OF r SKIP LOCKED
        """;

    internal override string LawEventsSql =>
        "SELECT id, type, ts, law_flags, external_id, connection_id, participant_name, role, data FROM events WHERE team_id = @team AND room_id = @room AND law = 1";

    /// <summary>
    /// One statement: the oldest rows by the room index, deleted by their key, and their ids from the dedupe table (an id
    /// older than the room's history could only name an event that is no longer stored anyway).
    /// </summary>
    internal override int DeleteEventsBefore(WriteContext context, TeamId team, RoomId room, long before, int limit) => context.Scalar<int>(
        """
        WITH old AS (SELECT ts, seq FROM events WHERE room_id = @room AND ts < @before ORDER BY ts LIMIT @limit),
        gone AS (DELETE FROM events e USING old WHERE e.team_id = @team AND e.ts = old.ts AND e.seq = old.seq RETURNING e.id),
        ids AS (DELETE FROM event_ids i USING gone WHERE i.team_id = @team AND i.id = gone.id RETURNING 1)
        SELECT COUNT(*)::int FROM gone
        """,
        new { team = team.ToString(), room = room.ToString(), before, limit });

    /// <summary>Delivered to every node's listener when the transaction commits, for live updates across nodes.</summary>
    internal override void AnnounceChanges(WriteContext context, IReadOnlyCollection<TeamId> teams)
    {
        foreach (var team in teams)
        {
            context.Connection.Execute("SELECT pg_notify(@channel, @team)", new { channel = ChangesChannel, team = team.ToString() }, context.Transaction);
        }
    }
}
