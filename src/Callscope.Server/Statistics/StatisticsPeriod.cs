using System.Globalization;
using Callscope.Core.Ingest;
using Callscope.Server.Api;

namespace Callscope.Server.Statistics;

/// <summary>
/// The period <c>[From, To)</c> a statistics request asks about. <c>date_start</c> and <c>date_end</c> are a UTC day
/// (<c>YYYY-MM-DD</c>: from that day's start, until the end of that day, so <c>date_end</c> is inclusive) or an RFC
/// 3339 time (that instant; <c>date_end</c> exclusive). Absent, the period runs from the start of the current period
/// to the end of today.
/// </summary>
public sealed record StatisticsPeriod(DateTimeOffset From, DateTimeOffset To)
{
    /// <summary>The longest period a request may cover: about ten years, so that no range overflows or reads without end.</summary>
    public static readonly TimeSpan MaxLength = TimeSpan.FromDays(3_700);

    /// <summary><see cref="MaxLength"/> as messages name it.</summary>
    public const string MaxLengthText = "3,700 days";

    /// <summary>The first day the period touches, as answers echo it in <c>date_start</c>.</summary>
    public DateOnly FirstDay => DateOnly.FromDateTime(From.UtcDateTime);

    /// <summary>The last day the period touches, as answers echo it in <c>date_end</c>.</summary>
    public DateOnly LastDay { get; init; } = DateOnly.FromDateTime(To.UtcDateTime.AddTicks(-1));

    /// <summary>The current period, whose figures run up to now: its last day so far is today.</summary>
    public static StatisticsPeriod Current((DateTimeOffset Start, DateTimeOffset End) period, DateTimeOffset now) =>
        new(period.Start, period.End) { LastDay = DateOnly.FromDateTime(now.UtcDateTime) };

    /// <summary>
    /// The request's period, checked: a bad date, a start that is not before the end, or a period longer than
    /// <paramref name="limit"/> (<paramref name="limitText"/> names it in the message) is added to the query's errors.
    /// </summary>
    public static StatisticsPeriod Read(QueryReader query, DateTimeOffset currentPeriodStart, DateTimeOffset now, TimeSpan limit, string limitText)
    {
        var start = Bound(query, "date_start", end: false);
        var end = Bound(query, "date_end", end: true);
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var period = new StatisticsPeriod(start ?? currentPeriodStart, end ?? today.AddDays(1));
        if (!query.Valid)
        {
            return period;
        }

        if (period.From >= period.To)
        {
            query.Errors.Add(new FieldError("date_start",
                "'date_start' must be before 'date_end' (date_start defaults to the first day of the current period, date_end to today)."));
        }
        else if (period.To - period.From > limit)
        {
            query.Errors.Add(new FieldError("date_end", $"The period from 'date_start' to 'date_end' may cover at most {limitText}."));
        }

        return period;
    }

    private static DateTimeOffset? Bound(QueryReader query, string name, bool end)
    {
        if (query.Text(name, 40) is not { } text)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) && !(end && day == DateOnly.MaxValue))
        {
            var at = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return end ? at.AddDays(1) : at;
        }

        if (TimeText.TryParse(text, out var time))
        {
            return time;
        }

        query.Errors.Add(new FieldError(name, $"'{name}' must be a date (YYYY-MM-DD) or an RFC 3339 time, such as 2026-11-30 or 2026-11-30T09:00:00Z."));
        return null;
    }
}
