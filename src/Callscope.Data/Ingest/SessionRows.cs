using System.Text.Json;
using System.Text.Json.Serialization;
using Callscope.Core;
using Callscope.Core.Law;
using Dapper;
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
    public static void Write(DbConnection connection, DbTransaction tx, TeamId team, RoomId room, SessionRecord s)
    {
        var id = s.Id!.Value.ToString();
        var deadline = s.Deadline;
        connection.Execute(
            """
            INSERT INTO sessions (team_id, id, room_id, start_time, end_time, end_reason, ended_by, last_left_at,
                active_connections, participants_live, participants_total, max_concurrent, grace_period, deadline, deadline_reason)
            VALUES (@team, @id, @room, @start, @end, @EndReason, @EndedBy, @left, @ActiveConnections, @live, @total,
                @MaxConcurrentParticipants, @grace, @deadline, @deadlineReason)
            ON CONFLICT (team_id, id) DO UPDATE SET start_time = excluded.start_time, end_time = excluded.end_time,
                end_reason = excluded.end_reason, ended_by = excluded.ended_by, last_left_at = excluded.last_left_at,
                active_connections = excluded.active_connections, participants_live = excluded.participants_live,
                participants_total = excluded.participants_total, max_concurrent = excluded.max_concurrent,
                grace_period = excluded.grace_period, deadline = excluded.deadline, deadline_reason = excluded.deadline_reason
            """,
            new
            {
                team = team.ToString(), id, room = room.ToString(), start = DbTime.Ms(s.Start), end = DbTime.Ms(s.End), s.EndReason, s.EndedBy,
                left = DbTime.Ms(s.LastParticipantLeftAt), ActiveConnections = (long)s.ActiveConnections, live = (long)s.LiveParticipants, total = (long)s.Participants.Count,
                MaxConcurrentParticipants = (long)s.MaxConcurrentParticipants, grace = (long)s.GracePeriod.TotalSeconds, deadline = DbTime.Ms(deadline?.At),
                deadlineReason = deadline?.Reason,
            },
            tx);
        connection.Execute("DELETE FROM participants WHERE team_id = @team AND session_id = @id", new { team = team.ToString(), id }, tx);
        foreach (var p in s.Participants)
        {
            var connections = p.Connections.Select(c => new StoredConnection(
                DbTime.Ms(c.JoinTime), DbTime.Ms(c.LeaveTime), c.LeaveReason, c.ConnectionId, c.JoinMissing, c.Passive)).ToList();
            connection.Execute(
                """
                INSERT INTO participants (team_id, id, session_id, room_id, pkey, external_id, name, role, device, os, browser,
                    join_time, leave_time, live, reconnects, connections)
                VALUES (@team, @pid, @id, @room, @Key, @ExternalId, @Name, @Role, @device, @os, @browser, @join, @leave, @live, @Reconnects, @connections)
                """,
                new
                {
                    team = team.ToString(), pid = ParticipantId.Derive(s.Id.Value, p.Key).ToString(), id, room = room.ToString(), p.Key, p.ExternalId,
                    p.Name, p.Role, device = p.Client?.Device, os = p.Client?.Os, browser = p.Client?.Browser, join = DbTime.Ms(p.JoinTime),
                    leave = DbTime.Ms(p.LeaveTime), live = p.Live ? 1L : 0L, Reconnects = (long)p.Reconnects, connections = JsonSerializer.Serialize(connections),
                },
                tx);
        }
    }
}
