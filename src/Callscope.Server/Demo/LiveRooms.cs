using Callscope.Core.Events;
using Callscope.Core.Ingest;

namespace Callscope.Server.Demo;

/// <summary>
/// The demo's three live rooms, a step every few seconds: people come and go, toggle media and send quality samples.
/// In the support room the first attendee stays on for the whole run, on a network that turns lossy for two minutes
/// out of every five, so a live issue is raised and cleared while one watches. Everyone else stays healthy: nobody
/// comes back to a room within five minutes of leaving it (so no three reconnects fall within ten minutes), and live
/// leaves are never for the network (so no return counts as a long reconnect).
/// </summary>
/// <param name="run">A token of this run, in every connection id it makes.</param>
internal sealed class LiveRooms(DemoEvents demo, string run)
{
    /// <summary>The live room where one caller is on a lossy network.</summary>
    public const string LossyRoom = "support-desk";

    private readonly Dictionary<string, List<string>> present = DemoHistory.RoomNames.Take(3).ToDictionary(r => r, _ => new List<string>());
    private static readonly string[] Reasons = ["left", "left", "left", "timeout", "kicked"];
    private static readonly TimeSpan Away = TimeSpan.FromMinutes(5);

    private readonly Dictionary<(string Room, string Person), (string Connection, DateTimeOffset Joined)> connections = [];
    private readonly Dictionary<(string Room, string Person), DateTimeOffset> left = [];

    /// <summary>The person on a lossy network in <see cref="LossyRoom"/>, once someone has joined it as an attendee.</summary>
    public string? LossyCaller { get; private set; }

    /// <summary>The events of the step at <paramref name="now"/>.</summary>
    public IEnumerable<IncomingEvent> Step(DateTimeOffset now)
    {
        var random = demo.Random;
        foreach (var (room, people) in present)
        {
            var wantsCompany = room != DemoHistory.RoomNames[2] || now.Minute % 10 < 7;
            if (wantsCompany && (people.Count < 2 || (people.Count < 6 && random.NextDouble() < 0.1))
                && DemoHistory.People.Except(people).Where(p => !left.TryGetValue((room, p), out var at) || now - at > Away)
                    .OrderBy(_ => random.Next()).FirstOrDefault() is { } newcomer)
            {
                var role = people.Count == 0 ? "moderator" : "attendee";
                people.Add(newcomer);
                connections[(room, newcomer)] = ($"{DemoData.LiveConnectionPrefix}{run}-{demo.Next(room)}", now);
                var device = DemoHistory.Devices[random.Next(DemoHistory.Devices.Count)];
                if (room == LossyRoom && role == "attendee" && LossyCaller is null)
                {
                    LossyCaller = newcomer;
                }

                yield return Event(EventTypes.ParticipantJoined, now, room, newcomer, demo.Client(device), role);
                yield return Event("audio_enabled", now, room, newcomer);
            }
            else if (people.Count > 0 && (!wantsCompany || (people.Count > 2 && random.NextDouble() < 0.08)))
            {
                var leaving = people.Where(p => room != LossyRoom || p != LossyCaller).ToList();
                var person = leaving[random.Next(leaving.Count)];
                yield return Event(EventTypes.ParticipantLeft, now, room, person, new { reason = Reasons[random.Next(Reasons.Length)] });
                people.Remove(person);
                left[(room, person)] = now;
            }

            foreach (var person in people)
            {
                yield return Event("quality_sample", now, room, person, room == LossyRoom && person == LossyCaller
                    ? demo.Sample(Trouble(now - connections[(room, person)].Joined), "srflx", "wifi")
                    : demo.Quality("desktop"));
                if (random.NextDouble() < 0.05)
                {
                    yield return Event(random.NextDouble() < 0.5 ? "video_disabled" : "video_enabled", now, room, person);
                }
            }
        }
    }

    /// <summary>
    /// How troubled the lossy caller's network is, <paramref name="since"/> they joined: good for the first minute of
    /// every five, then bad for two (ramping over 20 s at each end), then good again.
    /// </summary>
    private static double Trouble(TimeSpan since) =>
        ProblemCalls.Spell(TimeSpan.FromTicks(since.Ticks % TimeSpan.FromMinutes(5).Ticks), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2),
            TimeSpan.FromSeconds(20));

    private IncomingEvent Event(string type, DateTimeOffset at, string room, string person, object? data = null, string? role = null) =>
        demo.Event(type, at, room, person, connections[(room, person)].Connection, data, role);
}
