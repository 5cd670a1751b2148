using Callscope.Core;
using Callscope.Data.Rooms;
using Dapper;

namespace Callscope.Data.Sessions;

public enum RoomLiveState
{
    None,
    EndingSoon,
    Active,
}

/// <summary>A room with a summary of its sessions, as the dashboard's rooms list shows it.</summary>
public sealed record RoomOverview(Room Room, int Sessions, DateTimeOffset? LastSessionStart, RoomLiveState Live);

/// <summary>What the dashboard's header shows: live sessions split into active and ending soon, and live participants.</summary>
public sealed record LiveCounts(int ActiveSessions, int EndingSoonSessions, int LiveParticipants);

/// <summary>Reads that only the dashboard needs.</summary>
public sealed class DashboardQueries(CallscopeDatabase database, TimeProvider clock)
{
    /// <summary>The live counts alone, without the month's peaks that <see cref="SessionQueries.Current"/> also works out.</summary>
    public LiveCounts Live(TeamId team)
    {
        using var connection = database.Open();
        var counts = connection.QuerySingle<(long Active, long EndingSoon, long Participants)>(
            $"""
            SELECT {SessionLiveness.ActiveAndEndingSoon},
                   CAST(COALESCE(SUM(s.participants_live), 0) AS BIGINT)
            FROM sessions s WHERE s.team_id = @team AND {SessionLiveness.Live}
            """,
            new { team = team.ToString(), now = DbTime.Ms(clock.GetUtcNow()) });
        return new LiveCounts((int)counts.Active, (int)counts.EndingSoon, (int)counts.Participants);
    }

    /// <summary>The team's rooms in name order, each with its session count, latest start and live state.</summary>
    public Page<RoomOverview> Rooms(TeamId team, int limit, int offset)
    {
        var args = new { team = team.ToString(), now = DbTime.Ms(clock.GetUtcNow()), limit, offset };
        using var connection = database.Open();
        var total = connection.ExecuteScalar<int>("SELECT COUNT(*) FROM rooms WHERE team_id = @team AND deleted_at IS NULL", args);
        var rooms = connection.Query<RoomStore.RoomRow>(
            RoomStore.Columns + " WHERE team_id = @team AND deleted_at IS NULL ORDER BY lower(friendly_url), id LIMIT @limit OFFSET @offset", args)
            .Select(r => r.ToRoom())
            .ToList();
        if (rooms.Count == 0)
        {
            return new Page<RoomOverview>(total, []);
        }

        var activity = connection.Query<ActivityRow>(
            $"""
            SELECT s.room_id AS RoomId, CAST(COUNT(*) AS BIGINT) AS Sessions, CAST(MAX(s.start_time) AS BIGINT) AS LastStart,
                CAST(MAX(CASE WHEN {SessionLiveness.Live}
                              THEN CASE WHEN s.active_connections > 0 THEN 2 ELSE 1 END
                              ELSE 0 END) AS BIGINT) AS Live
            FROM sessions s
            WHERE s.team_id = @team AND {database.InList("s.room_id", "rooms")}
            GROUP BY s.room_id
            """,
            new { args.team, args.now, rooms = rooms.Select(r => r.Id.ToString()).ToArray() })
            .ToDictionary(a => a.RoomId);

        return new Page<RoomOverview>(total, [.. rooms.Select(room => activity.TryGetValue(room.Id.ToString(), out var a)
            ? new RoomOverview(room, (int)a.Sessions, DbTime.At(a.LastStart), (RoomLiveState)a.Live)
            : new RoomOverview(room, 0, null, RoomLiveState.None))]);
    }

    private sealed record ActivityRow(string RoomId, long Sessions, long? LastStart, long Live);
}
