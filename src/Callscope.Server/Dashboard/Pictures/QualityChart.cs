using System.Globalization;
using System.Text;
using Callscope.Data.Diagnosis;
using Callscope.Data.Sessions;

namespace Callscope.Server.Dashboard.Pictures;

public sealed record ChartPoint(double X, double Y, string Title);

/// <summary>One quality sample's packet loss and round-trip time; either may be missing.</summary>
public sealed record QualitySample(DateTimeOffset Timestamp, double? Loss, double? Rtt);

/// <summary>The minimum, mean and maximum of one measure over the samples of a bucket that carry it.</summary>
public sealed record Spread(double Min, double Mean, double Max, int Count)
{
    public static Spread? Of(IEnumerable<double?> values)
    {
        var present = values.Where(v => v is not null).Select(v => v!.Value).ToList();
        return present.Count == 0 ? null : new Spread(present.Min(), present.Average(), present.Max(), present.Count);
    }
}

/// <summary>The samples of one equal stretch of the chart's time range.</summary>
public sealed record QualityBucket(DateTimeOffset From, DateTimeOffset To, int Samples, Spread? Loss, Spread? Rtt)
{
    /// <summary>
    /// Cuts <paramref name="from"/>–<paramref name="to"/> into <paramref name="count"/> equal buckets and sums up the samples
    /// of each; a sample on a boundary belongs to the later bucket, one at the very end to the last. Empty buckets are left out.
    /// </summary>
    public static IReadOnlyList<QualityBucket> Of(IEnumerable<QualitySample> samples, DateTimeOffset from, DateTimeOffset to, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var span = to - from;
        if (span <= TimeSpan.Zero)
        {
            return [];
        }

        return samples
            .Where(s => s.Timestamp >= from && s.Timestamp <= to)
            .GroupBy(s => Math.Min((int)((s.Timestamp - from).Ticks * (double)count / span.Ticks), count - 1))
            .OrderBy(g => g.Key)
            .Select(g => new QualityBucket(
                from + (span * g.Key / count), from + (span * (g.Key + 1) / count), g.Count(),
                Spread.Of(g.Select(s => s.Loss)), Spread.Of(g.Select(s => s.Rtt))))
            .ToList();
    }
}

/// <summary>A bucket as drawn: its stretch of the x axis and a band (top = maximum, bottom = minimum) and mean for each measure.</summary>
public sealed record ChartBucket(double X, double Width, ChartBand? Loss, ChartBand? Rtt, string Title);

public sealed record ChartBand(double Top, double Mean, double Bottom);

/// <summary>A problem's time range shaded across the chart, cut to the range shown; <paramref name="Severity"/> is "warning" or "error".</summary>
public sealed record ChartProblem(double X, double Width, string Title, string Severity);

/// <summary>
/// Packet loss (left scale) and round-trip time (right scale) of a participant's quality samples over a time range.
/// Up to <see cref="MaxBuckets"/> samples are drawn one by one; more are summed up per bucket (about one per 4 px) as a
/// band from the minimum to the maximum and a line through the mean, so the picture and the page stay the same size
/// however long the call. The participant's problems are shaded over their time ranges, as far as the range shown holds them.
/// </summary>
public sealed class QualityChart
{
    public const double PictureWidth = 960;
    public const double PictureHeight = 210;
    public const double Top = 18;
    public const double Bottom = 176;
    public const double Left = 56;
    public const double Right = 900;

    /// <summary>The number of buckets across the chart: one per 4 px.</summary>
    public const int MaxBuckets = (int)((Right - Left) / 4);

