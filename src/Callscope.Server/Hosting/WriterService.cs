using Callscope.Data.Writing;

namespace Callscope.Server.Hosting;

/// <summary>Runs the store's single writer for the life of the process.</summary>
public sealed class WriterService(IngestPipeline pipeline) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => pipeline.RunAsync(stoppingToken);
}
