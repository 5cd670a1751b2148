using Callscope.Core;
using Callscope.Data.Rooms;
using Callscope.Data.Sessions;
using Callscope.Data.Teams;
using Callscope.Data.Usage;
using Callscope.Server.Api;
using Callscope.Server.Auth;
using Callscope.Server.Export;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Callscope.Server.Statistics;

/// <summary>
/// Digital Samba's statistics family over the usage figures of <see cref="UsageQueries"/> (docs/statistics.md), and the
/// timeline the Usage page draws (docs/api.md, "Statistics"). Every answer takes <c>metrics</c>; the periods are read
/// by <see cref="StatisticsPeriod"/>.
/// </summary>
public static class StatisticsEndpoints
{
    public static RouteGroupBuilder MapStatisticsRoutes(this RouteGroupBuilder api)
    {
        var statistics = api.MapGroup("/statistics").WithTags("Statistics");
        statistics.MapGet("/", (HttpContext c, UsageQueries u, DashboardQueries l, TimeProvider t) => Team(c, u, l, t, current: false))
            .WithName("GetTeamStatistics").WithSummary("The team's usage over a period")
            .WithQueryParameters(StatisticsDocs.Period);
        statistics.MapGet("/team/current", (HttpContext c, UsageQueries u, DashboardQueries l, TimeProvider t) => Team(c, u, l, t, current: true))
            .WithName("GetTeamStatisticsCurrent")
            .WithSummary("The team's usage over the current period").WithQueryParameters(StatisticsDocs.Current);
        statistics.MapGet("/current", Current).WithName("GetCurrentStatistics")
            .WithSummary("Live and ending-soon sessions, live participants and the current period's peaks").WithQueryParameters(StatisticsDocs.Current);
        statistics.MapGet("/timeline", Timeline).WithName("GetStatisticsTimeline")
            .WithSummary("The team's usage per minute, hour or day: peaks, minutes by device, sessions started").WithQueryParameters(StatisticsDocs.Timeline);
        api.MapGet("/rooms/{room}/statistics",
                (string room, HttpContext c, RoomStore r, UsageQueries u, SessionQueries s, TimeProvider t) => Room(room, c, r, u, s, t, current: false))
            .WithTags("Statistics").WithName("GetRoomStatistics")
            .WithSummary("One room's usage over a period").WithQueryParameters(StatisticsDocs.Period);
        api.MapGet("/rooms/{room}/statistics/current",
                (string room, HttpContext c, RoomStore r, UsageQueries u, SessionQueries s, TimeProvider t) => Room(room, c, r, u, s, t, current: true))
            .WithTags("Statistics").WithName("GetRoomStatisticsCurrent")
            .WithSummary("One room's usage over the current period").WithQueryParameters(StatisticsDocs.Current);
        return api;
    }

    /// <summary>The team over the requested period, or over the current one (which takes no dates).</summary>
    private static Results<MetricsResult<TeamStatisticsItem>, ProblemHttpResult> Team(
        HttpContext context, UsageQueries usage, DashboardQueries live, TimeProvider clock, bool current)
    {
        var query = new QueryReader(context.Request.Query);
        var period = Period(query, context.User.TeamOf(), usage, clock, current);
        var metrics = Metrics.Read<TeamStatisticsItem>(context, query);
        return query.Valid ? TeamAnswer(context, usage, live, period, metrics) : Problems.Validation(query.Errors);
    }

    /// <summary>The current period up to now, or the one the query's dates give.</summary>
    private static StatisticsPeriod Period(QueryReader query, TeamId team, UsageQueries usage, TimeProvider clock, bool current) => current
        ? StatisticsPeriod.Current(usage.CurrentPeriod(team), clock.GetUtcNow())
        : StatisticsPeriod.Read(query, usage.CurrentPeriod(team).Start, clock.GetUtcNow(), StatisticsPeriod.MaxLength, StatisticsPeriod.MaxLengthText);

    private static MetricsResult<TeamStatisticsItem> TeamAnswer(
        HttpContext context, UsageQueries usage, DashboardQueries live, StatisticsPeriod period, IReadOnlySet<string>? metrics)
    {
        var team = context.User.TeamOf();
        var figures = usage.Team(team, period.From, period.To);
        return new MetricsResult<TeamStatisticsItem>(TeamStatisticsItem.From(figures, live.Live(team).LiveParticipants, period), metrics);
    }

