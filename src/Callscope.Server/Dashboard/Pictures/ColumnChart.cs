using System.Globalization;
using Callscope.Data.Usage;

namespace Callscope.Server.Dashboard.Pictures;

/// <summary>One series of a column chart: the CSS class that colours it and the words of its legend key.</summary>
public sealed record ChartSeries(string Code, string Label);

/// <summary>One series' share of a column, from <paramref name="Y"/> down by <paramref name="Height"/>.</summary>
public sealed record ColumnSegment(string Series, double Y, double Height);

/// <summary>
/// One timeline point as drawn: its stretch of the time axis, its stacked segments (only those above zero), and a
/// tooltip that a transparent rectangle the height of the chart carries, so every point can be hovered, even a thin
/// or empty one.
/// </summary>
public sealed record ChartColumn(double X, double Width, IReadOnlyList<ColumnSegment> Segments, string Title);

/// <summary>A horizontal line across the chart at a value, labelled at its right end.</summary>
public sealed record LimitLine(double Y, string Label);

/// <summary>A time label under the chart, anchored so that it stays inside the picture.</summary>
public sealed record TimeLabel(double TickX, double X, string Label, string Anchor);

/// <summary>
/// A column chart of a usage timeline: time along the bottom (<see cref="TimeAxis"/>), a round-numbered value scale on
/// the left (<see cref="ValueAxis"/>), one column per point, stacked by series, and optionally a limit drawn as a line.
/// </summary>
public sealed class ColumnChart
{
    public const double PictureWidth = 640;
    public const double PictureHeight = 232;
    public const double Top = 22;
    public const double Bottom = 196;
    public const double Left = 50;
    public const double Right = 624;

    /// <summary>About how wide a character of a tick label is, in the picture's units.</summary>
    private const double CharacterWidth = 7.4;

    private ColumnChart(string unit, TimeAxis axis, ValueAxis values, IReadOnlyList<ChartSeries> series, IReadOnlyList<ChartColumn> columns, LimitLine? limit, string summary)
    {
        Unit = unit;
        Axis = axis;
        Values = values;
        Series = series;
        Columns = columns;
        Limit = limit;
        Summary = summary;
    }

    /// <summary>What the value scale counts, written above it.</summary>
    public string Unit { get; }

    public TimeAxis Axis { get; }

    public ValueAxis Values { get; }

    public IReadOnlyList<ChartSeries> Series { get; }

    public IReadOnlyList<ChartColumn> Columns { get; }

    public LimitLine? Limit { get; }

    /// <summary>A sentence saying what the chart shows, for its accessible name.</summary>
    public string Summary { get; }

    /// <summary>
    /// The time axis' ticks: an instant's label is centred on its tick, a day's starts at its midnight, over the day it
    /// names. A label that would run out of the picture is anchored at its other end, or left out when it names a day.
    /// </summary>
    public IReadOnlyList<TimeLabel> TimeLabels()
    {
        var labels = new List<TimeLabel>();
        foreach (var tick in Axis.Ticks())
        {
            var width = tick.Label.Length * CharacterWidth;
            if (Axis.DayTicks)
            {
                if (tick.X + 3 + width <= PictureWidth)
                {
                    labels.Add(new TimeLabel(tick.X, tick.X + 3, tick.Label, "start"));
                }
            }
            else if (tick.X + (width / 2) > PictureWidth)
            {
                labels.Add(new TimeLabel(tick.X, tick.X, tick.Label, "end"));
            }
            else
            {
                labels.Add(new TimeLabel(tick.X, tick.X, tick.Label, tick.X - (width / 2) < 0 ? "start" : "middle"));
            }
        }

        return labels;
    }

    /// <summary>
    /// Draws <paramref name="points"/> over <paramref name="range"/>: each point's values, one per series in the order of
    /// <paramref name="series"/>, stacked from the bottom; <paramref name="limit"/> widens the scale so its line shows.
    /// </summary>
    public static ColumnChart Build(
        string unit,
        UsageRange range,
        IReadOnlyList<TimelinePoint> points,
        IReadOnlyList<ChartSeries> series,
        Func<TimelinePoint, IReadOnlyList<double>> values,
        Func<TimelinePoint, string> title,
        bool whole,
        string summary,
        (double Value, string Label)? limit = null)
    {
        var axis = new TimeAxis(range.From, range.To, Left, Right - Left);
        var stacks = points.Select(p => values(p)).ToList();
        var peak = Math.Max(stacks.Select(v => v.Sum()).DefaultIfEmpty(0).Max(), limit?.Value ?? 0);
        var scale = new ValueAxis(peak, Bottom, Top, whole);
        var columns = points.Select((p, i) =>
        {
            var x = axis.X(p.Start);
            var width = axis.X(p.End) - x;
            var gap = Math.Min(2, width * 0.2);
            var segments = new List<ColumnSegment>();
            var below = 0.0;
            foreach (var (value, s) in stacks[i].Zip(series))
            {
                if (value > 0)
                {
                    var top = scale.At(below + value);
                    segments.Add(new ColumnSegment(s.Code, top, scale.At(below) - top));
                    below += value;
                }
            }

            return new ChartColumn(x + (gap / 2), Math.Max(width - gap, 0.5), segments, title(p));
        }).ToList();
        var line = limit is { } l ? new LimitLine(scale.At(l.Value), l.Label) : null;
        return new ColumnChart(unit, axis, scale, series, columns, line, summary);
    }

    /// <summary>"2026-11-25 10:00–11:00" for an hour, "2026-11-25" for a day.</summary>
    public static string PointName(TimelinePoint point) => point.End - point.Start < TimeSpan.FromDays(1)
        ? $"{point.Start.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}–{point.End.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture)}"
        : point.Start.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The point's start as the data tables show it: "2026-11-25 10:00", or "2026-11-25" for a day.</summary>
    public static string PointStart(TimelinePoint point) => point.End - point.Start < TimeSpan.FromDays(1)
        ? point.Start.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)
        : point.Start.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
