using System.Diagnostics;
using Callscope.Data.Sessions;
using Dapper;

namespace Callscope.Data.Telemetry;

/// <summary>
/// The live sessions of every team, for the <c>callscope.sessions.*</c> gauges. On PostgreSQL other nodes write sessions
/// too, so the writer's memory cannot answer: the count is read from the store (the partial index of unended sessions)
/// at most once per <see cref="MaxAge"/>, however often the metrics are scraped.
/// </summary>
public sealed class LiveSessionCounts(CallscopeDatabase database, TimeProvider clock)
{
    /// <summary>How long a count is reused; a scrape every 15 s reads the store about once per scrape.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);

    private readonly Lock gate = new();
    private (long Live, long EndingSoon) last;
    private long readAt;

    public (long Live, long EndingSoon) Read()
    {
        lock (gate)
        {
            if (readAt != 0 && Stopwatch.GetElapsedTime(readAt) < MaxAge)
            {
                return last;
            }

            try
            {
                using var connection = database.Open();
                last = connection.QuerySingle<(long, long)>(
                    $"""
                    SELECT {SessionLiveness.ActiveAndEndingSoon}
                    FROM sessions s WHERE {SessionLiveness.Live}
                    """,
                    new { now = DbTime.Ms(clock.GetUtcNow()) });
            }
            catch (System.Data.Common.DbException)
            {
                // The store is away: the gauges keep their last values (the health check and the logs say why).
            }

            readAt = Stopwatch.GetTimestamp();
            return last;
        }
    }
}