    /// <summary>
    /// The live counts are one count of the live sessions; the period's figures are the usage figures of the current
    /// period; recorders are read from the recording events of each live session, only when asked for.
    /// </summary>
    private static Results<MetricsResult<CurrentStatisticsItem>, ProblemHttpResult> Current(
        HttpContext context, UsageQueries usage, DashboardQueries live, SessionQueries sessions, TeamStore teams, TimeProvider clock)
    {
        var query = new QueryReader(context.Request.Query);
        var metrics = Metrics.Read<CurrentStatisticsItem>(context, query);
        if (!query.Valid)
        {
            return Problems.Validation(query.Errors);
        }

        var team = context.User.TeamOf();
        var settings = teams.Find(team)!;
        var now = clock.GetUtcNow();
        var period = StatisticsPeriod.Current(UsageQueries.Period(now, settings.PeriodStartDay), now);
        var figures = usage.Team(team, period.From, period.To);
        var counts = live.Live(team);
        // Recorders are read from each live session's events: only when the answer is to carry them.
        var recorders = metrics is null || metrics.Contains("active_recorders") ? sessions.ActiveRecorders(team) : 0;
        return new MetricsResult<CurrentStatisticsItem>(new CurrentStatisticsItem(figures.ParticipationMinutes, counts.ActiveSessions,
            counts.LiveParticipants, recorders, RecordedMinutes: 0, TranscriptionMinutes: 0, StoredRecordedMinutes: 0,
            figures.MaxConcurrentParticipants, figures.MaxConcurrentSessions, period.FirstDay, period.LastDay, counts.EndingSoonSessions,
            settings.MaxSessions, period.From), metrics);
    }

    /// <summary>One room over the requested period, or over the current one (which takes no dates).</summary>
    private static Results<MetricsResult<RoomStatisticsItem>, ProblemHttpResult> Room(
        string room, HttpContext context, RoomStore rooms, UsageQueries usage, SessionQueries sessions, TimeProvider clock, bool current)
    {
        if (rooms.Find(context.User.TeamOf(), room) is not { } found)
        {
            return Problems.NotFound("The room");
        }

        var query = new QueryReader(context.Request.Query);
        var period = Period(query, found.TeamId, usage, clock, current);
        var metrics = Metrics.Read<RoomStatisticsItem>(context, query);
        return query.Valid ? RoomAnswer(found, usage, sessions, period, metrics) : Problems.Validation(query.Errors);
    }

    private static MetricsResult<RoomStatisticsItem> RoomAnswer(
        Room room, UsageQueries usage, SessionQueries sessions, StatisticsPeriod period, IReadOnlySet<string>? metrics)
    {
        var figures = usage.Room(room.TeamId, room.Id, period.From, period.To);
        // A room has at most one live session.
        var live = sessions.List(room.TeamId, new SessionFilter(Live: true, RoomId: room.Id), new Paging(Limit: 1)).Data.Sum(s => s.ParticipantsLive);
        return new MetricsResult<RoomStatisticsItem>(RoomStatisticsItem.From(room, figures, live, period), metrics);
    }

    private static Results<Ok<TimelineResponse>, ProblemHttpResult, CsvList<TimelineItem>> Timeline(
        HttpContext context, UsageQueries usage, TeamStore teams, TimeProvider clock)
    {
        var query = new QueryReader(context.Request.Query);
        var interval = query.Text("interval", 20) switch
        {
            null or "day" => UsageInterval.Day,
            "hour" => UsageInterval.Hour,
            "minute" => UsageInterval.Minute,
            _ => Invalid(query, "interval", "'interval' must be minute, hour or day."),
        };
        var (limit, limitText) = TimelineLimit(interval);
        var period = StatisticsPeriod.Read(query, usage.CurrentPeriod(context.User.TeamOf()).Start, clock.GetUtcNow(), limit, $"{limitText} with interval={Name(interval)}");
        var csv = ListFormat.Csv(context.Request, query);
        if (!query.Valid)
        {
            return Problems.Validation(query.Errors);
        }

        var team = context.User.TeamOf();
        var points = usage.Timeline(team, period.From, period.To, interval).Select(TimelineItem.From).ToList();
        if (csv)
        {
            return new CsvList<TimelineItem>("timeline", points);
        }

        return TypedResults.Ok(new TimelineResponse(Name(interval), period.FirstDay, period.LastDay, teams.Find(team)!.MaxSessions, points));
    }

    /// <summary>The longest range per interval: enough for the charts' ranges, few enough points for one answer.</summary>
    public static (TimeSpan Limit, string Text) TimelineLimit(UsageInterval interval) => interval switch
    {
        UsageInterval.Minute => (TimeSpan.FromDays(2), "2 days"),
        UsageInterval.Hour => (TimeSpan.FromDays(93), "93 days"),
        UsageInterval.Day => (StatisticsPeriod.MaxLength, StatisticsPeriod.MaxLengthText),
        _ => throw new ArgumentOutOfRangeException(nameof(interval)),
    };

    /// <summary>The interval as the API names it.</summary>
    public static string Name(UsageInterval interval) => interval switch
    {
        UsageInterval.Minute => "minute",
        UsageInterval.Hour => "hour",
        UsageInterval.Day => "day",
        _ => throw new ArgumentOutOfRangeException(nameof(interval)),
    };

    private static UsageInterval Invalid(QueryReader query, string name, string message)
    {
        query.Errors.Add(new FieldError(name, message));
        return UsageInterval.Day;
    }
}
