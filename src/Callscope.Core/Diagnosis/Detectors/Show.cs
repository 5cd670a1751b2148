using System.Globalization;

namespace Callscope.Core.Diagnosis.Detectors;

/// <summary>Numbers as summaries write them: at most two decimals, invariant culture.</summary>
internal static class Show
{
    public static string Number(double? value) => value is { } v ? v.ToString("0.##", CultureInfo.InvariantCulture) : "?";

    public static string Seconds(TimeSpan span) => Number(span.TotalSeconds);
}
