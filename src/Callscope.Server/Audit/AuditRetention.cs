using Callscope.Data.Writing;
using Microsoft.Extensions.Options;

namespace Callscope.Server.Audit;

/// <summary>
/// Deletes audit entries older than <see cref="AuditOptions.RetentionDays"/>, at start and then every
/// <see cref="AuditOptions.SweepInterval"/>, in batches through the writer so that a long backlog never holds it for long.
/// </summary>
public sealed partial class AuditRetention(IngestPipeline pipeline, TimeProvider clock, IOptions<AuditOptions> options, ILogger<AuditRetention> logger)
    : BackgroundService
{
    /// <summary>Deletes every entry past the retention, batch by batch; answers how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var before = clock.GetUtcNow() - TimeSpan.FromDays(settings.RetentionDays);
        var total = 0;
        int deleted;
        do
        {
            deleted = await pipeline.SendAsync(new PurgeAuditCommand(before, settings.BatchSize), cancellationToken);
            total += deleted;
        }
        while (deleted == settings.BatchSize);

        if (total > 0)
        {
            Log.Deleted(logger, total);
        }

        return total;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, clock);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                Log.SweepFailed(logger, error);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} audit entries past their retention")]
        public static partial void Deleted(ILogger logger, int count);

        [LoggerMessage(Level = LogLevel.Error, Message = "Deleting old audit entries failed; retrying at the next sweep")]
        public static partial void SweepFailed(ILogger logger, Exception error);
    }
}
