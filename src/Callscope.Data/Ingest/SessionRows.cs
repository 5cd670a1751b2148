using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Callscope.Core;
using Callscope.Core.Law;
using System.Data.Common;

namespace Callscope.Data.Ingest;

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
internal sealed class SessionRows
{
    private const string Upsert =
        """
        INSERT INTO sessions (team_id, id, room_id, start_time, end_time, end_reason, ended_by, last_left_at,
            active_connections, participants_live, participants_total, max_concurrent, grace_period, deadline, deadline_reason)
        VALUES (@team, @id, @room, @start, @end, @endReason, @endedBy, @left, @active, @live, @total, @max, @grace, @deadline, @deadlineReason)
        """ + UpsertSet;

    private const string UpsertMany =
        """
        INSERT INTO sessions (team_id, id, room_id, start_time, end_time, end_reason, ended_by, last_left_at,
            active_connections, participants_live, participants_total, max_concurrent, grace_period, deadline, deadline_reason)
        SELECT team_id, id, room_id, start_time, end_time, end_reason, ended_by, last_left_at, active_connections, participants_live,
            participants_total, max_concurrent, grace_period, deadline, deadline_reason
        FROM unnest(@team, @id, @room, @start, @end, @endReason, @endedBy, @left, @active, @live, @total, @max, @grace, @deadline, @deadlineReason)
            WITH ORDINALITY AS r (team_id, id, room_id, start_time, end_time, end_reason, ended_by, last_left_at, active_connections,
                participants_live, participants_total, max_concurrent, grace_period, deadline, deadline_reason, ord)
        ORDER BY ord
        """ + UpsertSet;

    private const string UpsertSet =
        """

        ON CONFLICT (team_id, id) DO UPDATE SET start_time = excluded.start_time, end_time = excluded.end_time,
            end_reason = excluded.end_reason, ended_by = excluded.ended_by, last_left_at = excluded.last_left_at,
            active_connections = excluded.active_connections, participants_live = excluded.participants_live,
            participants_total = excluded.participants_total, max_concurrent = excluded.max_concurrent,
            grace_period = excluded.grace_period, deadline = excluded.deadline, deadline_reason = excluded.deadline_reason
        """;

    private const string UpsertParticipant =
        """
        INSERT INTO participants (team_id, id, session_id, room_id, pkey, external_id, name, role, device, os, browser,
            join_time, leave_time, live, reconnects, connections)
        VALUES (@team, @pid, @id, @room, @key, @externalId, @name, @role, @device, @os, @browser, @join, @leave, @live, @reconnects, @connections)
        """ + UpsertParticipantSet;

    private const string UpsertParticipantsMany =
        """
        INSERT INTO participants (team_id, id, session_id, room_id, pkey, external_id, name, role, device, os, browser,
            join_time, leave_time, live, reconnects, connections)
        SELECT team_id, id, session_id, room_id, pkey, external_id, name, role, device, os, browser, join_time, leave_time, live, reconnects, connections
        FROM unnest(@team, @pid, @id, @room, @key, @externalId, @name, @role, @device, @os, @browser, @join, @leave, @live, @reconnects, @connections)
            WITH ORDINALITY AS p (team_id, id, session_id, room_id, pkey, external_id, name, role, device, os, browser, join_time, leave_time,
                live, reconnects, connections, ord)
        ORDER BY ord
        """ + UpsertParticipantSet;

    private const string UpsertParticipantSet =
        """

        ON CONFLICT (team_id, id) DO UPDATE SET name = excluded.name, role = excluded.role, device = excluded.device, os = excluded.os,
            browser = excluded.browser, join_time = excluded.join_time, leave_time = excluded.leave_time, live = excluded.live,
            reconnects = excluded.reconnects, connections = excluded.connections
        """;

    private static readonly string[] SessionColumns =
        ["team", "id", "room", "start", "end", "endReason", "endedBy", "left", "active", "live", "total", "max", "grace", "deadline", "deadlineReason"];

    /// <summary>Which of <see cref="SessionColumns"/> hold text (the others hold whole numbers), for the arrays.</summary>
    private static readonly bool[] SessionText = [true, true, true, false, false, true, true, false, false, false, false, false, false, false, true];

