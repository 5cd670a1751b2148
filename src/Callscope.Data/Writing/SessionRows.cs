using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Callscope.Core;
using Callscope.Core.Law;

namespace Callscope.Data.Writing;

/// <summary>A connection as stored inside its participant row.</summary>
public sealed record StoredConnection(
    [property: JsonPropertyName("join_time")] long JoinTime,
    [property: JsonPropertyName("leave_time")] long? LeaveTime,
    [property: JsonPropertyName("leave_reason")] string? LeaveReason,
    [property: JsonPropertyName("connection_id")] string? ConnectionId,
    [property: JsonPropertyName("join_missing")] bool JoinMissing,
    [property: JsonPropertyName("passive")] bool Passive);

/// <summary>
/// The law's sessions and participants a command writes, held until <see cref="Flush"/>: SQLite then runs one
/// compiled upsert per row (no round trips to save), PostgreSQL one upsert per table for all of them, with the
/// rows as arrays, in place of a round trip per row. Rows keep the order they were first added in (a session that
/// ended is stored before its successor goes live: one live session per room is a unique index), and a row added
/// again replaces its earlier values in place.
/// </summary>
/// <param name="changed">
/// Told of each participant whose row is written, with the time it spans (join to leave, or on while it is in the
/// call), so the diagnosis looks at it again: its id is new, or its connections changed.
/// </param>
/// <param name="stored">Told of each session whose row is written, with its start, so its usage is computed again.</param>
/// <param name="outbox">Told of each session and participant row written, for the team's webhooks.</param>
internal sealed class SessionRows(Action<TeamId, RoomId, long, long> changed, Action<TeamId, RoomId, long> stored, WebhookOutbox outbox)
{
    private static readonly RowTable Sessions = new("sessions",
    [
        new("team_id", Text: true, Updated: false), new("id", Text: true, Updated: false), new("room_id", Text: true, Updated: false),
        new("start_time"), new("end_time"), new("end_reason", Text: true), new("ended_by", Text: true), new("last_left_at"),
        new("active_connections"), new("participants_live"), new("participants_total"), new("max_concurrent"), new("grace_period"),
        new("deadline"), new("deadline_reason", Text: true),
    ]);

    private static readonly RowTable Participants = new("participants",
    [
        new("team_id", Text: true, Updated: false), new("id", Text: true, Updated: false), new("session_id", Text: true, Updated: false),
        new("room_id", Text: true, Updated: false), new("pkey", Text: true, Updated: false), new("external_id", Text: true, Updated: false),
        new("name", Text: true), new("role", Text: true), new("device", Text: true), new("os", Text: true), new("browser", Text: true),
        new("join_time"), new("leave_time"), new("live"), new("reconnects"), new("connections", Text: true), new("erased"),
    ]);

    /// <summary>
    /// What was last written for each participant record. A session's participants only ever gain connections or
    /// change in place between rewrites (a recompute deletes the rows and starts from new records), so a record
    /// whose row would be the same is skipped. Records of a transaction that rolls back are discarded with their
    /// room's cached state, so nothing here can claim a write that was lost.
    /// </summary>
    private static readonly ConditionalWeakTable<ParticipantRecord, WrittenParticipant> Written = [];

    /// <summary>
    /// The row as last written: a 128-bit digest of its connections (their JSON, about 200 bytes a participant, is
    /// not kept for every live participant) and the values that change in place.
    /// </summary>
    private sealed record WrittenParticipant(UInt128 Connections, string? Name, string? Role, ClientInfo? Client)
    {
        public static UInt128 Digest(string connections)
        {
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(Encoding.UTF8.GetBytes(connections), hash);
            return BinaryPrimitives.ReadUInt128LittleEndian(hash);
        }
    }

    private readonly RowList sessions = new(Sessions);
    private readonly RowList participants = new(Participants);

    /// <summary>Takes the session's row and its participants' changed rows, as they are now.</summary>
    public void Add(TeamId team, RoomId room, SessionRecord s)
    {
        var teamText = team.ToString();
        var roomText = room.ToString();
        var id = PutSession(team, room, teamText, roomText, s, s.Participants.Count);
        foreach (var p in s.Participants)
        {
            var connections = JsonSerializer.Serialize(p.Connections.Select(c => new StoredConnection(
                DbTime.Ms(c.JoinTime), DbTime.Ms(c.LeaveTime), c.LeaveReason, c.ConnectionId, c.JoinMissing, c.Passive)).ToList());
            var row = new WrittenParticipant(WrittenParticipant.Digest(connections), p.Name, p.Role, p.Client);
            if (Written.TryGetValue(p, out var last) && last == row)
            {
                continue;
            }

            var participant = ParticipantId.Derive(s.Id!.Value, p.Key);
            outbox.Participant(team, room, s.Id.Value, participant, p);
            var pid = participant.ToString();
            participants.Put(pid,
                teamText, pid, id, roomText, p.Key, p.ExternalId, p.Name, p.Role, p.Client?.Device, p.Client?.Os,
                p.Client?.Browser, DbTime.Ms(p.JoinTime), DbTime.Ms(p.LeaveTime), p.Live ? 1L : 0L, (long)p.Reconnects, connections, p.Erased ? 1L : 0L);
            Written.AddOrUpdate(p, row);
            changed(team, room, DbTime.Ms(p.JoinTime), DbTime.Ms(p.LeaveTime) ?? long.MaxValue);
        }
    }

