using System.Globalization;
using System.Text;
using Callscope.Data.Sessions;

namespace Callscope.Server.Dashboard.Pictures;

public sealed record ChartPoint(double X, double Y, string Title);

/// <summary>Packet loss (left scale) and round-trip time (right scale) of a participant's quality samples over time.</summary>
public sealed class QualityChart
{
    public const double PictureWidth = 960;
    public const double PictureHeight = 210;
    public const double Top = 18;
    public const double Bottom = 176;
    public const double Left = 56;
    public const double Right = 900;

    private static readonly double[] NiceMaxima = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000];

    private QualityChart(TimeAxis axis, double lossMax, double rttMax, IReadOnlyList<ChartPoint> loss, IReadOnlyList<ChartPoint> rtt, int samples)
    {
        Axis = axis;
        LossMax = lossMax;
        RttMax = rttMax;
        Loss = loss;
        Rtt = rtt;
        Samples = samples;
    }

    public TimeAxis Axis { get; }

    public double LossMax { get; }

    public double RttMax { get; }

    public IReadOnlyList<ChartPoint> Loss { get; }

    public IReadOnlyList<ChartPoint> Rtt { get; }

    public int Samples { get; }

    public string LossLine => Polyline(Loss);

    public string RttLine => Polyline(Rtt);

    public string Summary => Samples == 0
        ? "No quality samples."
        : $"{Samples} quality sample(s): packet loss up to {Display.Number(Loss.Count == 0 ? 0 : Loss.Max(p => Value(p.Y, LossMax)))} %, "
          + $"round-trip time up to {Display.Number(Rtt.Count == 0 ? 0 : Rtt.Max(p => Value(p.Y, RttMax)))} ms.";

    /// <summary>The gridlines: a quarter of each scale apart, labelled on both sides.</summary>
    public IEnumerable<(double Y, string LossLabel, string RttLabel)> Grid() =>
        Enumerable.Range(0, 5).Select(i => (Bottom - ((Bottom - Top) * i / 4), Display.Number(LossMax * i / 4) + " %", Display.Number(RttMax * i / 4) + " ms"));

    public static QualityChart? Build(IEnumerable<EventView> events, DateTimeOffset from, DateTimeOffset to)
    {
        var samples = events
            .Where(e => e.Type == "quality_sample")
            .Select(e => (e.Timestamp, Loss: EventData.NumberOf(e.DataJson, "packet_loss_pct"), Rtt: EventData.NumberOf(e.DataJson, "rtt_ms")))
            .Where(s => s.Loss is not null || s.Rtt is not null)
            .ToList();
        if (samples.Count == 0)
        {
            return null;
        }

        var axis = new TimeAxis(from, to, Left, Right - Left);
        var lossMax = Nice(samples.Max(s => s.Loss ?? 0));
        var rttMax = Nice(samples.Max(s => s.Rtt ?? 0));
        var loss = samples.Where(s => s.Loss is not null)
            .Select(s => new ChartPoint(axis.X(s.Timestamp), Y(s.Loss!.Value, lossMax), $"{Display.Clock(s.Timestamp)}: packet loss {Display.Number(s.Loss.Value)} %"))
            .ToList();
        var rtt = samples.Where(s => s.Rtt is not null)
            .Select(s => new ChartPoint(axis.X(s.Timestamp), Y(s.Rtt!.Value, rttMax), $"{Display.Clock(s.Timestamp)}: round-trip time {Display.Number(s.Rtt.Value)} ms"))
            .ToList();
        return new QualityChart(axis, lossMax, rttMax, loss, rtt, samples.Count);
    }

    private static double Y(double value, double max) => Bottom - ((Bottom - Top) * Math.Clamp(value / max, 0, 1));

    private static double Value(double y, double max) => Math.Round((Bottom - y) / (Bottom - Top) * max, 2);

    private static double Nice(double max) => NiceMaxima.FirstOrDefault(n => n >= max, Math.Ceiling(max));

    private static string Polyline(IReadOnlyList<ChartPoint> points)
    {
        var text = new StringBuilder();
        foreach (var p in points)
        {
            text.Append(CultureInfo.InvariantCulture, $"{TimeAxis.N(p.X)},{TimeAxis.N(p.Y)} ");
        }

        return text.ToString().TrimEnd();
    }
}
