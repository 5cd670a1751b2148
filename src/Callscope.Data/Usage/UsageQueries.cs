using System.Data;
using Callscope.Core;
using Callscope.Data.Teams;

namespace Callscope.Data.Usage;

/// <summary>
/// A team's usage over time: the figures of a period, for the team or one room, the timeline the charts draw, and the
/// rooms that used the most minutes (docs/statistics.md). Whole hours (days for rooms) that the usage worker has
/// stored and nothing has changed since are read from the roll-ups; the rest of a period (its ragged ends, the hour
/// under way, what changed since) is computed from the sessions, so every answer is what <see cref="UsageSweep"/>
/// gives over the stored sessions. Nothing after now is counted.
/// </summary>
public sealed class UsageQueries(CallscopeDatabase database, TimeProvider clock)
{
    private readonly HourUnderWay hourUnderWay = new(database.Dialect);
    private readonly StoredRooms storedRooms = new(database.Dialect);

    /// <summary>How many reads of the hour under way were answered from what was kept, without reading sessions.</summary>
    internal long HourReused => hourUnderWay.Reused;

    /// <summary>The team's figures over <c>[from, to)</c>.</summary>
    public UsageFigures Team(TeamId team, DateTimeOffset from, DateTimeOffset to) =>
        Read(team, from, to, (read, a, b) => read.Hours(a, b).Figures(from, to, read.Rooms(a, b))) ?? new UsageCounts().Figures(from, to, 0);

    /// <summary>One room's figures over <c>[from, to)</c>.</summary>
    public UsageFigures Room(TeamId team, RoomId room, DateTimeOffset from, DateTimeOffset to) =>
        Read(team, from, to, (read, a, b) =>
        {
            var counts = read.RoomDays(room.ToString(), a, b);
            return counts.Figures(from, to, counts.Sessions > 0 ? 1 : 0);
        }) ?? new UsageCounts().Figures(from, to, 0);

    /// <summary>
    /// One point per <paramref name="interval"/> (aligned to UTC) from the one holding <paramref name="from"/> to the one
    /// holding the end of the period or now, whichever is earlier; each point counts only what lies within the period.
    /// </summary>
    public IReadOnlyList<TimelinePoint> Timeline(TeamId team, DateTimeOffset from, DateTimeOffset to, UsageInterval interval) =>
        Read(team, from, to, (read, a, b) => read.Timeline(a, b, interval)) ?? [];

    /// <summary>The rooms with the most participation minutes over <c>[from, to)</c>, most first, at most <paramref name="count"/>.</summary>
    public IReadOnlyList<RoomUsage> TopRooms(TeamId team, DateTimeOffset from, DateTimeOffset to, int count) =>
        Read(team, from, to, (read, a, b) => read.TopRooms(a, b, count)) ?? [];

    /// <summary>
    /// The team's current period: the month (UTC) that holds now, starting on the team's period start day (the
    /// calendar month unless the team set another day).
    /// </summary>
    public (DateTimeOffset Start, DateTimeOffset End) CurrentPeriod(TeamId team)
    {
        using var connection = database.Open();
        return Period(clock.GetUtcNow(), TeamStore.Find(connection, null, team)?.PeriodStartDay ?? 1);
    }

    /// <summary>The month that holds <paramref name="now"/> and starts at midnight (UTC) of day <paramref name="startDay"/> (1 to 28).</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Period(DateTimeOffset now, int startDay)
    {
        var u = now.ToUniversalTime();
        var start = new DateTimeOffset(u.Year, u.Month, startDay, 0, 0, 0, TimeSpan.Zero);
        if (start > u)
        {
            start = start.AddMonths(-1);
        }

        return (start, start.AddMonths(1));
    }

    /// <summary>
    /// Runs <paramref name="read"/> over <c>[from, min(to, now))</c> in Unix milliseconds, in one read transaction so that
    /// the roll-ups, the marks and the sessions are seen as of one moment; null when that stretch is empty.
    /// </summary>
    private T? Read<T>(TeamId team, DateTimeOffset from, DateTimeOffset to, Func<UsageRead, long, long, T> read)
        where T : class
    {
        var now = clock.GetUtcNow();
        var (a, b) = (DbTime.Ms(from), Math.Min(DbTime.Ms(to), DbTime.Ms(now)));
        if (b <= a)
        {
            return null;
        }

        using var connection = database.Open();
        using var transaction = database.Dialect.BeginSnapshotRead(connection);
        var state = UsageState.Read(connection, transaction, team.ToString()) with
        {
            ChangeNumber = ChangeNumbers.Team(connection, transaction, team.ToString()),
        };
        return read(new UsageRead(database.Dialect, connection, transaction, team.ToString(), state, now, hourUnderWay, storedRooms), a, b);
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
