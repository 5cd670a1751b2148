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

    /// <summary>The live room where one caller at a time is on a network that turns lossy every few minutes.</summary>
    private const string LossyRoom = "support-desk";

    private readonly DemoEvents demo = new(new Random(Seed), clock);
    private readonly Dictionary<string, List<string>> present = [];
    private readonly Dictionary<(string Room, string Person), (string Connection, DateTimeOffset Joined)> liveConnections = [];
    private string? lossyCaller;
    private readonly TaskCompletionSource firstStep = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Connection ids of this run differ from every earlier run's, so a person who comes back after a restart gets a
    // new connection instead of reusing the one the previous run closed.
    private readonly string run = Guid.NewGuid().ToString("N")[..8];

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

        foreach (var room in DemoHistory.RoomNames.Take(3))
        {
            present[room] = [];
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(3), clock);
        try
        {
            do
            {
                await SendAsync(team.Id, [.. LiveStep()], stoppingToken);
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

    /// <summary>
    /// One tick of the live rooms: people come and go, toggle media and send quality samples. In the support room one
    /// caller at a time stays on and their network turns lossy for two minutes out of every five.
    /// </summary>
    private IEnumerable<IncomingEvent> LiveStep()
    {
        var now = clock.GetUtcNow();
        foreach (var (room, people) in present)
        {
            var wantsCompany = room != DemoHistory.RoomNames[2] || now.Minute % 10 < 7;
            if (wantsCompany && (people.Count < 2 || (people.Count < 6 && demo.Random.NextDouble() < 0.1)))
            {
                var person = DemoHistory.People.Except(people).OrderBy(_ => demo.Random.Next()).First();
                var role = people.Count == 0 ? "moderator" : "attendee";
                people.Add(person);
                liveConnections[(room, person)] = ($"{LiveConnectionPrefix}{run}-{demo.Next(room)}", now);
                var device = DemoHistory.Devices[demo.Random.Next(DemoHistory.Devices.Count)];
                if (room == LossyRoom && role == "attendee" && lossyCaller is null)
                {
                    lossyCaller = person;
                }

                yield return Event(EventTypes.ParticipantJoined, now, room, person, demo.Client(device), role);
                yield return Event("audio_enabled", now, room, person);
            }
            else if (people.Count > 0 && (!wantsCompany || (people.Count > 2 && demo.Random.NextDouble() < 0.08)))
            {
                var leaving = people.Where(p => room != LossyRoom || p != lossyCaller).ToList();
                var person = leaving[demo.Random.Next(leaving.Count)];
                yield return Event(EventTypes.ParticipantLeft, now, room, person, new { reason = DemoHistory.Reasons[demo.Random.Next(DemoHistory.Reasons.Count)] });
                people.Remove(person);
            }

            foreach (var person in people)
            {
                yield return Event("quality_sample", now, room, person, room == LossyRoom && person == lossyCaller
                    ? demo.Sample(LiveTrouble(now - liveConnections[(room, person)].Joined), "srflx", "wifi")
                    : demo.Quality("desktop"));
                if (demo.Random.NextDouble() < 0.05)
                {
                    yield return Event(demo.Random.NextDouble() < 0.5 ? "video_disabled" : "video_enabled", now, room, person);
                }
            }
        }
    }

    /// <summary>
    /// How troubled the live lossy caller's network is, <paramref name="since"/> they joined: good for the first minute
    /// of every five, then bad for two (ramping over 20 s at each end), then good again.
    /// </summary>
    internal static double LiveTrouble(TimeSpan since) =>
        ProblemCalls.Spell(TimeSpan.FromTicks(since.Ticks % TimeSpan.FromMinutes(5).Ticks), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2),
            TimeSpan.FromSeconds(20));

    private async Task SendAsync(TeamId team, IncomingEvent[] events, CancellationToken cancellationToken)
    {
        if (events.Length > 0)
        {
            await pipeline.SendAsync(new IngestCommand(team, events), cancellationToken);
        }
    }

    private IncomingEvent Event(string type, DateTimeOffset at, string room, string person, object? data = null, string? role = null) =>
        demo.Event(type, at, room, person, liveConnections[(room, person)].Connection, data, role);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Demo data: created {Rooms} rooms with two weeks of sessions")]
        public static partial void Seeded(ILogger logger, int rooms);

        [LoggerMessage(Level = LogLevel.Information, Message = "Demo data: closed {Connections} connection(s) an earlier run left open")]
        public static partial void Closed(ILogger logger, int connections);
    }
}
