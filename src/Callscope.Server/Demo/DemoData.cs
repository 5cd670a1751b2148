using System.Globalization;
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
/// quality samples) and a few live sessions that keep changing, so a newcomer sees a working dashboard at once.
/// A restart on the same data first closes the calls the previous run left open (that run's people leave at their
/// last event), so nobody stays in a call for ever.
/// </summary>
public sealed partial class DemoData(
    IngestPipeline pipeline, TeamStore teams, RoomStore rooms, SessionQueries sessions, TimeProvider clock, ILogger<DemoData> logger)
    : BackgroundService
{
    /// <summary>Every live connection id the demo makes starts with this; a restart closes the ones still open.</summary>
    public const string LiveConnectionPrefix = "live-";

    private static readonly string[] RoomNames = ["daily-standup", "support-desk", "sales-demo", "design-review", "all-hands", "onboarding"];
    private static readonly string[] People =
        ["Ana Ruiz", "Ben Okafor", "Chen Wei", "Dana Levi", "Elif Demir", "Femi Adeyemi", "Greta Lind", "Hiro Tanaka", "Isla Murphy", "Jonas Berg"];
    private static readonly string[] Devices = ["desktop", "desktop", "desktop", "mobile", "tablet"];
    private static readonly string[] Browsers = ["Chrome", "Firefox", "Safari", "Edge"];
    private static readonly string[] Reasons = ["left", "left", "left", "network", "timeout", "kicked"];

    private readonly Random random = new(20261125);
    private readonly Dictionary<string, List<string>> present = [];
    private readonly Dictionary<(string Room, string Person), string> liveConnections = [];
    private readonly TaskCompletionSource firstStep = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Connection ids of this run differ from every earlier run's, so a person who comes back after a restart gets a
    // new connection instead of reusing the one the previous run closed.
    private readonly string run = Guid.NewGuid().ToString("N")[..8];
    private int sequence;

    /// <summary>Completes once the previous run's calls are closed and this run's first live step is stored.</summary>
    public Task FirstStep => firstStep.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var team = teams.All()[0];
        if (rooms.List(team.Id, 1, 0, true, null).TotalCount == 0)
        {
            await SeedHistoryAsync(team.Id, stoppingToken);
            Log.Seeded(logger, RoomNames.Length);
        }

        var closed = await CloseEarlierCallsAsync(team.Id, stoppingToken);
        if (closed > 0)
        {
            Log.Closed(logger, closed);
        }

        foreach (var room in RoomNames.Take(3))
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
                    $"demo-{Next("evt")}", EventTypes.ParticipantLeft, at, clock.GetUtcNow(), null,
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
        var now = clock.GetUtcNow();
        for (var day = 14; day >= 1; day--)
        {
            var events = new List<IncomingEvent>();
            foreach (var room in RoomNames.Where(_ => random.NextDouble() < 0.6))
            {
                var start = now.Date.AddDays(-day).AddHours(8 + random.Next(9)).AddMinutes(random.Next(60));
                events.AddRange(HistoricSession(room, new DateTimeOffset(start, TimeSpan.Zero)));
            }

            foreach (var chunk in events.Chunk(1000))
            {
                await SendAsync(team, chunk, cancellationToken);
            }
        }
    }

    private IEnumerable<IncomingEvent> HistoricSession(string room, DateTimeOffset start)
    {
        var people = People.OrderBy(_ => random.Next()).Take(2 + random.Next(5)).ToList();
        var length = TimeSpan.FromMinutes(15 + random.Next(45));
        foreach (var (person, index) in people.Select((p, i) => (p, i)))
        {
            var join = start.AddMinutes(index * random.Next(3));
            var leave = start + length - TimeSpan.FromMinutes(random.Next(5));
            var device = Devices[random.Next(Devices.Length)];
            var connection = Next("conn");
            var role = index == 0 ? "moderator" : "attendee";
            yield return Event(EventTypes.ParticipantJoined, join, room, person, connection, Client(device), role);
            yield return Event("audio_enabled", join.AddSeconds(2), room, person, connection);
            if (random.NextDouble() < 0.7)
            {
                yield return Event("video_enabled", join.AddSeconds(4), room, person, connection);
            }

            for (var t = join.AddSeconds(30); t < leave; t = t.AddSeconds(30))
            {
                yield return Event("quality_sample", t, room, person, connection, Quality(device));
            }

            if (random.NextDouble() < 0.3)
            {
                var drop = join + (leave - join) / 2;
                yield return Event(EventTypes.ParticipantLeft, drop, room, person, connection, new { reason = "network" });
                connection = Next("conn");
                yield return Event(EventTypes.ParticipantJoined, drop.AddSeconds(20), room, person, connection, Client(device), role);
            }

            if (random.NextDouble() < 0.1)
            {
                yield return Event("media_connection_failed", leave.AddSeconds(-10), room, person, connection, new { code = "ICE_FAILED", message = "ICE connection failed" });
            }

            yield return Event(EventTypes.ParticipantLeft, leave, room, person, connection, new { reason = Reasons[random.Next(Reasons.Length)] });
        }
    }

    /// <summary>One tick of the live rooms: people come and go, toggle media and send quality samples.</summary>
    private IEnumerable<IncomingEvent> LiveStep()
    {
        var now = clock.GetUtcNow();
        foreach (var (room, people) in present)
        {
            var wantsCompany = room != RoomNames[2] || now.Minute % 10 < 7;
            if (wantsCompany && (people.Count < 2 || (people.Count < 6 && random.NextDouble() < 0.1)))
            {
                var person = People.Except(people).OrderBy(_ => random.Next()).First();
                var role = people.Count == 0 ? "moderator" : "attendee";
                people.Add(person);
                liveConnections[(room, person)] = $"{LiveConnectionPrefix}{run}-{Next(room)}";
                yield return Event(EventTypes.ParticipantJoined, now, room, person, ConnectionOf(room, person), Client(Devices[random.Next(Devices.Length)]), role);
                yield return Event("audio_enabled", now, room, person, ConnectionOf(room, person));
            }
            else if (people.Count > 0 && (!wantsCompany || (people.Count > 2 && random.NextDouble() < 0.08)))
            {
                var person = people[random.Next(people.Count)];
                yield return Event(EventTypes.ParticipantLeft, now, room, person, ConnectionOf(room, person), new { reason = Reasons[random.Next(Reasons.Length)] });
                people.Remove(person);
            }

            foreach (var person in people)
            {
                yield return Event("quality_sample", now, room, person, ConnectionOf(room, person), Quality("desktop"));
                if (random.NextDouble() < 0.05)
                {
                    yield return Event(random.NextDouble() < 0.5 ? "video_disabled" : "video_enabled", now, room, person, ConnectionOf(room, person));
                }
            }
        }
    }

    private async Task SendAsync(TeamId team, IncomingEvent[] events, CancellationToken cancellationToken)
    {
        if (events.Length > 0)
        {
            await pipeline.SendAsync(new IngestCommand(team, events), cancellationToken);
        }
    }

    /// <param name="role">Sent on joins, where the participant's role belongs (<c>participant.role</c>).</param>
    private IncomingEvent Event(string type, DateTimeOffset at, string room, string person, string connection, object? data = null, string? role = null) =>
        new($"demo-{Next("evt")}", type, at, clock.GetUtcNow(), null, new RoomRef(null, room, null, $"Demo room {room}"),
            new ParticipantRef(Identity(person), person, role, connection), data is null ? null : JsonSerializer.Serialize(data));

    private object Client(string device) => new
    {
        client = new { device, os = device == "desktop" ? "macOS" : "Android", browser = Browsers[random.Next(Browsers.Length)] },
    };

    private object Quality(string device) => new
    {
        rtt_ms = 20 + random.Next(device == "desktop" ? 60 : 180),
        jitter_ms = random.Next(15),
        packet_loss_pct = Math.Round(random.NextDouble() * (random.NextDouble() < 0.1 ? 12 : 1.5), 2),
        bitrate_down_kbps = 600 + random.Next(1800),
        score = 3 + random.Next(3),
    };

    private string ConnectionOf(string room, string person) => liveConnections[(room, person)];

    private static string Identity(string person) => person.Split(' ')[0].ToLower(CultureInfo.InvariantCulture);

    private string Next(string prefix) => $"{prefix}-{Interlocked.Increment(ref sequence)}-{random.Next():x}";

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Demo data: created {Rooms} rooms with two weeks of sessions")]
        public static partial void Seeded(ILogger logger, int rooms);

        [LoggerMessage(Level = LogLevel.Information, Message = "Demo data: closed {Connections} connection(s) an earlier run left open")]
        public static partial void Closed(ILogger logger, int connections);
    }
}
