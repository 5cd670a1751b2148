using System.Globalization;

namespace Callscope.Bench.Workload;

/// <summary>
/// Live traffic of a set of rooms, as a media server would send it: people join (with their device), switch audio and
/// video on, send a quality sample every five seconds, toggle media, raise hands, share screens, lose the network
/// (a reconnect on the same connection, or a drop and a rejoin on a new one) and leave; an empty room opens again a
/// few minutes later, inside or after the grace period. Each simulator owns its rooms, and it emits their events in
/// time order on a simulated clock that runs as fast as the server takes the events.
/// </summary>
public sealed class CallSimulator
{
    private const long Second = 1000;
    private const long Minute = 60 * Second;
    private static readonly int[] SessionSizes = [2, 2, 2, 3, 3, 4, 5, 6, 8];
    private static readonly string[] Devices = ["desktop", "desktop", "desktop", "mobile", "mobile", "tablet", "smarttv"];
    private static readonly string[] Systems = ["Windows", "macOS", "Linux", "iOS", "Android"];
    private static readonly string[] Browsers = ["Chrome", "Firefox", "Safari", "Edge"];
    private static readonly string[] Networks = ["wifi", "ethernet", "cellular"];

    private readonly Random random;
    private readonly PriorityQueue<Step, long> agenda = new();
    private readonly string idPrefix;
    private readonly bool randomIds;
    private long sequence;

    /// <param name="randomIds">Event ids drawn at random (as LiveKit's are) instead of the client's own sequence.</param>
    public CallSimulator(int seed, string idPrefix, string roomPrefix, int firstRoom, int roomCount, long startMs, bool randomIds = false)
    {
        random = new Random(seed);
        this.idPrefix = idPrefix;
        this.randomIds = randomIds;
        for (var i = 0; i < roomCount; i++)
        {
            var room = new RoomState(string.Create(CultureInfo.InvariantCulture, $"{roomPrefix}-{firstRoom + i:D6}"));
            for (var p = 0; p < 12; p++)
            {
                room.Regulars.Add(string.Create(CultureInfo.InvariantCulture, $"{room.Name}-user-{p}"));
            }

            Schedule(startMs + Between(0, 5 * Minute), new Step(StepKind.Open, room, null, 0));
        }
    }

    /// <summary>The simulated time of the last event emitted.</summary>
    public long Now { get; private set; }

    /// <summary>Appends the next <paramref name="count"/> events in time order.</summary>
    public void Fill(List<SimEvent> into, int count)
    {
        var target = into.Count + count;
        while (into.Count < target)
        {
            agenda.TryDequeue(out var step, out var at);
            Now = at;
            if (step.Person is { } p && (step.Generation != p.Generation || !p.Present) && step.Kind is not (StepKind.Rejoin or StepKind.Join))
            {
                continue;
            }

            Run(step, into);
        }
    }

    private void Run(Step step, List<SimEvent> into)
    {
        var room = step.Room;
        var p = step.Person;
        switch (step.Kind)
        {
            case StepKind.Open:
                Open(room);
                break;
            case StepKind.Join:
                Join(p!, into);
                break;
            case StepKind.AudioOn:
                into.Add(Event(p!, "audio_enabled"));
                break;
            case StepKind.VideoOn:
                into.Add(Event(p!, "video_enabled"));
                break;
            case StepKind.Quality:
                into.Add(Event(p!, "quality_sample", Quality()));
                Schedule(Now + (5 * Second) + Between(-300, 300), step);
                break;
            case StepKind.Toggle:
                into.Add(Toggle(p!));
                Schedule(Now + Exponential(90 * Second), step);
                break;
            case StepKind.Trouble:
                Trouble(p!, step, into);
                break;
            case StepKind.Reconnected:
                into.Add(Event(p!, "participant_reconnected"));
                break;
            case StepKind.Rejoin:
                if (Now < p!.LeaveAt)
                {
                    Join(p, into);
                }
                else
                {
                    Gone(p);
                }

                break;
            case StepKind.Leave:
                into.Add(Event(p!, "participant_left", random.NextDouble() < 0.05 ? """{"reason":"timeout"}""" : """{"reason":"left"}"""));
                p!.Present = false;
                p.Generation++;
                Gone(p);
                break;
            default:
                throw new InvalidOperationException($"Unknown step {step.Kind}.");
        }
    }

    private void Open(RoomState room)
    {
        var size = SessionSizes[random.Next(SessionSizes.Length)];
        var people = room.Regulars.OrderBy(_ => random.Next()).Take(size).ToList();
        room.InCall = size;
        for (var i = 0; i < size; i++)
        {
            var device = Devices[random.Next(Devices.Length)];
            var person = new Person(room, people[i], i == 0 ? "moderator" : "attendee", device)
            {
                LeaveAt = Now + Between(3 * Minute, 40 * Minute),
            };
            Schedule(Now + Between(0, 90 * Second), new Step(StepKind.Join, room, person, 0));
        }
    }

