using System.Data.Common;
using Callscope.Core.Law;
using Callscope.Data.Dialects;
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
        StoreDialect dialect, DbConnection connection, DbTransaction? transaction, string team, string? room, long from, long to, long? longest, DateTimeOffset now)
    {
        var roomFilter = room is null ? "" : " AND s.room_id = @room";
        var ended = longest is null ? "" : " AND s.start_time >= @earliest";
        var args = new { team, room, from, to, earliest = from - (longest ?? 0) };
        var sessions = connection.Query<(string Id, string Room, long Start, long? End, long? Deadline)>(
            $"""
            SELECT s.id, s.room_id, s.start_time, s.end_time, s.deadline FROM sessions s
            WHERE s.team_id = @team{roomFilter} AND s.start_time < @to AND s.end_time > @from{ended}
            UNION ALL
            SELECT s.id, s.room_id, s.start_time, s.end_time, s.deadline FROM sessions s
            WHERE s.team_id = @team{roomFilter} AND s.end_time IS NULL AND s.start_time < @to
            """, args, transaction).ToList();
        if (sessions.Count == 0)
        {
            return ([], Array.Empty<UsageParticipant>().ToLookup(p => p.Session));
        }

        var ends = sessions.ToDictionary(s => s.Id, s => StoredSession.EndAt(DbTime.At(s.End), DbTime.At(s.Deadline), now));
        var participants = new List<UsageParticipant>();
        foreach (var chunk in sessions.Select(s => s.Id).Chunk(500))
        {
            var rows = connection.Query<(string Session, string? Device, long Join, string Connections)>(
                $"SELECT session_id, device, join_time, connections FROM participants WHERE {dialect.InList("session_id", "ids")}",
                new { ids = chunk }, transaction);
            participants.AddRange(rows.Select(p => new UsageParticipant(p.Session, UsageCounts.Slot(p.Device), p.Join,
                [.. ConnectionJson.Read(p.Connections, ends[p.Session]).Select(c => (DbTime.Ms(c.JoinTime), DbTime.Ms(c.LeaveTime ?? now)))])));
        }

        return ([.. sessions.Select(s => new UsageSession(s.Id, s.Room, s.Start))], participants.ToLookup(p => p.Session));
    }
}
