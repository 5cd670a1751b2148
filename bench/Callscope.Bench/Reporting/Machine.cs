using System.Runtime.InteropServices;

namespace Callscope.Bench.Reporting;

/// <summary>What the figures were measured on; printed at the top of every run.</summary>
public static class Machine
{
    public static void Print(TextWriter output, StoreTarget store)
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = File.Exists("/proc/meminfo") ? File.ReadLines("/proc/meminfo").First().Split(':', 2)[1].Trim() : null;
        output.WriteLine($"Machine: {Environment.ProcessorCount} cores ({cpu ?? "unknown CPU"}), {memory ?? "unknown"} RAM, {RuntimeInformation.OSDescription}");
        var load = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
        output.WriteLine($"Runtime: {RuntimeInformation.FrameworkDescription}; store: {store.Name}; started {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC; load average {load}");
        output.WriteLine("The load generator runs on the same cores as the server: every rate is also given as a ratio to a baseline measured in the same run.");
    }
}
