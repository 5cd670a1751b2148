using System.Globalization;

namespace Callscope.Server.Dashboard.Pictures;

public sealed record Tick(double X, string Label);

/// <summary>Maps times onto a horizontal stretch of a picture, with round-numbered ticks.</summary>
public sealed class TimeAxis
{
    private static readonly TimeSpan[] Steps =
    [
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30),
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(15),
        TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(3), TimeSpan.FromHours(6),
        TimeSpan.FromHours(12), TimeSpan.FromDays(1), TimeSpan.FromDays(2), TimeSpan.FromDays(7),
    ];

    public TimeAxis(DateTimeOffset from, DateTimeOffset to, double left, double width)
    {
        From = from;
        To = to > from ? to : from.AddMinutes(1);
        Left = left;
        Width = width;
    }

    public DateTimeOffset From { get; }

    public DateTimeOffset To { get; }

    public double Left { get; }

    public double Width { get; }

    public double Right => Left + Width;

    public double X(DateTimeOffset t) => Left + (Width * Math.Clamp((t - From) / (To - From), 0, 1));

    /// <summary>The distance between two ticks: the smallest round step that gives at most about six.</summary>
    public TimeSpan Step => Steps.FirstOrDefault(s => (To - From) / s <= 6, Steps[^1]);

    /// <summary>Whether the ticks fall on whole days, so each names a day rather than an instant.</summary>
    public bool DayTicks => Step >= TimeSpan.FromDays(1);

    /// <summary>
    /// At most about six ticks, on whole seconds, minutes, hours or days of UTC. Ticks a day or more apart are labelled
    /// with the day alone ("25 Nov"), since they all fall at midnight.
    /// </summary>
    public IReadOnlyList<Tick> Ticks()
    {
        var span = To - From;
        var step = Step;
        var format = step < TimeSpan.FromMinutes(1) ? "HH:mm:ss" : DayTicks ? "d MMM" : span > TimeSpan.FromDays(1) ? "MM-dd HH:mm" : "HH:mm";
        var first = new DateTimeOffset(From.UtcTicks - (From.UtcTicks % step.Ticks), TimeSpan.Zero);
        if (first < From)
        {
            first += step;
        }

        var ticks = new List<Tick>();
        for (var t = first; t <= To; t += step)
        {
            ticks.Add(new Tick(X(t), t.UtcDateTime.ToString(format, CultureInfo.InvariantCulture)));
        }

        return ticks;
    }

    /// <summary>A coordinate for an SVG attribute.</summary>
    public static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
