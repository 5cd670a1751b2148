using System.Diagnostics;
using Callscope.Data;
using Microsoft.Extensions.Options;

namespace Callscope.Server.Hosting;

/// <summary>
/// Gives memory back to the system when the server is quiet (see <see cref="MemoryTrim"/>): one
/// aggressive collection, which compacts the heap and decommits what it freed; then the store's idle connections and the
/// C allocator's free memory (<see cref="CallscopeDatabase.ReleaseMemory"/>). It keeps real time whatever clock the law
/// runs on: it watches the process, not the calls.
/// </summary>
public sealed partial class MemoryTrimService(IOptions<MemoryOptions> options, CallscopeDatabase database, ILogger<MemoryTrimService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.TrimWhenQuiet)
        {
            return;
        }

        var trim = new MemoryTrim(settings);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var before = GC.GetGCMemoryInfo().TotalCommittedBytes;
                if (!trim.Observe(GC.GetTotalAllocatedBytes(), before, Stopwatch.GetElapsedTime(0)))
                {
                    continue;
                }

                var started = Stopwatch.GetTimestamp();
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                var pause = Stopwatch.GetElapsedTime(started);
                // Not part of the pause: requests go on meanwhile. What the collection finalized (statements, closed
                // connections) freed native memory too.
                database.ReleaseMemory();
                var after = GC.GetGCMemoryInfo().TotalCommittedBytes;
                trim.Trimmed(after, Stopwatch.GetElapsedTime(0), pause);
                Log.Trimmed(logger, before / (1024 * 1024), after / (1024 * 1024), pause.TotalMilliseconds, trim.MibPerSecond);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "The server fell quiet: its heap was compacted and memory given back ({Before} MiB committed, {After} MiB after, {Milliseconds:0} ms; allocating {MibPerSecond:0.0} MiB/s)")]
        public static partial void Trimmed(ILogger logger, long before, long after, double milliseconds, double mibPerSecond);
    }
}
