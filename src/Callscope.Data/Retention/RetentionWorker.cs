using System.Diagnostics;
using Callscope.Core;
using Callscope.Data.Writing;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static Callscope.Data.Usage.UsageState;

namespace Callscope.Data.Retention;

/// <summary>
/// Deletes the history of teams that set <c>retention_days</c> (docs/operations.md, "Retention"). For each such team
/// it picks a horizon: the day boundary at or before the oldest of now less the retention, the point the usage roll-ups
/// are stored up to, and the earliest change they have still to take in, so that the roll-ups before it are complete
/// and become final. It finds the rooms with events before it, reading outside the writer, and deletes through the
/// writer in small steps (<see cref="RetentionCommand"/>), each its own command, so ingest goes on between them.
/// </summary>
public sealed partial class RetentionWorker(CallscopeDatabase database, IngestPipeline pipeline, TimeProvider clock, ILogger<RetentionWorker>? logger = null)
{
    private readonly ILogger log = logger ?? NullLogger<RetentionWorker>.Instance;

    /// <summary>The pause between two passes.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>About how many rows one step deletes (one writer transaction).</summary>
    public int BatchRows { get; init; } = 2_000;

    /// <summary>How many rooms one step looks at, at most.</summary>
    public int RoomsPerStep { get; init; } = 50;

    /// <summary>
    /// How long the worker rests after a step, as a share of the time the step took: at 1 the writer spends at most about
    /// half its time on deletion while a backlog goes, and ingest keeps the rest.
    /// </summary>
    public double RestShare { get; init; } = 1;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, clock, stoppingToken);
                await RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception error)
            {
                Log.PassFailed(log, error);
            }
        }
    }

    /// <summary>Deletes every team's history that its retention has passed; answers the rows deleted.</summary>
    public async Task<long> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        List<(string Id, long Days)> teams;
        using (var connection = database.Open())
        {
            teams = [.. connection.Query<(string, long)>("SELECT id, retention_days FROM teams WHERE retention_days IS NOT NULL ORDER BY id")];
        }

        long total = 0;
        foreach (var (id, days) in teams)
        {
            cancellationToken.ThrowIfCancellationRequested();
            total += await SweepAsync(new TeamId(Guid.Parse(id)), days, cancellationToken);
        }

        return total;
    }

    private async Task<long> SweepAsync(TeamId team, long days, CancellationToken cancellationToken)
    {
        if (Horizon(team, days) is not { } horizon)
        {
            return 0;
        }

        var rooms = RoomsBefore(team, horizon);
        long rows = 0;
        foreach (var chunk in rooms.Chunk(RoomsPerStep))
        {
            RetentionStep step;
            do
            {
                var started = Stopwatch.GetTimestamp();
                step = await pipeline.SendAsync(new RetentionCommand(team, horizon, chunk, BatchRows), cancellationToken);
                rows += step.Rows;
                if (RestShare > 0 && step.Rows > 0)
                {
                    await Task.Delay(Stopwatch.GetElapsedTime(started) * RestShare, cancellationToken);
                }
            }
            while (!step.Finished);
        }

        if (rows > 0)
        {
            Log.Deleted(log, rows, team.ToString(), DbTime.At(horizon));
        }

        return rows;
    }

    /// <summary>
    /// The team's horizon for this pass (Unix milliseconds, a day boundary); null while its roll-ups are not stored yet.
    /// </summary>
    internal long? Horizon(TeamId team, long days)
    {
        using var connection = database.Open();
        var args = new { team = team.ToString() };
        var state = connection.QuerySingleOrDefault<(long HoursUntil, long DaysUntil, long RetainedFrom)?>(
            "SELECT hours_until, days_until, retained_from FROM usage_state WHERE team_id = @team", args);
        if (state is not { } s)
        {
            return null;
        }

        var mark = connection.ExecuteScalar<long?>("SELECT MIN(from_ts) FROM usage_marks WHERE team_id = @team", args);
        var bound = Math.Min(DbTime.Ms(clock.GetUtcNow() - TimeSpan.FromDays(days)), Math.Min(s.HoursUntil, s.DaysUntil));
        if (mark is { } m)
        {
            bound = Math.Min(bound, Math.Max(m, s.RetainedFrom));
        }

        // Not raised to the last pass's: after a team lengthens its retention, nothing younger than the new one goes (its
        // rooms keep the history start they have, and the roll-ups before the old horizon stay final).
        var horizon = Floor(bound, DayMs);
        return horizon > 0 ? horizon : null;
    }

    /// <summary>
    /// The team's rooms that have events before the horizon, or before their own history's start (a step that did not
    /// finish): the rooms a pass has something to do in.
    /// </summary>
    private List<RoomId> RoomsBefore(TeamId team, long horizon)
    {
        using var connection = database.Open();
        return [.. connection.Query<string>(
                $"""
                SELECT r.id FROM rooms r WHERE r.team_id = @team AND EXISTS (
                    SELECT 1 FROM {database.Dialect.EventsOfRoom("r.id", to: "@horizon")} e
                    WHERE e.room_id = r.id AND e.ts < @horizon AND (r.history_from IS NULL OR r.history_from < @horizon OR e.ts < r.history_from))
                ORDER BY r.id
                """,
                new { team = team.ToString(), horizon })
            .Select(id => new RoomId(Guid.Parse(id)))];
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Deleting history past its retention failed; retrying on the next pass")]
        public static partial void PassFailed(ILogger logger, Exception error);

        [LoggerMessage(Level = LogLevel.Information, Message = "Retention deleted {Rows} rows of team {TeamId} from before {Horizon:u}")]
        public static partial void Deleted(ILogger logger, long rows, string teamId, DateTimeOffset horizon);
    }
}
