using Callscope.Core;
using Callscope.Data;
using Callscope.Data.Writing;

namespace Callscope.Server.Hosting;

/// <summary>
/// On PostgreSQL, several nodes share one database: this listens for the writers' change notifications so that
/// live updates reach dashboards on every node, whichever node ingested the event. Idle on SQLite, where every commit is this node's own.
/// </summary>
public sealed partial class ChangeListener(CallscopeDatabase database, IngestPipeline pipeline, ILogger<ChangeListener> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => database.Dialect.ListenForChangesAsync(
        team => pipeline.AnnounceChanged([team]), error => Log.ListenerLost(logger, error), stoppingToken);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the database change notifications; reconnecting")]
        public static partial void ListenerLost(ILogger logger, Exception error);
    }
}
