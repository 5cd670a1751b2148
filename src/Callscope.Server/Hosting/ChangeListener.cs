using Callscope.Core;
using Callscope.Data;
using Callscope.Data.Ingest;
using Npgsql;

namespace Callscope.Server.Hosting;

/// <summary>
/// On PostgreSQL, several nodes share one database: this listens for the writers' change notifications so that
/// live updates reach dashboards on every node, whichever node ingested the event. Idle on SQLite.
/// </summary>
public sealed partial class ChangeListener(CallscopeDatabase database, IngestPipeline pipeline, ILogger<ChangeListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (database.Provider != DatabaseProvider.Postgres)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(database.ConnectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    if (Guid.TryParse(e.Payload, out var team))
                    {
                        pipeline.AnnounceChanged([new TeamId(team)]);
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {IngestPipeline.ChangesChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (NpgsqlException error)
            {
                Log.ListenerLost(logger, error);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the database change notifications; reconnecting")]
        public static partial void ListenerLost(ILogger logger, Exception error);
    }
}
