using Callscope.Core;
using Dapper;

namespace Callscope.Data.Usage;

/// <summary>
/// A team's usage over time: the figures of a period, for the team or one room, the timeline the charts draw, and the
/// rooms that used the most minutes (docs/statistics.md). Every figure is what <see cref="UsageSweep"/> computes from
/// the stored sessions; nothing after now is counted.
/// </summary>
public sealed class UsageQueries(CallscopeDatabase database, TimeProvider clock)
{
    /// <summary>The team's figures over <c>[from, to)</c>.</summary>
    public UsageFigures Team(TeamId team, DateTimeOffset from, DateTimeOffset to) => Figures(team, null, from, to);

    /// <summary>One room's figures over <c>[from, to)</c>.</summary>
    public UsageFigures Room(TeamId team, RoomId room, DateTimeOffset from, DateTimeOffset to) => Figures(team, room, from, to);

    /// <summary>
    /// One point per <paramref name="interval"/> (aligned to UTC) from the one holding <paramref name="from"/> to the one
    /// holding the end of the period or now, whichever is earlier; each point counts only what lies within the period.
    /// </summary>
    public IReadOnlyList<TimelinePoint> Timeline(TeamId team, DateTimeOffset from, DateTimeOffset to, UsageInterval interval)
    {
        var now = clock.GetUtcNow();
        var (a, b) = (DbTime.Ms(from), Math.Min(DbTime.Ms(to), DbTime.Ms(now)));
        var points = new List<TimelinePoint>();
        if (b <= a)
        {
            return points;
        }

        using var connection = database.Open();
        var (sessions, participants) = UsageSource.Load(database.Dialect, connection, null, team.ToString(), null, a, b, null, now);
        for (var start = Align(from, interval); DbTime.Ms(start) < b; start = Next(start, interval))
        {
            var end = Next(start, interval);
            var counts = UsageSweep.Measure(sessions, participants, Math.Max(a, DbTime.Ms(start)), Math.Min(b, DbTime.Ms(end)));
            points.Add(counts.Point(start, end));
        }

        return points;
    }

    /// <summary>The rooms with the most participation minutes over <c>[from, to)</c>, most first, at most <paramref name="count"/>.</summary>
    public IReadOnlyList<RoomUsage> TopRooms(TeamId team, DateTimeOffset from, DateTimeOffset to, int count)
    {
        var now = clock.GetUtcNow();
        var (a, b) = (DbTime.Ms(from), Math.Min(DbTime.Ms(to), DbTime.Ms(now)));
        if (b <= a)
        {
            return [];
        }

        using var connection = database.Open();
        var (sessions, participants) = UsageSource.Load(database.Dialect, connection, null, team.ToString(), null, a, b, null, now);
        var used = sessions.GroupBy(s => s.Room)
            .Select(g => (Room: g.Key, Counts: UsageSweep.Measure(g, participants, a, b)))
            .Where(r => r.Counts.TotalMs > 0)
            .OrderByDescending(r => r.Counts.TotalMs).ThenBy(r => r.Room, StringComparer.Ordinal)
            .Take(count)
            .ToList();
        return Named(connection, team, used);
    }

    /// <summary>The current period: the calendar month (UTC) that holds now.</summary>
    public (DateTimeOffset Start, DateTimeOffset End) CurrentPeriod()
    {
        var now = clock.GetUtcNow();
        var start = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        return (start, start.AddMonths(1));
    }

    private UsageFigures Figures(TeamId team, RoomId? room, DateTimeOffset from, DateTimeOffset to)
    {
        var now = clock.GetUtcNow();
        var (a, b) = (DbTime.Ms(from), Math.Min(DbTime.Ms(to), DbTime.Ms(now)));
        if (b <= a)
        {
            return new UsageCounts().Figures(from, to, 0);
        }

        using var connection = database.Open();
        var (sessions, participants) = UsageSource.Load(database.Dialect, connection, null, team.ToString(), room?.ToString(), a, b, null, now);
        var counts = UsageSweep.Measure(sessions, participants, a, b);
        var rooms = sessions.Where(s => s.Start >= a && s.Start < b).Select(s => s.Room).Distinct().Count();
        return counts.Figures(from, to, rooms);
    }

    private static List<RoomUsage> Named(System.Data.Common.DbConnection connection, TeamId team, List<(string Room, UsageCounts Counts)> used)
    {
        if (used.Count == 0)
        {
            return [];
        }

        var names = connection.Query<(string Id, string FriendlyUrl, string? Description, long? DeletedAt)>(
                "SELECT id, friendly_url, description, deleted_at FROM rooms WHERE team_id = @team",
                new { team = team.ToString() })
            .ToDictionary(r => r.Id);
        return [.. used.Select(r => names.TryGetValue(r.Room, out var n)
            ? new RoomUsage(new RoomId(Guid.Parse(r.Room)), n.FriendlyUrl, n.Description, n.DeletedAt is not null, UsageCounts.Minutes(r.Counts.TotalMs), (int)r.Counts.Sessions)
            : new RoomUsage(new RoomId(Guid.Parse(r.Room)), r.Room, null, true, UsageCounts.Minutes(r.Counts.TotalMs), (int)r.Counts.Sessions))];
    }

    internal static DateTimeOffset Align(DateTimeOffset t, UsageInterval interval)
    {
        var u = t.ToUniversalTime();
        return interval switch
        {
            UsageInterval.Minute => new DateTimeOffset(u.Year, u.Month, u.Day, u.Hour, u.Minute, 0, TimeSpan.Zero),
            UsageInterval.Hour => new DateTimeOffset(u.Year, u.Month, u.Day, u.Hour, 0, 0, TimeSpan.Zero),
            _ => new DateTimeOffset(u.Year, u.Month, u.Day, 0, 0, 0, TimeSpan.Zero),
        };
    }

    internal static DateTimeOffset Next(DateTimeOffset t, UsageInterval interval) => interval switch
    {
        UsageInterval.Minute => t.AddMinutes(1),
        UsageInterval.Hour => t.AddHours(1),
        _ => t.AddDays(1),
    };
}