    private static readonly string[] ParticipantColumns =
        ["team", "pid", "id", "room", "key", "externalId", "name", "role", "device", "os", "browser", "join", "leave", "live", "reconnects", "connections"];

    private static readonly bool[] ParticipantText = [true, true, true, true, true, true, true, true, true, true, true, false, false, false, false, true];

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

    private readonly RowList sessions = new(SessionColumns, SessionText);
    private readonly RowList participants = new(ParticipantColumns, ParticipantText);

    /// <summary>Takes the session's row and its participants' changed rows, as they are now.</summary>
    public void Add(TeamId team, RoomId room, SessionRecord s)
    {
        var teamText = team.ToString();
        var roomText = room.ToString();
        var id = s.Id!.Value.ToString();
        var deadline = s.Deadline;
        sessions.Put(id,
            teamText, id, roomText, DbTime.Ms(s.Start), DbTime.Ms(s.End), s.EndReason, s.EndedBy, DbTime.Ms(s.LastParticipantLeftAt), (long)s.ActiveConnections,
            (long)s.LiveParticipants, (long)s.Participants.Count, (long)s.MaxConcurrentParticipants, (long)s.GracePeriod.TotalSeconds, DbTime.Ms(deadline?.At),
            deadline?.Reason);
        foreach (var p in s.Participants)
        {
            var connections = JsonSerializer.Serialize(p.Connections.Select(c => new StoredConnection(
                DbTime.Ms(c.JoinTime), DbTime.Ms(c.LeaveTime), c.LeaveReason, c.ConnectionId, c.JoinMissing, c.Passive)).ToList());
            var row = new WrittenParticipant(WrittenParticipant.Digest(connections), p.Name, p.Role, p.Client);
            if (Written.TryGetValue(p, out var last) && last == row)
            {
                continue;
            }

            var pid = ParticipantId.Derive(s.Id.Value, p.Key).ToString();
            participants.Put(pid,
                teamText, pid, id, roomText, p.Key, p.ExternalId, p.Name, p.Role, p.Client?.Device, p.Client?.Os,
                p.Client?.Browser, DbTime.Ms(p.JoinTime), DbTime.Ms(p.LeaveTime), p.Live ? 1L : 0L, (long)p.Reconnects, connections);
            Written.AddOrUpdate(p, row);
        }
    }

    /// <summary>Writes what was added, in the order it was added, and starts empty again.</summary>
    public void Flush(DbConnection connection, WriterStatements statements, DbTransaction tx)
    {
        if (connection is Npgsql.NpgsqlConnection)
        {
            sessions.WriteAll(connection, tx, UpsertMany);
            participants.WriteAll(connection, tx, UpsertParticipantsMany);
        }
        else
        {
            sessions.WriteEach(statements.For(Upsert, tx, SessionColumns));
            participants.WriteEach(statements.For(UpsertParticipant, tx, ParticipantColumns));
        }
    }

    /// <summary>Forgets what was added and not written (the command that added it failed).</summary>
    public void Clear()
    {
        sessions.Clear();
        participants.Clear();
    }

    /// <summary>Rows by key, in the order each key was first put.</summary>
    private sealed class RowList(string[] columns, bool[] text)
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

        public void WriteEach(DbCommand command)
        {
            foreach (var row in rows)
            {
                WriterStatements.Bind(command, row).ExecuteNonQuery();
            }

            Clear();
        }

        /// <summary>One statement for every row: each column goes as one array.</summary>
        public void WriteAll(DbConnection connection, DbTransaction tx, string sql)
        {
            if (rows.Count == 0)
            {
                return;
            }

            var parameters = new Dapper.DynamicParameters();
            for (var c = 0; c < columns.Length; c++)
            {
                var column = c;
                parameters.Add(columns[c], text[c] ? rows.Select(r => (string?)r[column]).ToArray() : rows.Select(r => (long?)r[column]).ToArray());
            }

            Dapper.SqlMapper.Execute(connection, sql, parameters, tx);
            Clear();
        }
    }
}
