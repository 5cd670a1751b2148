using Callscope.Core.Events;
using Callscope.Core.Ingest;

namespace Callscope.Server.Demo;

/// <summary>
/// The demo's fortnight of ended sessions, a day at a time. Ordinary calls are healthy: people drop and come back
/// within seconds now and then, and their networks stay under every diagnosis threshold, so the problems of
/// yesterday's <see cref="ProblemCalls"/> stand out.
/// </summary>
internal static class DemoHistory
{
    public const int Days = 14;

    public static readonly IReadOnlyList<string> RoomNames = ["daily-standup", "support-desk", "sales-demo", "design-review", "all-hands", "onboarding"];

    public static readonly IReadOnlyList<string> People =
        ["Ana Ruiz", "Ben Okafor", "Chen Wei", "Dana Levi", "Elif Demir", "Femi Adeyemi", "Greta Lind", "Hiro Tanaka", "Isla Murphy", "Jonas Berg"];

    public static readonly IReadOnlyList<string> Devices = ["desktop", "desktop", "desktop", "mobile", "tablet"];

    public static readonly IReadOnlyList<string> Reasons = ["left", "left", "left", "network", "timeout", "kicked"];

    /// <summary>Each day's events, oldest day first, ending yesterday (the day before <paramref name="now"/>).</summary>
    public static IEnumerable<IReadOnlyList<IncomingEvent>> Build(DemoEvents demo, DateTimeOffset now)
    {
        var random = demo.Random;
        for (var day = Days; day >= 1; day--)
        {
            var midnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(-day), TimeSpan.Zero);
            var events = new List<IncomingEvent>();
            var free = day == 1 ? RoomNames.Except(ProblemCalls.Rooms) : RoomNames;
            foreach (var room in free.Where(_ => random.NextDouble() < 0.6))
            {
                var start = midnight.AddHours(8 + random.Next(9)).AddMinutes(random.Next(60));
                events.AddRange(Session(demo, room, start));
            }

            if (day == 1)
            {
                events.AddRange(ProblemCalls.On(demo, midnight));
            }

            yield return events;
        }
    }

    private static IEnumerable<IncomingEvent> Session(DemoEvents demo, string room, DateTimeOffset start)
    {
        var random = demo.Random;
        var people = People.OrderBy(_ => random.Next()).Take(2 + random.Next(5)).ToList();
        var length = TimeSpan.FromMinutes(15 + random.Next(45));
        foreach (var (person, index) in people.Select((p, i) => (p, i)))
        {
            var join = start.AddMinutes(index * random.Next(3));
            var leave = start + length - TimeSpan.FromMinutes(random.Next(5));
            var device = Devices[random.Next(Devices.Count)];
            var connection = demo.Next("conn");
            var role = index == 0 ? "moderator" : "attendee";
            yield return demo.Event(EventTypes.ParticipantJoined, join, room, person, connection, demo.Client(device), role);
            yield return demo.Event("audio_enabled", join.AddSeconds(2), room, person, connection);
            if (random.NextDouble() < 0.7)
            {
                yield return demo.Event("video_enabled", join.AddSeconds(4), room, person, connection);
            }

            DateTimeOffset? drop = random.NextDouble() < 0.3 ? join + (leave - join) / 2 : null;
            for (var t = join.AddSeconds(30); t < leave; t = t.AddSeconds(30))
            {
                if (drop is { } lost && t >= lost)
                {
                    // The connection drops halfway and the person is back within seconds on a new one.
                    yield return demo.Event(EventTypes.ParticipantLeft, lost, room, person, connection, new { reason = "network" });
                    connection = demo.Next("conn");
                    yield return demo.Event(EventTypes.ParticipantJoined, lost.AddSeconds(4 + random.Next(8)), room, person, connection, demo.Client(device), role);
                    drop = null;
                    continue;
                }

                yield return demo.Event("quality_sample", t, room, person, connection, demo.Quality(device));
            }

            yield return demo.Event(EventTypes.ParticipantLeft, leave, room, person, connection, new { reason = Reasons[random.Next(Reasons.Count)] });
        }
    }
}
