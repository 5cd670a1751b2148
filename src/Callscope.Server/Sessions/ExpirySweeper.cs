using Callscope.Data.Writing;
using Callscope.Data.Sessions;
using Callscope.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Callscope.Server.Sessions;

/// <summary>
/// Ends sessions whose grace period or length has run out, by the server clock, with no timer per session: one
/// indexed look at the earliest deadline per tick, and a write only when something is due. It runs at start too,
/// so sessions that fell due while the process was down end (at their deadline) right away.
/// </summary>
public sealed partial class ExpirySweeper(
    IngestPipeline pipeline, SessionQueries queries, TimeProvider clock, IOptions<CallscopeOptions> options, ILogger<ExpirySweeper> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, clock);
        do
        {
            try
            {
                while (queries.AnyDue() && await pipeline.SendAsync(new ExpireCommand(), stoppingToken) > 0)
                {
                    // Keep going while a full page of due rooms was ended.
                }
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
        [LoggerMessage(Level = LogLevel.Error, Message = "Ending expired sessions failed; retrying on the next tick")]
        public static partial void SweepFailed(ILogger logger, Exception error);
    }
}
