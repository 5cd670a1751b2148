using Callscope.Data.Usage;
using Callscope.Server.Dashboard.Pictures;

namespace Callscope.Server.Dashboard.Pages;

/// <summary>
/// The team's usage: this period's figures against the contracted limit and what is live now, then charts of a chosen
/// range (today, the last seven days, the current period, or two dates). Every figure comes from
/// <see cref="UsageQueries"/>, the same answers as the statistics API; the live counts are the header's.
/// </summary>
public sealed class UsageModel(UsageQueries usage, DashboardRequest request, TimeProvider clock) : DashboardPage
{
    /// <summary>How many rooms the busiest-rooms chart shows.</summary>
    public const int TopRoomCount = 10;

    public (DateTimeOffset Start, DateTimeOffset End) Period { get; private set; }

    /// <summary>The current period from its start up to now.</summary>
    public UsageFigures ThisPeriod { get; private set; } = null!;

    public HeaderFigures Header { get; private set; } = null!;

    /// <summary>The range the charts show; null when the query asked for one that cannot be shown.</summary>
    public UsageRange? Range { get; private set; }

    /// <summary>Why the range asked for cannot be shown.</summary>
    public string? RangeError { get; private set; }

    /// <summary>The dates typed into the range form, kept as typed when they were wrong.</summary>
    public string FromField { get; private set; } = string.Empty;

    public string ToField { get; private set; } = string.Empty;

    /// <summary>The charts of the range; null when the range is wrong, or for a live refresh, which only replaces the figures.</summary>
    public UsageCharts? Charts { get; private set; }

    public void OnGet(string? range, string? from, string? to)
    {
        var now = clock.GetUtcNow();
        Period = usage.CurrentPeriod(Team);
        ThisPeriod = usage.Team(Team, Period.Start, Period.End);
        Header = request.Header(Team);

        (Range, RangeError) = UsageRange.Parse(range, from, to, now, Period);
        FromField = Range?.FirstText ?? from ?? string.Empty;
        ToField = Range?.LastText ?? to ?? string.Empty;
        if (Range is not { } shown || Request.Headers.ContainsKey(LiveRefreshHeader))
        {
            return;
        }

        var points = usage.Timeline(Team, shown.From, shown.To, shown.Interval);
        var rooms = usage.TopRooms(Team, shown.From, shown.To, TopRoomCount);
        Charts = UsageCharts.Build(shown, points, Header.MaxSessions, rooms);
    }

    /// <summary>The first and last day of the current period, the end being exclusive.</summary>
    public string PeriodText => UsageRange.Month(Period).Description;

    /// <summary>Whether <paramref name="kind"/> is the range shown, for the range links' <c>aria-current</c>.</summary>
    public string? Current(string kind) => Range?.Kind == kind ? "page" : null;
}
