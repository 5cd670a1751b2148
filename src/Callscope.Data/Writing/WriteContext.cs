using System.Data.Common;
using Callscope.Core;
using Callscope.Core.Law;
using Callscope.Data.Dialects;
using Dapper;

namespace Callscope.Data.Writing;

/// <summary>
/// One transaction of the writer, as its commands see it: the connection, the transaction, the store's dialect, the
/// instant the transaction runs at, the writer's memory of busy rooms, and the session rows a command holds back
/// until it finishes.
/// </summary>
internal sealed class WriteContext(StoreDialect dialect, DbConnection connection, WriterStatements statements, DbTransaction transaction, RoomStates states, DateTimeOffset now)
{
    public StoreDialect Dialect => dialect;

    public DbConnection Connection => connection;

    public DbTransaction Transaction => transaction;

    /// <summary>The instant the transaction runs at, by the server clock.</summary>
    public DateTimeOffset Now => now;

    public RoomStates States => states;

    /// <summary>SQLite: the newest layer of the event id index, in the writer's memory.</summary>
    public RecentEventIds RecentIds => statements.RecentIds;

    /// <summary>The writer's instruments.</summary>
    public required Telemetry.CallscopeMetrics Metrics { get; init; }

    /// <summary>Rooms whose cached state this transaction changed: forgotten if it does not commit.</summary>
    public HashSet<RoomId> TouchedRooms { get; } = [];

    /// <summary>Teams whose data changed, for live updates.</summary>
    public HashSet<TeamId> ChangedTeams { get; } = [];

    /// <summary>Session and participant rows the running command wrote, until <see cref="Finish"/>.</summary>
    public SessionRows Held => held ??= new SessionRows(MarkForDiagnosis, usage.Add, Outbox);

    /// <summary>Deliveries for the team's webhooks of what the running command wrote, until <see cref="Finish"/>.</summary>
    public WebhookOutbox Outbox => outbox ??= new WebhookOutbox(this);

    private WebhookOutbox? outbox;

    /// <summary>Whether any command of the transaction queued a webhook delivery.</summary>
    public bool DeliveriesQueued => outbox?.Queued == true;

    private SessionRows? held;

    /// <summary>
    /// Rooms whose participants need diagnosing again, with the time range of what changed, written at
    /// <see cref="Finish"/> (see <see cref="DiagnosisMarks"/>).
    /// </summary>
    private readonly DiagnosisMarks marks = new();

    /// <summary>Rooms whose sessions were stored or removed, from the earliest start among them (see <see cref="UsageMarks"/>).</summary>
    private readonly UsageMarks usage = new();

    /// <summary>
    /// The rooms whose usage any command of the transaction marked, numbered at <see cref="FinishTransaction"/>. A
    /// command that fails after marking leaves its rooms here: a room numbered without a change costs a reader one
    /// needless read, never a wrong answer.
    /// </summary>
    private readonly UsageChanges changes = new();

    /// <summary>Records that a room's usage marks were raised in this transaction (see <see cref="UsageChanges"/>).</summary>
    internal void UsageChanged(TeamId team, RoomId room) => changes.Add(team, room);

    /// <summary>Ends the transaction's writes, just before it commits: numbers the rooms whose usage changed.</summary>
    public void FinishTransaction() => changes.Write(this);

    /// <summary>Records that the room's sessions from <paramref name="from"/> (Unix milliseconds) on were stored or removed.</summary>
    public void MarkUsage(TeamId team, RoomId room, long from) => usage.Add(team, room, from);

    /// <summary>Whether writes mark rooms for the diagnosis worker (off when the node runs without diagnosis).</summary>
    public bool Diagnosing { get; init; } = true;

    /// <summary>
    /// Records that what the room's participants did between <paramref name="from"/> and <paramref name="to"/> (Unix
    /// milliseconds) changed, so their issues are found again.
    /// </summary>
    public void MarkForDiagnosis(TeamId team, RoomId room, long from, long to)
    {
        if (Diagnosing)
        {
            marks.Add(team, room, from, to);
        }
    }

    /// <summary>Rooms whose law version the running command bumps at <see cref="Finish"/>, with their new state.</summary>
    private readonly List<(TeamId Team, RoomId Room, RoomSweep Sweep)> bumps = [];

    /// <summary>One of the writer's statements, compiled once for the life of its connection, in this transaction.</summary>
    public DbCommand Statement(string sql, params ReadOnlySpan<string> parameters) => statements.For(sql, transaction, parameters);

    /// <summary>SQLite only: a statement of the writer's that runs once per event (<see cref="SqliteStatement"/>).</summary>
    public SqliteStatement SqliteStatement(string sql, params ReadOnlySpan<string> parameters) => statements.Sqlite(sql, parameters);

    public int Execute(string sql, object? parameters = null) => connection.Execute(sql, parameters, transaction);

    public IEnumerable<T> Query<T>(string sql, object? parameters = null) => connection.Query<T>(sql, parameters, transaction);

    public T? Single<T>(string sql, object? parameters = null) => connection.QuerySingleOrDefault<T>(sql, parameters, transaction);

    public T Scalar<T>(string sql, object? parameters = null) => connection.ExecuteScalar<T>(sql, parameters, transaction)!;

    /// <summary>Locks one room for this transaction and returns its law version (see <see cref="StoreDialect.LockRooms"/>).</summary>
    public long LockRoom(TeamId team, RoomId room) => dialect.LockRooms(this, [(team, room)])[room];

    public Dictionary<RoomId, long> LockRooms(IReadOnlyCollection<(TeamId Team, RoomId Room)> rooms) => dialect.LockRooms(this, rooms);

    /// <summary>
    /// Records that the room's sessions changed, so other nodes rebuild their memory of it; done at <see cref="Finish"/>,
    /// which keeps the room's state under its new version.
    /// </summary>
    public void BumpVersion(TeamId team, RoomId room, RoomSweep sweep) => bumps.Add((team, room, sweep));

    /// <summary>
    /// Ends a command: writes the rows it held back and bumps its rooms' versions, so that a command costs a few
    /// statements rather than a few per room.
    /// </summary>
    public void Finish()
    {
        Held.Flush(this);
        outbox?.Write();
        marks.Write(this);
        usage.Write(this);
        if (bumps.Count == 0)
        {
            return;
        }

        var versions = dialect.BumpVersions(this, [.. bumps.Select(b => (b.Team, b.Room)).Distinct()]);
        foreach (var (team, room, sweep) in bumps)
        {
            states.Put(team, room, sweep, versions[room]);
        }

        bumps.Clear();
    }

    /// <summary>The command failed and what it wrote is rolled back: nothing it held back may be written.</summary>
    public void Discard()
    {
        Held.Clear();
        outbox?.Clear();
        marks.Clear();
        usage.Clear();
        bumps.Clear();
    }
}
