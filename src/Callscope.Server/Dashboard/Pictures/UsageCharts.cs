using System.Globalization;
using Callscope.Data.Usage;

namespace Callscope.Server.Dashboard.Pictures;

/// <summary>A point's participation minutes by device; "other" is what the total holds beyond the four known devices.</summary>
public sealed record DeviceMinutes(double Desktop, double Mobile, double Tablet, double SmartTv, double Other, double Total)
{
    public static DeviceMinutes Of(TimelinePoint p)
    {
        var known = p.DesktopParticipationMinutes + p.MobileParticipationMinutes + p.TabletParticipationMinutes + p.SmartTvParticipationMinutes;
        return new DeviceMinutes(p.DesktopParticipationMinutes, p.MobileParticipationMinutes, p.TabletParticipationMinutes, p.SmartTvParticipationMinutes,
            Math.Max(0, Math.Round(p.ParticipationMinutes - known, 2)), p.ParticipationMinutes);
    }

    /// <summary>In the order of <see cref="UsageCharts.Devices"/>, stacked from the bottom.</summary>
    public IReadOnlyList<double> Stack => [Desktop, Mobile, Tablet, SmartTv, Other];
}

/// <summary>
/// The Usage page's pictures of one range, drawn from <see cref="UsageQueries"/>' timeline and busiest rooms as they
/// are: concurrent sessions against the team's limit, participation minutes by device, sessions started, and the rooms
/// that used the most minutes.
/// </summary>
public sealed class UsageCharts
{
    public static readonly IReadOnlyList<ChartSeries> Devices =
    [
        new("desktop", "Desktop"), new("mobile", "Mobile"), new("tablet", "Tablet"), new("smarttv", "Smart TV"), new("other", "Other"),
    ];

    public static readonly ChartSeries Concurrent = new("concurrent", "Most sessions at once");

    public static readonly ChartSeries Started = new("started", "Sessions started");

    private UsageCharts(UsageRange range, IReadOnlyList<TimelinePoint> points, ColumnChart concurrency, ColumnChart minutes, ColumnChart sessions, TopRoomsChart rooms)
    {
        Range = range;
        Points = points;
        Concurrency = concurrency;
        Minutes = minutes;
        Sessions = sessions;
        Rooms = rooms;
    }

    public UsageRange Range { get; }

    public IReadOnlyList<TimelinePoint> Points { get; }

    public ColumnChart Concurrency { get; }

    public ColumnChart Minutes { get; }

    public ColumnChart Sessions { get; }

    public TopRoomsChart Rooms { get; }

    /// <summary>"hour" or "day".</summary>
    public string Per => Range.IntervalName;

    public static UsageCharts Build(UsageRange range, IReadOnlyList<TimelinePoint> points, int? maxSessions, IReadOnlyList<RoomUsage> rooms)
    {
        var per = range.IntervalName;
        var span = $"{range.Description} (UTC)";
        return new UsageCharts(
            range,
            points,
            ColumnChart.Build("sessions", range, points, [Concurrent], p => [p.MaxConcurrentSessions], p => ConcurrencyTitle(p, maxSessions), whole: true,
                ConcurrencySummary(points, maxSessions, per, span),
                maxSessions is { } limit ? (limit, $"limit {limit}") : null),
            ColumnChart.Build("minutes", range, points, Devices, p => DeviceMinutes.Of(p).Stack, MinutesTitle, whole: false, MinutesSummary(points, per, span)),
            ColumnChart.Build("sessions", range, points, [Started], p => [p.SessionsStarted], p => $"{ColumnChart.PointName(p)} UTC: {Count(p.SessionsStarted, "session")} started",
                whole: true, StartedSummary(points, per, span)),
            TopRoomsChart.Build(rooms, span));
    }

    /// <summary>The share of the limit, rounded to a whole percent: "30 %".</summary>
    public static string Percent(int value, int limit) =>
        (Math.Round(100.0 * value / limit, MidpointRounding.AwayFromZero)).ToString("0", CultureInfo.InvariantCulture) + " %";

    private static string ConcurrencyTitle(TimelinePoint p, int? limit) =>
        $"{ColumnChart.PointName(p)} UTC: at most {Count(p.MaxConcurrentSessions, "session")} at once"
        + (limit is { } l ? $" ({Percent(p.MaxConcurrentSessions, l)} of the limit of {l})" : string.Empty)
        + $", {Count(p.MaxConcurrentParticipants, "participant")} at once";

    private static string MinutesTitle(TimelinePoint p)
    {
        var d = DeviceMinutes.Of(p);
        return $"{ColumnChart.PointName(p)} UTC: {Display.Number(d.Total)} participation minutes — desktop {Display.Number(d.Desktop)}, "
            + $"mobile {Display.Number(d.Mobile)}, tablet {Display.Number(d.Tablet)}, smart TV {Display.Number(d.SmartTv)}, other {Display.Number(d.Other)}";
    }

    private static string ConcurrencySummary(IReadOnlyList<TimelinePoint> points, int? limit, string per, string span)
    {
        var text = $"Concurrent sessions, the most at once in each {per}, {span}: ";
        var busiest = points.OrderByDescending(p => p.MaxConcurrentSessions).ThenBy(p => p.Start).FirstOrDefault();
        text += busiest is null || busiest.MaxConcurrentSessions == 0
            ? "no session had anyone in it"
            : $"at most {Count(busiest.MaxConcurrentSessions, "session")}, first in {ColumnChart.PointName(busiest)}";
        return text + (limit is { } l
            ? $"; the limit is {l}" + (busiest is null ? "." : $" ({Percent(busiest.MaxConcurrentSessions, l)} reached).")
            : "; the team has no limit.");
    }

    private static string MinutesSummary(IReadOnlyList<TimelinePoint> points, string per, string span)
    {
        var busiest = points.OrderByDescending(p => p.ParticipationMinutes).ThenBy(p => p.Start).FirstOrDefault();
        return $"Participation minutes per {per} by device, {span}: "
            + (busiest is null || busiest.ParticipationMinutes <= 0
                ? "none."
                : $"the most in one {per} was {Display.Number(busiest.ParticipationMinutes)}, in {ColumnChart.PointName(busiest)}.");
    }

    private static string StartedSummary(IReadOnlyList<TimelinePoint> points, string per, string span)
    {
        var busiest = points.OrderByDescending(p => p.SessionsStarted).ThenBy(p => p.Start).FirstOrDefault();
        return $"Sessions started per {per}, {span}: {Count(points.Sum(p => p.SessionsStarted), "session")} in all"
            + (busiest is null || busiest.SessionsStarted == 0 ? "." : $", at most {busiest.SessionsStarted} in one {per} ({ColumnChart.PointName(busiest)}).");
    }

    private static string Count(int n, string noun) => $"{n} {noun}{(n == 1 ? string.Empty : "s")}";
}
