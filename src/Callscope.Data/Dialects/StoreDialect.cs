using System.Data.Common;
using Callscope.Core;
using Callscope.Core.Ingest;
using Callscope.Data.Writing;
using Dapper;
using Microsoft.Extensions.Logging;

namespace Callscope.Data.Dialects;

/// <summary>
/// Everything in which the two stores differ, and nothing else: connections, migrations, the SQL that has no common
/// form, the writer's set-based or prepared statements, and each store's upkeep (SQLite's checkpointer and room index,
/// PostgreSQL's partitions and change feed). No other class asks which store it runs on.
/// </summary>
public abstract class StoreDialect
{
    public abstract DatabaseProvider Provider { get; }

    public abstract string ConnectionString { get; }

    public abstract DbConnection Open();

    /// <summary>The single writer's own connection, with the settings that belong to it alone.</summary>
    public abstract DbConnection OpenWriter(WriterMemory memory);

    /// <summary>Begins the writer's transaction.</summary>
    public abstract DbTransaction BeginWrite(DbConnection connection);

    /// <summary>
    /// A transaction that only reads and sees the store as of one moment throughout, without holding back any writer:
    /// several statements of one answer then agree with each other.
    /// </summary>
    public abstract DbTransaction BeginSnapshotRead(DbConnection connection);

    /// <summary>Applies pending migrations; returns the names of the scripts it ran.</summary>
    public abstract IReadOnlyList<string> Migrate(DateTimeOffset now);

    public abstract bool IsUniqueViolation(DbException error);

    /// <summary>Errors after which the same transaction can simply be run again (deadlocks between nodes).</summary>
    public abstract bool IsTransient(DbException error);

    /// <summary>The case-insensitive LIKE.</summary>
    public abstract string ILike { get; }

    /// <summary>The smaller of two SQL expressions, neither of them null.</summary>
    public abstract string Smaller(string a, string b);

    /// <summary>The larger of two SQL expressions, neither of them null.</summary>
    public abstract string Larger(string a, string b);

    /// <summary>"column IN list" for a list parameter.</summary>
    public abstract string InList(string column, string parameter);

    /// <summary>
    /// Ends a SELECT that claims rows for the caller's transaction: other nodes' claims skip the rows it took instead
    /// of waiting for them (PostgreSQL); nothing on a store with one writer.
    /// </summary>
    public virtual string SkipLocked(string table) => "";

    /// <summary>
    /// A table expression for the events of one room (<paramref name="room"/> is a parameter or a column), those from
    /// <paramref name="from"/> to <paramref name="to"/> when they are given, to be named and filtered like <c>events</c>.
    /// </summary>
    public abstract string EventsOfRoom(string room, string? from = null, string? to = null);

    /// <summary>
    /// A table expression for the event of the team <paramref name="team"/> with the id <paramref name="id"/> in the
    /// room <paramref name="room"/>, found by the store's id index: at most one row of <c>events</c>, already filtered
    /// on all three. The values go into <paramref name="p"/> as <c>@byTeam</c>, <c>@byId</c> and <c>@byRoom</c>, with
    /// whatever else the store's index is searched by.
    /// </summary>
    public abstract string EventById(DynamicParameters p, string team, string id, string room);

    /// <summary>Adds the three values every <see cref="EventById"/> filters on.</summary>
    protected static void AddEventKey(DynamicParameters p, string team, string id, string room)
    {
        p.Add("byTeam", team);
        p.Add("byId", id);
        p.Add("byRoom", room);
    }

    /// <summary>
    /// <paramref name="text"/> as the <c>@qlike</c> of <see cref="RoomsContaining"/>: a LIKE pattern that matches it anywhere,
    /// its own <c>%</c>, <c>_</c> and <c>\</c> escaped with <c>\</c>.
    /// </summary>
    public static string ContainsPattern(string text) =>
        "%" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";

    /// <summary>
    /// A query for the id and the session count (<c>id</c>, <c>session_count</c>) of the team's (<c>@team</c>) rooms whose
    /// name or description contains <paramref name="text"/>, ignoring case: <c>@qlike</c> is <paramref name="text"/> as a
    /// LIKE pattern (<c>%…%</c>, '\' escaping). Each store answers from its trigram index where it has one; this form
    /// scans the team's rooms.
    /// </summary>
    public virtual string RoomsContaining(string text, DynamicParameters p) =>
        $"SELECT r.id, r.session_count FROM rooms r WHERE r.team_id = @team AND (r.friendly_url {ILike} @qlike ESCAPE '\\' OR r.description {ILike} @qlike ESCAPE '\\')";

