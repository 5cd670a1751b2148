using Callscope.Data.Usage;

namespace Callscope.Server.Hosting;

/// <summary>Runs the usage worker for the life of the process: it stores the roll-ups the statistics read (docs/statistics.md).</summary>
public sealed class UsageService(UsageWorker worker) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => worker.RunAsync(stoppingToken);
}