    private void Join(Person p, List<SimEvent> into)
    {
        p.Present = true;
        p.Generation++;
        p.Connection = string.Create(CultureInfo.InvariantCulture, $"{p.Identity}-c{++sequence}");
        into.Add(Event(p, "participant_joined", p.ClientJson(random)));
        var g = p.Generation;
        if (random.NextDouble() < 0.9)
        {
            Schedule(Now + Between(300, 1500), new Step(StepKind.AudioOn, p.Room, p, g));
        }

        if (random.NextDouble() < 0.7)
        {
            Schedule(Now + Between(500, 3000), new Step(StepKind.VideoOn, p.Room, p, g));
        }

        Schedule(Now + Between(1 * Second, 5 * Second), new Step(StepKind.Quality, p.Room, p, g));
        Schedule(Now + Exponential(90 * Second), new Step(StepKind.Toggle, p.Room, p, g));
        Schedule(Now + Exponential(15 * Minute), new Step(StepKind.Trouble, p.Room, p, g));
        Schedule(Math.Max(p.LeaveAt, Now + Second), new Step(StepKind.Leave, p.Room, p, g));
    }

    private void Trouble(Person p, Step step, List<SimEvent> into)
    {
        if (random.NextDouble() < 0.7)
        {
            into.Add(Event(p, "participant_reconnecting"));
            Schedule(Now + Between(1 * Second, 4 * Second), step with { Kind = StepKind.Reconnected });
            Schedule(Now + Exponential(15 * Minute), step);
            return;
        }

        into.Add(Event(p, "participant_left", """{"reason":"network"}"""));
        p.Present = false;
        p.Generation++;
        Schedule(Now + Between(2 * Second, 6 * Second), new Step(StepKind.Rejoin, p.Room, p, p.Generation));
    }

    /// <summary>A person has left for good; the last one out leaves the room empty until it opens again.</summary>
    private void Gone(Person p)
    {
        if (--p.Room.InCall == 0)
        {
            Schedule(Now + Between(1 * Minute, 20 * Minute), new Step(StepKind.Open, p.Room, null, 0));
        }
    }

    private SimEvent Toggle(Person p)
    {
        var roll = random.NextDouble();
        if (roll < 0.4)
        {
            p.Audio = !p.Audio;
            return Event(p, p.Audio ? "audio_enabled" : "audio_disabled");
        }

        if (roll < 0.7)
        {
            p.Video = !p.Video;
            return Event(p, p.Video ? "video_enabled" : "video_disabled");
        }

        if (roll < 0.8)
        {
            p.Sharing = !p.Sharing;
            return Event(p, p.Sharing ? "screenshare_started" : "screenshare_stopped");
        }

        if (roll < 0.9)
        {
            p.Hand = !p.Hand;
            return Event(p, p.Hand ? "hand_raised" : "hand_lowered");
        }

        return Event(p, "media_device_changed", """{"device":"microphone"}""");
    }

    private string Quality() => string.Create(CultureInfo.InvariantCulture,
        $$"""{"rtt_ms":{{random.Next(15, 320)}},"jitter_ms":{{random.Next(0, 40)}},"packet_loss_pct":{{Math.Round(random.NextDouble() * 4, 2)}},"bitrate_up_kbps":{{random.Next(200, 2500)}},"bitrate_down_kbps":{{random.Next(300, 4000)}},"fps":{{random.Next(12, 31)}},"score":{{Math.Round(2 + (random.NextDouble() * 3), 1)}}}""");

    private SimEvent Event(Person p, string type, string? data = null) =>
        new(NextId(), type, Now, p.Room.Name, p.Identity, p.Identity, p.Role, p.Connection, data);

    private string NextId() => randomIds
        ? idPrefix + Guid.NewGuid().ToString("N")
        : string.Create(CultureInfo.InvariantCulture, $"{idPrefix}{++sequence}");

    private void Schedule(long at, Step step) => agenda.Enqueue(step, at);

    private long Between(long from, long to) => random.NextInt64(from, to);

    private long Exponential(long mean) => (long)(-Math.Log(1 - random.NextDouble()) * mean) + 1;

    private enum StepKind
    {
        Open,
        Join,
        AudioOn,
        VideoOn,
        Quality,
        Toggle,
        Trouble,
        Reconnected,
        Rejoin,
        Leave,
    }

    private readonly record struct Step(StepKind Kind, RoomState Room, Person? Person, int Generation);

    private sealed class RoomState(string name)
    {
        public string Name { get; } = name;

        public List<string> Regulars { get; } = [];

        public int InCall { get; set; }
    }

    private sealed class Person(RoomState room, string identity, string role, string device)
    {
        public RoomState Room { get; } = room;

        public string Identity { get; } = identity;

        public string Role { get; } = role;

        public string? Connection { get; set; }

        public int Generation { get; set; }

        public bool Present { get; set; }

        public long LeaveAt { get; init; }

        public bool Audio { get; set; }

        public bool Video { get; set; }

        public bool Sharing { get; set; }

        public bool Hand { get; set; }

        public string ClientJson(Random random) =>
            $$$"""{"client":{"device":"{{{device}}}","os":"{{{Systems[random.Next(Systems.Length)]}}}","browser":"{{{Browsers[random.Next(Browsers.Length)]}}}","sdk":"web-2.4","network_type":"{{{Networks[random.Next(Networks.Length)]}}}"}}""";
    }
}
