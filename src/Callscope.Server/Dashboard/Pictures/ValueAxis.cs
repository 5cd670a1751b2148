namespace Callscope.Server.Dashboard.Pictures;

/// <summary>
/// Maps values from zero up to a round maximum onto a stretch of a picture (upwards or sideways), with round-numbered
/// ticks: a step of 1, 2 or 5 times a power of ten, at most five steps to the top. Counts get whole steps only.
/// </summary>
public sealed class ValueAxis
{
    private static readonly double[] Mantissas = [1, 2, 5];

    /// <param name="peak">The largest value the picture must hold.</param>
    /// <param name="zeroAt">The coordinate of zero (the bottom of a column chart, the left of a bar chart).</param>
    /// <param name="maxAt">The coordinate of the maximum.</param>
    /// <param name="whole">Whether the values are counts, so that a tick never falls between two whole numbers.</param>
    public ValueAxis(double peak, double zeroAt, double maxAt, bool whole)
    {
        ZeroAt = zeroAt;
        MaxAt = maxAt;
        Step = StepFor(Math.Max(peak, 0), whole);
        Max = Step * Math.Max(1, Math.Ceiling((Math.Max(peak, 0) / Step) - 1e-9));
    }

    public double ZeroAt { get; }

    public double MaxAt { get; }

    public double Step { get; }

    /// <summary>The top of the scale: the first whole number of steps at or above the peak.</summary>
    public double Max { get; }

    public double At(double value) => ZeroAt + ((MaxAt - ZeroAt) * Math.Clamp(value / Max, 0, 1));

    /// <summary>The length from zero to <paramref name="value"/>, always positive.</summary>
    public double Length(double value) => Math.Abs(At(value) - ZeroAt);

    public IReadOnlyList<(double At, string Label)> Ticks()
    {
        var count = (int)Math.Round(Max / Step);
        return [.. Enumerable.Range(0, count + 1).Select(i => (At(i * Step), Display.Number(Math.Round(i * Step, 6))))];
    }

    private static double StepFor(double peak, bool whole)
    {
        if (peak <= 0)
        {
            return 1;
        }

        var power = Math.Pow(10, Math.Floor(Math.Log10(peak / 5)));
        foreach (var scale in new[] { power, power * 10 })
        {
            foreach (var mantissa in Mantissas)
            {
                var step = mantissa * scale;
                if (whole && step < 1)
                {
                    continue;
                }

                if (peak / step <= 5 + 1e-9)
                {
                    return step;
                }
            }
        }

        return whole ? Math.Max(1, Math.Ceiling(peak / 5)) : peak / 5;
    }
}
