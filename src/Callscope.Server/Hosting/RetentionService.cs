using Callscope.Data.Retention;

namespace Callscope.Server.Hosting;

/// <summary>Runs the retention worker for the life of the process: it deletes history past each team's retention (docs/operations.md).</summary>
public sealed class RetentionService(RetentionWorker worker) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => worker.RunAsync(stoppingToken);
}
