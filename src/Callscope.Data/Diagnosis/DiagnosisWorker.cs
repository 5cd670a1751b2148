using System.Text.Json;
using Callscope.Core;
using Callscope.Core.Diagnosis;
using Callscope.Data.Sessions;
using Callscope.Data.Writing;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Callscope.Data.Diagnosis;

/// <summary>
/// Keeps every participant's issues up to date. Writes that store events mark their rooms in <c>diagnosis_queue</c>
/// (see <see cref="WriteContext.MarkForDiagnosis"/>); the worker reads the marked rooms, diagnoses the participants
/// whose time in the call overlaps what changed, from their stored events and under their team's thresholds, and
/// hands the issues to the writer (<see cref="StoreIssuesCommand"/>). It wakes when its node commits and otherwise
/// looks every <see cref="PollInterval"/>, so on several nodes each sees the others' events too; two nodes that
/// diagnose the same room store the same answer, and the older one of two answers is dropped.
/// </summary>
public sealed partial class DiagnosisWorker : IDisposable
{
    private readonly CallscopeDatabase database;
    private readonly IngestPipeline pipeline;
    private readonly ILogger logger;
    private readonly SemaphoreSlim wake = new(0, 1);

    public DiagnosisWorker(CallscopeDatabase database, IngestPipeline pipeline, ILogger<DiagnosisWorker>? logger = null)
    {
        this.database = database;
        this.pipeline = pipeline;
        this.logger = logger ?? NullLogger<DiagnosisWorker>.Instance;
        pipeline.Committed += Woken;
    }

    /// <summary>How long the worker waits for a commit of its own node before it looks for other nodes' work.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The least time between two looks, so a busy writer's commits are taken in together and, on a saturated node,
    /// the worker takes at most <see cref="RoomsPerLook"/> rooms per look and pause.
    /// </summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Rooms taken at each look.</summary>
    public int RoomsPerLook { get; init; } = 50;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var full = false;
            try
            {
                full = await RunOnceAsync(stoppingToken) == RoomsPerLook;
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                Log.LookFailed(logger, error);
            }

            try
            {
                // Even with more to do the worker pauses between looks: issues are derived and can wait a moment,
                // the writer's acknowledgements of ingest should not wait for them.
                await Task.Delay(Settle, stoppingToken);
                if (!full)
                {
                    await wake.WaitAsync(PollInterval, stoppingToken);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Diagnoses the rooms marked now and stores what it found; returns how many rooms it looked at.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        List<DueRoom> due;
        using (var connection = database.Open())
        {
            due = [.. connection.Query<DueRoom>(
                $"SELECT room_id AS Room, team_id AS Team, version AS Version, from_ts AS FromTs, to_ts AS ToTs FROM diagnosis_queue WHERE version > done ORDER BY room_id LIMIT {RoomsPerLook}")];
        }

        // Handed to the writer as they are found and awaited together, so the writer stores a look's rooms in one
        // transaction rather than one commit per room.
        var stored = new List<Task<bool>>(due.Count);
        var thresholds = new Dictionary<string, DiagnosisThresholds>(StringComparer.Ordinal);
        foreach (var room in due)
        {
            if (!thresholds.TryGetValue(room.Team, out var teamThresholds))
            {
                using var connection = database.Open();
                thresholds[room.Team] = teamThresholds = IssueQueries.Settings(connection, room.Team).ToThresholds();
            }

            var found = Diagnose(room, teamThresholds);
            stored.Add(pipeline.SendAsync(new StoreIssuesCommand(new TeamId(Guid.Parse(room.Team)), new RoomId(Guid.Parse(room.Room)), room.Version, found),
                cancellationToken));
        }

        await Task.WhenAll(stored);
        return due.Count;
    }

    public void Dispose()
    {
        pipeline.Committed -= Woken;
        wake.Dispose();
    }

    private void Woken(IReadOnlyCollection<TeamId> teams)
    {
        try
        {
            wake.Release();
        }
        catch (Exception error) when (error is SemaphoreFullException or ObjectDisposedException)
        {
            // Already awake, or stopped.
        }
    }

    private List<ParticipantIssues> Diagnose(DueRoom room, DiagnosisThresholds thresholds)
    {
        using var connection = database.Open();
        // The participants and their events are read as of one moment; on SQLite the second read also finds the pages the
        // first brought in, which a read outside the transaction would find dropped after any commit in between.
        using var transaction = database.Dialect.BeginSnapshotRead(connection);
        var participants = connection.Query<ParticipantRow>(
            """
            SELECT id AS Id, session_id AS SessionId, external_id AS ExternalId, join_time AS JoinTime, leave_time AS LeaveTime, connections AS Connections
            FROM participants WHERE room_id = @Room AND team_id = @Team AND join_time <= @to AND (leave_time IS NULL OR leave_time >= @from) AND erased = 0
            """,
            new { room.Room, room.Team, from = room.FromTs ?? 0, to = room.ToTs ?? long.MaxValue }, transaction).ToList();
        if (participants.Count == 0)
        {
            return [];
        }

        var logs = participants.Select(p => new ParticipantLog.Member(p.ExternalId,
            (JsonSerializer.Deserialize<List<StoredConnection>>(p.Connections) ?? []).Select(c => c.ConnectionId), p.JoinTime, p.LeaveTime ?? ParticipantLog.Open)).ToList();
        var events = logs.Select(_ => new List<DiagnosisEvent>()).ToArray();

        // The room's events over all of its participants' times, read once and handed to each log they belong to (the
        // same events the events log shows), in the log's order: each participant's own read of the room would read
        // the events of all the others as well.
        var rows = connection.Query<(string Id, string Type, long Ts, string? ConnectionId, string? ExternalId, string? Data)>(
            $"""
            SELECT e.id, e.type, e.ts, e.connection_id, e.external_id, e.data FROM {database.EventsOfRoom("@room", "@from", "@to")} e
            WHERE e.room_id = @room AND e.team_id = @team AND e.ts >= @from AND e.ts <= @to AND {ParticipantLog.NotErased} ORDER BY e.ts, e.id
            """,
            new { room = room.Room, team = room.Team, from = logs.Min(l => l.From), to = logs.Max(l => l.To) }, transaction, buffered: false);
        foreach (var e in rows)
        {
            DiagnosisEvent? read = null;
            for (var i = 0; i < logs.Count; i++)
            {
                if (logs[i].Holds(e.Ts, e.ExternalId, e.ConnectionId))
                {
                    events[i].Add(read ??= DiagnosisEvent.FromJson(e.Id, e.Type, DbTime.At(e.Ts), e.ConnectionId, e.Data));
                }
            }
        }

        transaction.Commit();
        return [.. participants.Select((p, i) => new ParticipantIssues(new ParticipantId(Guid.Parse(p.Id)), new SessionId(Guid.Parse(p.SessionId)),
            ParticipantDiagnosis.Diagnose(events[i], thresholds)))];
    }

    private sealed record DueRoom(string Room, string Team, long Version, long? FromTs, long? ToTs);

    private sealed record ParticipantRow(string Id, string SessionId, string? ExternalId, long JoinTime, long? LeaveTime, string Connections);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Diagnosing participants failed; retrying on the next look")]
        public static partial void LookFailed(ILogger logger, Exception error);
    }
}
