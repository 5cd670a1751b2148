using System.Globalization;

namespace Callscope.Bench.Hosting;

/// <summary>A child process's memory and CPU as Linux reports them in <c>/proc</c>.</summary>
public sealed record ProcessStats(long RssBytes, long PeakRssBytes, TimeSpan CpuTime)
{
    private static readonly double TicksPerSecond = 100;

    public static ProcessStats Read(int processId)
    {
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line);
            }
        }

        // Fields 14 and 15 of /proc/PID/stat (after the parenthesised command name) are user and system time in clock ticks.
        var stat = File.ReadAllText($"/proc/{processId}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return new ProcessStats(rss * 1024, peak * 1024, TimeSpan.FromSeconds(ticks / TicksPerSecond));
    }

    public static double Megabytes(long bytes) => bytes / 1024.0 / 1024.0;

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