    /// <summary>
    /// Takes the row of a session ended without its participants in memory: no one was connected, so their rows stay as
    /// they are stored, and <paramref name="participants"/> is how many the stored row counts.
    /// </summary>
    public void AddEnded(TeamId team, RoomId room, SessionRecord s, int participants) =>
        PutSession(team, room, team.ToString(), room.ToString(), s, participants);

    private string PutSession(TeamId team, RoomId room, string teamText, string roomText, SessionRecord s, int participants)
    {
        var id = s.Id!.Value.ToString();
        var deadline = s.Deadline;
        stored(team, room, DbTime.Ms(s.Start));
        outbox.Session(team, room, s, participants);
        sessions.Put(id,
            teamText, id, roomText, DbTime.Ms(s.Start), DbTime.Ms(s.End), s.EndReason, s.EndedBy, DbTime.Ms(s.LastParticipantLeftAt),
            (long)s.ActiveConnections, (long)s.LiveParticipants, (long)participants, (long)s.MaxConcurrentParticipants, (long)s.GracePeriod.TotalSeconds,
            DbTime.Ms(deadline?.At), deadline?.Reason);
        return id;
    }

    /// <summary>Writes what was added, in the order it was added, and starts empty again.</summary>
    public void Flush(WriteContext context)
    {
        sessions.Write(context);
        participants.Write(context);
    }

    /// <summary>Forgets what was added and not written (the command that added it failed).</summary>
    public void Clear()
    {
        sessions.Clear();
        participants.Clear();
    }

    /// <summary>Rows of one table by key, in the order each key was first put.</summary>
    private sealed class RowList(RowTable table)
    {
        private readonly Dictionary<string, int> at = new(StringComparer.Ordinal);
        private readonly List<object?[]> rows = [];

        public void Put(string key, params object?[] values)
        {
            if (at.TryGetValue(key, out var i))
            {
                rows[i] = values;
                return;
            }

            at[key] = rows.Count;
            rows.Add(values);
        }

        public void Clear()
        {
            at.Clear();
            rows.Clear();
        }

        /// <summary>Writes the rows in the order they were put, the way the store writes several rows best.</summary>
        public void Write(WriteContext context)
        {
            if (rows.Count == 0)
            {
                return;
            }

            context.Dialect.UpsertRows(context, table, rows);
            Clear();
        }
    }
}

/// <summary>A column of a derived table: whether it holds text (otherwise a whole number), and whether an upsert rewrites it.</summary>
internal sealed record RowColumn(string Name, bool Text = false, bool Updated = true);

/// <summary>
/// A derived table keyed by (team_id, id), with its two upserts built from one list of columns (each bound to a
/// parameter of its own name): one row at a time, and every row at once from one array per column.
/// </summary>
internal sealed class RowTable
{
    /// <param name="conflict">What an insert that meets an existing row does, when not the upsert by (team_id, id).</param>
    public RowTable(string name, RowColumn[] columns, string? conflict = null)
    {
        Columns = columns;
        Names = [.. columns.Select(c => c.Name)];
        var names = string.Join(", ", Names);
        var parameters = string.Join(", ", columns.Select(c => "@" + c.Name));
        var upsert = conflict ?? "ON CONFLICT (team_id, id) DO UPDATE SET " +
            string.Join(", ", columns.Where(c => c.Updated).Select(c => $"{c.Name} = excluded.{c.Name}"));
        One = $"INSERT INTO {name} ({names}) VALUES ({parameters}) {upsert}";
        Many = $"INSERT INTO {name} ({names}) SELECT {names} FROM unnest({parameters}) WITH ORDINALITY AS r ({names}, ord) ORDER BY ord {upsert}";
    }

    public RowColumn[] Columns { get; }

    /// <summary>The column names, which are also the parameter names.</summary>
    public string[] Names { get; }

    public string One { get; }

    public string Many { get; }
}
