using System.Globalization;
using Callscope.Data.Usage;
using Callscope.Server.Statistics;

namespace Callscope.Server.Dashboard.Pictures;

/// <summary>
/// The whole UTC days the usage charts span, <c>[First 00:00, Last + 1 day 00:00)</c>, as the API's <c>date_start</c>
/// and <c>date_end</c> read <c>YYYY-MM-DD</c>, and the width of the timeline's points: an hour up to a week, a day
/// beyond (well inside the API's limits of 93 days of hours and 3,700 days of days).
/// </summary>
public sealed record UsageRange(string Kind, DateOnly First, DateOnly Last)
{
    public const string DayKind = "day";
    public const string WeekKind = "week";
    public const string MonthKind = "month";
    public const string ChosenKind = "chosen";

    /// <summary>The longest range with one point a day that the timeline API answers.</summary>
    public static readonly int MaxDays = (int)StatisticsPeriod.MaxLength.TotalDays;

    /// <summary>The longest range drawn with a point per hour; anything longer gets a point per day.</summary>
    public const int MaxHourlyDays = 7;

    private const string DateFormat = "yyyy-MM-dd";

    public DateTimeOffset From => new(First.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    public DateTimeOffset To => new(Last.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    public int Days => Last.DayNumber - First.DayNumber + 1;

    public UsageInterval Interval => Days <= MaxHourlyDays ? UsageInterval.Hour : UsageInterval.Day;

    /// <summary>The interval as the API names it.</summary>
    public string IntervalName => StatisticsEndpoints.Name(Interval);

    public string FirstText => Text(First);

    public string LastText => Text(Last);

    /// <summary>The timeline of this range as CSV, from the API (which takes the dashboard's sign-in for reading).</summary>
    public string CsvHref => $"/api/v1/statistics/timeline?date_start={FirstText}&date_end={LastText}&interval={IntervalName}&format=csv";

    /// <summary>"2026-11-25" for one day, "2026-11-01 to 2026-11-30" for more.</summary>
    public string Description => First == Last ? FirstText : $"{FirstText} to {LastText}";

    /// <summary>Today, UTC.</summary>
    public static UsageRange Day(DateTimeOffset now) => new(DayKind, Today(now), Today(now));

    /// <summary>The seven days that end today.</summary>
    public static UsageRange Week(DateTimeOffset now) => new(WeekKind, Today(now).AddDays(-6), Today(now));

    /// <summary>The current period, whose end is exclusive.</summary>
    public static UsageRange Month((DateTimeOffset Start, DateTimeOffset End) period) =>
        new(MonthKind, DateOnly.FromDateTime(period.Start.UtcDateTime), DateOnly.FromDateTime(period.End.UtcDateTime.AddTicks(-1)));

    /// <summary>
    /// The range from the page's query: <c>from</c> and <c>to</c> (both days included) when either is given, else
    /// <c>range</c> (day, week, or month, the default). A range that cannot be shown gives a sentence saying why.
    /// </summary>
    public static (UsageRange? Range, string? Error) Parse(string? range, string? from, string? to, DateTimeOffset now, (DateTimeOffset Start, DateTimeOffset End) period)
    {
        if (!string.IsNullOrWhiteSpace(from) || !string.IsNullOrWhiteSpace(to))
        {
            return Chosen(from, to);
        }

        return range switch
        {
            null or "" or MonthKind => (Month(period), null),
            DayKind => (Day(now), null),
            WeekKind => (Week(now), null),
            _ => (null, $"There is no range called “{Shorten(range)}”: choose day, week or month, or two dates."),
        };
    }

    private static (UsageRange? Range, string? Error) Chosen(string? from, string? to)
    {
        if (string.IsNullOrWhiteSpace(from) || string.IsNullOrWhiteSpace(to))
        {
            return (null, "Choose both the first and the last day of the range.");
        }

        if (Date(from) is not { } first)
        {
            return (null, $"The first day “{Shorten(from)}” is not a date: write it as YYYY-MM-DD, between the years 1970 and 9998.");
        }

        if (Date(to) is not { } last)
        {
            return (null, $"The last day “{Shorten(to)}” is not a date: write it as YYYY-MM-DD, between the years 1970 and 9998.");
        }

        if (last < first)
        {
            return (null, $"The first day ({Text(first)}) is after the last day ({Text(last)}): choose a first day on or before the last.");
        }

        var range = new UsageRange(ChosenKind, first, last);
        return range.Days > MaxDays
            ? (null, $"The range spans {range.Days.ToString("N0", CultureInfo.InvariantCulture)} days; it can span at most {MaxDays.ToString("N0", CultureInfo.InvariantCulture)} days.")
            : (range, null);
    }

    private static DateOnly? Date(string text) =>
        DateOnly.TryParseExact(text.Trim(), DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) && date.Year is >= 1970 and <= 9998
            ? date
            : null;

    private static DateOnly Today(DateTimeOffset now) => DateOnly.FromDateTime(now.UtcDateTime);

    private static string Text(DateOnly date) => date.ToString(DateFormat, CultureInfo.InvariantCulture);

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
