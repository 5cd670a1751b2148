using System.Runtime.InteropServices;

namespace Callscope.Bench.Reporting;

/// <summary>What the figures were measured on; printed at the top of every run.</summary>
public static class Machine
{
    public static void Print(TextWriter output, StoreTarget store)
    {
        PrintHardware(output);
        output.WriteLine($"Runtime: {RuntimeInformation.FrameworkDescription}; store: {store.Name}; started {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC; load average {Load()}");
        output.WriteLine("The load generator runs on the same cores as the server: every rate is also given as a ratio to a baseline measured in the same run.");
    }

    /// <summary>For a scenario that runs Callscope's code in its own process, without a server or a store.</summary>
    public static void PrintInProcess(TextWriter output)
    {
        PrintHardware(output);
        output.WriteLine($"Runtime: {RuntimeInformation.FrameworkDescription}; in process, no server or store; started {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC; load average {Load()}");
        output.WriteLine("Other work on the machine shares its cores: every time is also given as a ratio to a baseline measured in the same run.");
    }

    private static void PrintHardware(TextWriter output)
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = File.Exists("/proc/meminfo") ? File.ReadLines("/proc/meminfo").First().Split(':', 2)[1].Trim() : null;
        output.WriteLine($"Machine: {Environment.ProcessorCount} cores ({cpu ?? "unknown CPU"}), {memory ?? "unknown"} RAM, {RuntimeInformation.OSDescription}");
    }

    private static string Load() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
