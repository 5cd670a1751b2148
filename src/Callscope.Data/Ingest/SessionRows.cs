using System.Runtime.CompilerServices;
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

/// <summary>Writes the law's sessions into the derived tables.</summary>
internal static class SessionRows
{
    private const string Upsert =
        """
        INSERT INTO sessions (team_id, id, room_id, start_time, end_time, end_reason, ended_by, last_left_at,
            active_connections, participants_live, participants_total, max_concurrent, grace_period, deadline, deadline_reason)
        VALUES (@team, @id, @room, @start, @end, @endReason, @endedBy, @left, @active, @live, @total, @max, @grace, @deadline, @deadlineReason)
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
        ON CONFLICT (team_id, id) DO UPDATE SET name = excluded.name, role = excluded.role, device = excluded.device, os = excluded.os,
            browser = excluded.browser, join_time = excluded.join_time, leave_time = excluded.leave_time, live = excluded.live,
            reconnects = excluded.reconnects, connections = excluded.connections
        """;

    /// <summary>
    /// What was last written for each participant record. A session's participants only ever gain connections or
    /// change in place between rewrites (a recompute deletes the rows and starts from new records), so a record
    /// whose row would be the same is skipped. Records of a transaction that rolls back are discarded with their
    /// room's cached state, so nothing here can claim a write that was lost.
    /// </summary>
    private static readonly ConditionalWeakTable<ParticipantRecord, WrittenParticipant> Written = [];

    private sealed record WrittenParticipant(string Connections, string? Name, string? Role, ClientInfo? Client);

    public static void Write(WriterStatements statements, DbTransaction tx, TeamId team, RoomId room, SessionRecord s)
    {
        var teamText = team.ToString();
        var roomText = room.ToString();
        var id = s.Id!.Value.ToString();
        var deadline = s.Deadline;
        WriterStatements.Bind(
            statements.For(Upsert, tx, "team", "id", "room", "start", "end", "endReason", "endedBy", "left", "active", "live", "total", "max", "grace", "deadline", "deadlineReason"),
            teamText, id, roomText, DbTime.Ms(s.Start), DbTime.Ms(s.End), s.EndReason, s.EndedBy, DbTime.Ms(s.LastParticipantLeftAt), (long)s.ActiveConnections,
            (long)s.LiveParticipants, (long)s.Participants.Count, (long)s.MaxConcurrentParticipants, (long)s.GracePeriod.TotalSeconds, DbTime.Ms(deadline?.At),
            deadline?.Reason).ExecuteNonQuery();
        var upsert = statements.For(UpsertParticipant, tx,
            "team", "pid", "id", "room", "key", "externalId", "name", "role", "device", "os", "browser", "join", "leave", "live", "reconnects", "connections");
        foreach (var p in s.Participants)
        {
            var connections = JsonSerializer.Serialize(p.Connections.Select(c => new StoredConnection(
                DbTime.Ms(c.JoinTime), DbTime.Ms(c.LeaveTime), c.LeaveReason, c.ConnectionId, c.JoinMissing, c.Passive)).ToList());
            var row = new WrittenParticipant(connections, p.Name, p.Role, p.Client);
            if (Written.TryGetValue(p, out var last) && last == row)
            {
                continue;
            }

            WriterStatements.Bind(upsert,
                teamText, ParticipantId.Derive(s.Id.Value, p.Key).ToString(), id, roomText, p.Key, p.ExternalId, p.Name, p.Role, p.Client?.Device, p.Client?.Os,
                p.Client?.Browser, DbTime.Ms(p.JoinTime), DbTime.Ms(p.LeaveTime), p.Live ? 1L : 0L, (long)p.Reconnects, connections).ExecuteNonQuery();
            Written.AddOrUpdate(p, row);
        }
    }
}