    /// <summary>
    /// A table expression of one text column over <paramref name="values"/>, passed as the single parameter
    /// <paramref name="name"/> (not one parameter per value).
    /// </summary>
    public abstract string TextList(string name, IReadOnlyCollection<string> values, DynamicParameters p);

    /// <summary>The expression a session list sorts by start time with.</summary>
    public abstract string StartOrder(bool narrowSearch);

    /// <summary>
    /// Whether a narrow search picks its page's ids first and joins the rooms to those only (PostgreSQL, where joining
    /// every hit before the sort cost half the page's time); SQLite plans that form badly (hundreds of milliseconds at
    /// 1,000,000 sessions) and joins as it reads.
    /// </summary>
    public abstract bool NarrowPageFirst { get; }

    /// <summary>
    /// Listens for other nodes' commits until <paramref name="cancellationToken"/> fires, handing each changed team to
    /// <paramref name="changed"/>; a store with one node has nothing to listen to and returns at once.
    /// </summary>
    public abstract Task ListenForChangesAsync(Action<TeamId> changed, Action<Exception> lost, CancellationToken cancellationToken);

    /// <summary>The notification channel that tells every node which teams' data changed.</summary>
    public const string ChangesChannel = "callscope_changes";

    /// <summary>Stores raw events, skipping ids the team already has; for each event, whether it was new.</summary>
    internal abstract bool[] InsertEvents(WriteContext context, TeamId team, IReadOnlyList<RoomId> rooms, IReadOnlyList<IncomingEvent> events);

    /// <summary>Upserts the rows of a derived table, in order.</summary>
    internal abstract void UpsertRows(WriteContext context, RowTable table, IReadOnlyList<object?[]> rows);

    /// <summary>
    /// Serialises writers of these rooms across nodes and returns each room's law version, which tells whether this
    /// node's memory of the room is still current. Every node locks rooms in id order, so two never wait in a cycle.
    /// </summary>
    internal abstract Dictionary<RoomId, long> LockRooms(WriteContext context, IReadOnlyCollection<(TeamId Team, RoomId Room)> rooms);

    /// <summary>Marks rooms for the diagnosis worker (see <see cref="DiagnosisMarks"/>), the way the store writes several rows best.</summary>
    internal abstract void MarkRooms(WriteContext context, IReadOnlyList<RoomMark> marks);

    /// <summary>Raises rooms' usage marks (see <see cref="UsageMarks"/>), in the order given, the way the store writes several rows best.</summary>
    internal abstract void MarkUsage(WriteContext context, IReadOnlyList<UsageMark> marks);

    /// <summary>Gives a team's rooms its new change number (see <see cref="UsageChanges"/>), the way the store writes several rows best.</summary>
    internal abstract void NumberUsageChanges(WriteContext context, string team, IReadOnlyCollection<string> rooms, long version);

    /// <summary>Records that these rooms' sessions changed and returns their new law versions.</summary>
    internal abstract Dictionary<RoomId, long> BumpVersions(WriteContext context, IReadOnlyCollection<(TeamId Team, RoomId Room)> rooms);

    /// <summary>The rooms of this team named so, by name.</summary>
    internal abstract Dictionary<string, RoomId> FindRooms(WriteContext context, TeamId team, string[] names);

    /// <summary>Up to 1000 (team, room) pairs with a session due to end by <c>@now</c>, each taken by one node only.</summary>
    internal abstract string DueRoomsSql { get; }

    /// <summary>A room's law events (<c>@team</c>, <c>@room</c>): id, type, ts, law_flags, external_id, connection_id, participant_name, role, data.</summary>
    internal abstract string LawEventsSql { get; }

    /// <summary>
    /// Deletes up to <paramref name="limit"/> of a room's events older than <paramref name="before"/> (Unix milliseconds),
    /// with whatever indexes them beside the table; answers how many went.
    /// </summary>
    internal abstract int DeleteEventsBefore(WriteContext context, TeamId team, RoomId room, long before, int limit);

    /// <summary>Tells the other nodes, when the transaction commits, which teams' data changed.</summary>
    internal abstract void AnnounceChanges(WriteContext context, IReadOnlyCollection<TeamId> teams);

    /// <summary>The server fell quiet: memory the store's connections hold for reuse may be given back (nothing by default).</summary>
    internal virtual void ReleaseMemory()
    {
    }

    /// <summary>The work the store needs beside the writer (none by default).</summary>
    internal virtual WriterUpkeep CreateUpkeep(SqliteUpkeep settings, ILogger logger) => new();
}