    private static readonly double[] NiceMaxima = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000];

    private QualityChart(TimeAxis axis, double lossMax, double rttMax, int samples, double? lossPeak, double? rttPeak)
    {
        Axis = axis;
        LossMax = lossMax;
        RttMax = rttMax;
        Samples = samples;
        LossPeak = lossPeak;
        RttPeak = rttPeak;
    }

    public TimeAxis Axis { get; }

    public double LossMax { get; }

    public double RttMax { get; }

    public int Samples { get; }

    private double? LossPeak { get; }

    private double? RttPeak { get; }

    /// <summary>The samples one by one, when there are few enough to draw.</summary>
    public IReadOnlyList<ChartPoint> Loss { get; private init; } = [];

    public IReadOnlyList<ChartPoint> Rtt { get; private init; } = [];

    /// <summary>The buckets, when the samples are too many to draw one by one; empty otherwise.</summary>
    public IReadOnlyList<ChartBucket> Buckets { get; private init; } = [];

    /// <summary>How long each bucket lasts, when the chart is aggregated.</summary>
    public TimeSpan BucketLength { get; private init; }

    public bool Aggregated => Buckets.Count > 0;

    /// <summary>The problems whose time range meets the range shown, warnings first so errors are drawn over them.</summary>
    public IReadOnlyList<ChartProblem> Problems { get; private set; } = [];

    public string LossLine => Aggregated ? Polyline(Buckets.Where(b => b.Loss is not null).Select(b => (b.X + (b.Width / 2), b.Loss!.Mean))) : Polyline(Loss.Select(p => (p.X, p.Y)));

    public string RttLine => Aggregated ? Polyline(Buckets.Where(b => b.Rtt is not null).Select(b => (b.X + (b.Width / 2), b.Rtt!.Mean))) : Polyline(Rtt.Select(p => (p.X, p.Y)));

    /// <summary>The min–max band of packet loss as an SVG path: one closed shape per run of neighbouring buckets.</summary>
    public string LossBand => Band(b => b.Loss);

    public string RttBand => Band(b => b.Rtt);

    public string Summary => (Samples == 0
        ? "No quality samples in this range."
        : $"{Samples} quality sample(s): packet loss up to {Display.Number(LossPeak ?? 0)} %, round-trip time up to {Display.Number(RttPeak ?? 0)} ms"
          + (Aggregated ? $"; shown as the minimum, mean and maximum of each {Display.Duration(BucketLength)}." : "."))
        + (Problems.Count == 0 ? string.Empty : $" {IssueDisplay.Problems(Problems.Count)} shaded over {(Problems.Count == 1 ? "its" : "their")} time range.");

    /// <summary>The gridlines: a quarter of each scale apart, labelled on both sides.</summary>
    public IEnumerable<(double Y, string LossLabel, string RttLabel)> Grid() =>
        Enumerable.Range(0, 5).Select(i => (Bottom - ((Bottom - Top) * i / 4), Display.Number(LossMax * i / 4) + " %", Display.Number(RttMax * i / 4) + " ms"));

    /// <summary>The quality samples among a participant's events, oldest first.</summary>
    public static IReadOnlyList<QualitySample> SamplesOf(IEnumerable<EventView> events) =>
    [
        .. events
            .Where(e => e.Type == "quality_sample")
            .Select(e => new QualitySample(e.Timestamp, EventData.NumberOf(e.DataJson, "packet_loss_pct"), EventData.NumberOf(e.DataJson, "rtt_ms")))
            .Where(s => s.Loss is not null || s.Rtt is not null)
            .OrderBy(s => s.Timestamp),
    ];

    /// <summary>
    /// The chart of the samples from <paramref name="from"/> to <paramref name="to"/>, with the problems that meet that range
    /// shaded (an ongoing one up to <paramref name="to"/>); null when the participant has no samples at all.
    /// </summary>
    public static QualityChart? Build(IReadOnlyList<QualitySample> all, DateTimeOffset from, DateTimeOffset to, IReadOnlyList<IssueView>? problems = null)
    {
        if (all.Count == 0)
        {
            return null;
        }

        var axis = new TimeAxis(from, to, Left, Right - Left);
        var chart = Draw(all, axis);
        chart.Problems = Shade(problems ?? [], axis);
        return chart;
    }

    private static IReadOnlyList<ChartProblem> Shade(IReadOnlyList<IssueView> problems, TimeAxis axis) =>
    [
        .. problems
            .Where(i => i.StartedAt <= axis.To && (i.EndedAt ?? axis.To) >= axis.From)
            .OrderBy(i => i.Severity).ThenBy(i => i.StartedAt)
            .Select(i =>
            {
                var x = axis.X(i.StartedAt);
                return new ChartProblem(x, Math.Max(axis.X(i.EndedAt ?? axis.To) - x, 3), IssueDisplay.Title(i), IssueDisplay.Severity(i.Severity));
            }),
    ];

    private static QualityChart Draw(IReadOnlyList<QualitySample> all, TimeAxis axis)
    {
        var samples = all.Where(s => s.Timestamp >= axis.From && s.Timestamp <= axis.To).ToList();
        var lossPeak = samples.Max(s => s.Loss);
        var rttPeak = samples.Max(s => s.Rtt);
        var lossMax = Nice(lossPeak ?? 0);
        var rttMax = Nice(rttPeak ?? 0);
        if (samples.Count <= MaxBuckets)
        {
            return new QualityChart(axis, lossMax, rttMax, samples.Count, lossPeak, rttPeak)
            {
                Loss = [.. samples.Where(s => s.Loss is not null)
                    .Select(s => new ChartPoint(axis.X(s.Timestamp), Y(s.Loss!.Value, lossMax), $"{Display.Clock(s.Timestamp)}: packet loss {Display.Number(s.Loss.Value)} %"))],
                Rtt = [.. samples.Where(s => s.Rtt is not null)
                    .Select(s => new ChartPoint(axis.X(s.Timestamp), Y(s.Rtt!.Value, rttMax), $"{Display.Clock(s.Timestamp)}: round-trip time {Display.Number(s.Rtt.Value)} ms"))],
            };
        }

        var buckets = QualityBucket.Of(samples, axis.From, axis.To, MaxBuckets);
        return new QualityChart(axis, lossMax, rttMax, samples.Count, lossPeak, rttPeak)
        {
            BucketLength = (axis.To - axis.From) / MaxBuckets,
            Buckets = [.. buckets.Select(b => new ChartBucket(
                axis.X(b.From), axis.X(b.To) - axis.X(b.From), Band(b.Loss, lossMax), Band(b.Rtt, rttMax), Title(b)))],
        };
    }

    private static ChartBand? Band(Spread? spread, double max) => spread is null ? null : new ChartBand(Y(spread.Max, max), Y(spread.Mean, max), Y(spread.Min, max));

    private static string Title(QualityBucket b)
    {
        var text = new StringBuilder($"{Display.Clock(b.From)}–{Display.Clock(b.To)}: {b.Samples} sample(s)");
        if (b.Loss is { } loss)
        {
            text.Append(CultureInfo.InvariantCulture, $"; packet loss min {Display.Number(Math.Round(loss.Min, 2))}, mean {Display.Number(Math.Round(loss.Mean, 2))}, max {Display.Number(Math.Round(loss.Max, 2))} %");
        }

        if (b.Rtt is { } rtt)
        {
            text.Append(CultureInfo.InvariantCulture, $"; round-trip time min {Display.Number(Math.Round(rtt.Min))}, mean {Display.Number(Math.Round(rtt.Mean))}, max {Display.Number(Math.Round(rtt.Max))} ms");
        }

        return text.ToString();
    }

    private static double Y(double value, double max) => Bottom - ((Bottom - Top) * Math.Clamp(value / max, 0, 1));

    private static double Nice(double max) => NiceMaxima.FirstOrDefault(n => n >= max, Math.Ceiling(max));

    private static string Polyline(IEnumerable<(double X, double Y)> points) =>
        string.Join(' ', points.Select(p => $"{TimeAxis.N(p.X)},{TimeAxis.N(p.Y)}"));

    private string Band(Func<ChartBucket, ChartBand?> of)
    {
        var path = new StringBuilder();
        var run = new List<(ChartBucket Bucket, ChartBand Band)>();
        foreach (var bucket in Buckets.Append(null))
        {
            if (bucket is not null && of(bucket) is { } band && (run.Count == 0 || Math.Abs(run[^1].Bucket.X + run[^1].Bucket.Width - bucket.X) < 0.01))
            {
                run.Add((bucket, band));
                continue;
            }

            if (run.Count > 0)
            {
                path.Append(CultureInfo.InvariantCulture, $"M{TimeAxis.N(run[0].Bucket.X)},{TimeAxis.N(run[0].Band.Top)}");
                foreach (var (b, top) in run)
                {
                    path.Append(CultureInfo.InvariantCulture, $"V{TimeAxis.N(top.Top)}H{TimeAxis.N(b.X + b.Width)}");
                }

                for (var i = run.Count - 1; i >= 0; i--)
                {
                    path.Append(CultureInfo.InvariantCulture, $"V{TimeAxis.N(run[i].Band.Bottom)}H{TimeAxis.N(run[i].Bucket.X)}");
                }

                path.Append('Z');
            }

            run.Clear();
            if (bucket is not null && of(bucket) is { } first)
            {
                run.Add((bucket, first));
            }
        }

        return path.ToString();
    }
}
