using System.Data.Common;
using Callscope.Core.Law;
using Callscope.Data.Sessions;
using Dapper;

namespace Callscope.Data.Usage;

/// <summary>Reads the stored sessions and participants that the usage of a stretch of time is computed from.</summary>
internal static class UsageSource
{
    /// <summary>
    /// The team's (or one room's) sessions that may overlap <c>[from, to)</c>, with their participants. Ended sessions are
    /// looked for from <paramref name="longest"/> milliseconds before <paramref name="from"/> (the longest ended session
    /// the team has, so none is missed), open ones wherever they start.
    /// </summary>
    public static (List<UsageSession> Sessions, ILookup<string, UsageParticipant> Participants) Load(
        DbConnection connection, DbTransaction? transaction, string team, string? room, long from, long to, long? longest, DateTimeOffset now)
    {
        var roomFilter = room is null ? "" : " AND s.room_id = @room";
        var ended = longest is null ? "" : " AND s.start_time >= @earliest";
        var args = new { team, room, from, to, earliest = from - (longest ?? 0) };
        // The same two sets of sessions, once for themselves and once joined to their participants: one read each,
        // however many sessions there are.
        string Overlapping(string columns, string join) =>
            $"""
            SELECT {columns} FROM sessions s{join}
            WHERE s.team_id = @team{roomFilter} AND s.start_time < @to AND s.end_time > @from{ended}
            UNION ALL
            SELECT {columns} FROM sessions s{join}
            WHERE s.team_id = @team{roomFilter} AND s.end_time IS NULL AND s.start_time < @to
            """;
        var sessions = connection.Query<(string Id, string Room, long Start, long? End, long? Deadline)>(
            Overlapping("s.id, s.room_id, s.start_time, s.end_time, s.deadline", ""), args, transaction).ToList();
        if (sessions.Count == 0)
        {
            return ([], Array.Empty<UsageParticipant>().ToLookup(p => p.Session));
        }

        var ends = sessions.ToDictionary(s => s.Id, s => StoredSession.EndAt(DbTime.At(s.End), DbTime.At(s.Deadline), now));
        var participants = new List<UsageParticipant>();
        var rows = connection.Query<(string Session, string? Device, long Join, string Connections)>(
            Overlapping("p.session_id, p.device, p.join_time, p.connections", " JOIN participants p ON p.team_id = s.team_id AND p.session_id = s.id"),
            args, transaction);
        foreach (var p in rows)
        {
            // Read without a transaction, a session may have started between the two reads: it is not counted.
            if (ends.TryGetValue(p.Session, out var end))
            {
                participants.Add(new UsageParticipant(p.Session, UsageCounts.Slot(p.Device), p.Join,
                    [.. ConnectionJson.Read(p.Connections, end).Select(c => (DbTime.Ms(c.JoinTime), DbTime.Ms(c.LeaveTime ?? now)))]));
            }
        }

        return ([.. sessions.Select(s => new UsageSession(s.Id, s.Room, s.Start))], participants.ToLookup(p => p.Session));
    }
}
