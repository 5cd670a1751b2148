using System.Text.Json;
using Callscope.Core;
using Callscope.Core.Events;
using Callscope.Core.Ingest;
using Callscope.Data.Writing;
using Callscope.Data.Rooms;
using Callscope.Data.Sessions;
using Callscope.Data.Teams;

namespace Callscope.Server.Demo;

/// <summary>
/// <c>--demo</c>: fills the first team with rooms, a fortnight of ended sessions (reconnects, media, leave reasons,
/// quality samples; yesterday's <see cref="ProblemCalls"/> with a problem each) and a few live sessions that keep
/// changing, one of them with a caller on a lossy network, so a newcomer sees a working dashboard and its
/// troubleshooting at once.
/// A restart on the same data first closes the calls the previous run left open (that run's people leave at their
/// last event), so nobody stays in a call for ever.
/// </summary>
public sealed partial class DemoData(
    IngestPipeline pipeline, TeamStore teams, RoomStore rooms, SessionQueries sessions, TimeProvider clock, ILogger<DemoData> logger)
    : BackgroundService
{
    /// <summary>Every live connection id the demo makes starts with this; a restart closes the ones still open.</summary>
    public const string LiveConnectionPrefix = "live-";

    /// <summary>The seed of the demo's noise: the same seed plays the same history.</summary>
    public const int Seed = 20261125;

    private readonly DemoEvents demo = new(new Random(Seed), clock);
    private readonly TaskCompletionSource firstStep = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the previous run's calls are closed and this run's first live step is stored.</summary>
    public Task FirstStep => firstStep.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var team = teams.All()[0];
        if (rooms.List(team.Id, 1, 0, true, null).TotalCount == 0)
        {
            await SeedHistoryAsync(team.Id, stoppingToken);
            Log.Seeded(logger, DemoHistory.RoomNames.Count);
        }

        var closed = await CloseEarlierCallsAsync(team.Id, stoppingToken);
        if (closed > 0)
        {
            Log.Closed(logger, closed);
        }

        // Connection ids of this run differ from every earlier run's, so a person who comes back after a restart gets a
        // new connection instead of reusing the one the previous run closed.
        var live = new LiveRooms(demo, Guid.NewGuid().ToString("N")[..8]);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(3), clock);
        try
        {
            do
            {
                await SendAsync(team.Id, [.. live.Step(clock.GetUtcNow())], stoppingToken);
                firstStep.TrySetResult();
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        finally
        {
            firstStep.TrySetCanceled(CancellationToken.None);
        }
    }

    /// <summary>
    /// Sends a leave for every demo connection an earlier run left open, timed at that connection's last event (when
    /// the earlier run stopped), through the same ingest path as every event. Returns how many it closed.
    /// </summary>
    private async Task<int> CloseEarlierCallsAsync(TeamId team, CancellationToken cancellationToken)
    {
        var leaves = new List<IncomingEvent>();
        var live = sessions.Participants(team, new ParticipantFilter(Live: true), new Paging(Limit: int.MaxValue, Descending: false)).Data;
        foreach (var participant in live)
        {
            var open = participant.Connections
                .Where(c => c.LeaveTime is null && c.ConnectionId?.StartsWith(LiveConnectionPrefix, StringComparison.Ordinal) == true)
                .ToList();
            if (open.Count == 0)
            {
                continue;
            }

            var last = sessions.Events(team, participant, null, new Paging(Limit: 1, Descending: true)).Data is [var newest]
                ? newest.Timestamp
                : participant.JoinTime;
            foreach (var connection in open)
            {
                var at = last > connection.JoinTime ? last : connection.JoinTime;
                leaves.Add(new IncomingEvent(
                    $"demo-{demo.Next("evt")}", EventTypes.ParticipantLeft, at, clock.GetUtcNow(), null,
                    new RoomRef(participant.RoomId, null), new ParticipantRef(participant.ExternalId, participant.Name, null, connection.ConnectionId),
                    JsonSerializer.Serialize(new { reason = "left" })));
            }
        }

        foreach (var chunk in leaves.Chunk(1000))
        {
            await SendAsync(team, chunk, cancellationToken);
        }

        return leaves.Count;
    }

    private async Task SeedHistoryAsync(TeamId team, CancellationToken cancellationToken)
    {
        foreach (var day in DemoHistory.Build(demo, clock.GetUtcNow()))
        {
            foreach (var chunk in day.Chunk(1000))
            {
                await SendAsync(team, chunk, cancellationToken);
            }
        }
    }

    private async Task SendAsync(TeamId team, IncomingEvent[] events, CancellationToken cancellationToken)
    {
        if (events.Length > 0)
        {
            await pipeline.SendAsync(new IngestCommand(team, events) { Source = Data.Telemetry.IngestSource.Demo }, cancellationToken);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Demo data: created {Rooms} rooms with two weeks of sessions")]
        public static partial void Seeded(ILogger logger, int rooms);

        [LoggerMessage(Level = LogLevel.Information, Message = "Demo data: closed {Connections} connection(s) an earlier run left open")]
        public static partial void Closed(ILogger logger, int connections);
    }
}
