using Callscope.Core.Events;
using Callscope.Core.Ingest;

namespace Callscope.Server.Demo;

/// <summary>
/// Yesterday's three calls with one problem each, so a newcomer finds the troubleshooting at once: a customer on a
/// lossy network, a colleague on a train who keeps reconnecting, and a new hire whose browser refuses the camera.
/// Everyone else in those calls is on a good network. Each participant sends a sample every 5 s, as a browser SDK does.
/// </summary>
internal static class ProblemCalls
{
    /// <summary>On hotel Wi-Fi: loss, jitter and RTT climb for about five minutes, then recover.</summary>
    public const string LossyNetwork = "Marco Rossi";

    /// <summary>On a train: four reconnects in seven minutes, one of them 28 s long after the media connection failed.</summary>
    public const string Reconnecting = "Noah Fischer";

    /// <summary>Her browser denies the camera when she joins; she allows it nine minutes later.</summary>
    public const string CameraDenied = "Priya Nair";

    public const string LossyNetworkRoom = "support-desk";
    public const string ReconnectingRoom = "design-review";
    public const string CameraDeniedRoom = "onboarding";

    /// <summary>The rooms the calls take: the history leaves them free that day, so each call is a session of its own.</summary>
    public static readonly IReadOnlyList<string> Rooms = [LossyNetworkRoom, ReconnectingRoom, CameraDeniedRoom];

    private const string QualitySampleType = "quality_sample";

    private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);

    /// <summary>The three calls on <paramref name="day"/> (midnight UTC), in the morning and the afternoon.</summary>
    public static IEnumerable<IncomingEvent> On(DemoEvents demo, DateTimeOffset day) =>
    [
        .. LossyNetworkCall(demo, day.AddHours(10).AddMinutes(5)),
        .. CameraDeniedCall(demo, day.AddHours(11).AddMinutes(30)),
        .. ReconnectingCall(demo, day.AddHours(15).AddMinutes(10)),
    ];

    /// <summary>
    /// A support call: the customer's network degrades from minute 9, is at its worst for about four minutes, and is
    /// good again by minute 15.
    /// </summary>
    private static IEnumerable<IncomingEvent> LossyNetworkCall(DemoEvents demo, DateTimeOffset start)
    {
        const string room = LossyNetworkRoom;
        var end = start.AddMinutes(32);
        var customerJoin = start.AddSeconds(40);
        return
        [
            .. Stay(demo, room, "Isla Murphy", "moderator", start, end.AddSeconds(20), "desktop", "ethernet", "host"),
            .. Stay(demo, room, LossyNetwork, "attendee", customerJoin, end, "desktop", "wifi", "srflx",
                at => Spell(at - customerJoin, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(6), TimeSpan.FromSeconds(50))),
            .. Stay(demo, room, "Ben Okafor", "attendee", start.AddMinutes(11), start.AddMinutes(26), "desktop", "wifi", "srflx"),
        ];
    }

    /// <summary>
    /// An onboarding call: the new hire's camera permission is denied as she joins, so she is heard but not seen until
    /// she allows the camera in her browser's settings and turns video on.
    /// </summary>
    private static IEnumerable<IncomingEvent> CameraDeniedCall(DemoEvents demo, DateTimeOffset start)
    {
        const string room = CameraDeniedRoom;
        var end = start.AddMinutes(30);
        var join = start.AddMinutes(1);
        var allowed = join.AddMinutes(9);
        var connection = demo.Next("conn");
        var events = new List<IncomingEvent>
        {
            demo.Event(EventTypes.ParticipantJoined, join, room, CameraDenied, connection, demo.Client("desktop", "wifi"), "attendee"),
            demo.Event("audio_enabled", join.AddSeconds(2), room, CameraDenied, connection),
            demo.Event("media_permissions_failed", join.AddSeconds(3), room, CameraDenied, connection,
                new { device = "camera", code = "NotAllowedError", message = "Permission denied" }),
            demo.Event("video_enabled", allowed, room, CameraDenied, connection),
        };
        for (var at = join.Add(Every); at < end; at = at.Add(Every))
        {
            events.Add(demo.Event(QualitySampleType, at, room, CameraDenied, connection, demo.Sample(0, "srflx", "wifi", video: at >= allowed)));
        }

        events.Add(demo.Event(EventTypes.ParticipantLeft, end, room, CameraDenied, connection, new { reason = "left" }));
        return
        [
            .. Stay(demo, room, "Jonas Berg", "moderator", start, end.AddSeconds(30), "desktop", "ethernet", "host"),
            .. events,
            .. Stay(demo, room, "Elif Demir", "attendee", start.AddSeconds(50), end.AddSeconds(10), "desktop", "wifi", "srflx"),
        ];
    }

    /// <summary>
    /// A design review with a colleague on a train: the connection drops four times within seven minutes. Three times
    /// the SDK reconnects within seconds; once the media connection fails, the connection is given up and he joins
    /// again 28 s after it was lost. After that the network holds.
    /// </summary>
    private static IEnumerable<IncomingEvent> ReconnectingCall(DemoEvents demo, DateTimeOffset start)
    {
        const string room = ReconnectingRoom;
        var end = start.AddMinutes(35);
        var join = start.AddSeconds(30);
        (TimeSpan Lost, TimeSpan Back)[] quickDrops =
        [
            (TimeSpan.FromSeconds(310), TimeSpan.FromSeconds(314)),
            (TimeSpan.FromSeconds(460), TimeSpan.FromSeconds(466)),
            (TimeSpan.FromSeconds(725), TimeSpan.FromSeconds(729)),
        ];
        var longDrop = join.AddSeconds(570);
        var rejoin = longDrop.AddSeconds(28);

        var first = demo.Next("conn");
        var events = new List<IncomingEvent>
        {
            demo.Event(EventTypes.ParticipantJoined, join, room, Reconnecting, first, demo.Client("mobile", "cellular"), "attendee"),
            demo.Event("audio_enabled", join.AddSeconds(2), room, Reconnecting, first),
            demo.Event("video_enabled", join.AddSeconds(4), room, Reconnecting, first),
        };
        foreach (var (lost, back) in quickDrops.Where(d => join + d.Lost < longDrop))
        {
            events.Add(demo.Event("participant_reconnecting", join + lost, room, Reconnecting, first));
            events.Add(demo.Event("participant_reconnected", join + back, room, Reconnecting, first));
        }

        events.Add(demo.Event("participant_reconnecting", longDrop, room, Reconnecting, first));
        events.Add(demo.Event("media_connection_failed", longDrop.AddSeconds(11), room, Reconnecting, first,
            new { code = "ICE_FAILED", message = "ICE connection failed" }));
        events.Add(demo.Event(EventTypes.ParticipantLeft, longDrop.AddSeconds(15), room, Reconnecting, first, new { reason = "network" }));

        var second = demo.Next("conn");
        events.Add(demo.Event(EventTypes.ParticipantJoined, rejoin, room, Reconnecting, second, demo.Client("mobile", "cellular"), "attendee"));
        events.Add(demo.Event("audio_enabled", rejoin.AddSeconds(2), room, Reconnecting, second));
        events.Add(demo.Event("video_enabled", rejoin.AddSeconds(3), room, Reconnecting, second));
        foreach (var (lost, back) in quickDrops.Where(d => join + d.Lost > rejoin))
        {
            events.Add(demo.Event("participant_reconnecting", join + lost, room, Reconnecting, second));
            events.Add(demo.Event("participant_reconnected", join + back, room, Reconnecting, second));
        }

        events.Add(demo.Event(EventTypes.ParticipantLeft, end, room, Reconnecting, second, new { reason = "left" }));

        // Samples every 5 s on the connection in use, none while it is down.
        var downs = quickDrops.Select(d => (From: join + d.Lost, To: join + d.Back)).Append((From: longDrop, To: rejoin)).ToList();
        for (var at = join.Add(Every); at < end; at = at.Add(Every))
        {
            if (!downs.Any(d => at >= d.From && at <= d.To))
            {
                events.Add(demo.Event(QualitySampleType, at, room, Reconnecting, at < longDrop ? first : second,
                    demo.Sample(0.15, "srflx", "cellular")));
            }
        }

        return
        [
            .. Stay(demo, room, "Greta Lind", "moderator", start, end.AddSeconds(40), "desktop", "ethernet", "host"),
            .. events,
            .. Stay(demo, room, "Hiro Tanaka", "attendee", start.AddSeconds(20), end.AddSeconds(15), "desktop", "wifi", "srflx"),
            .. Stay(demo, room, "Dana Levi", "attendee", start.AddMinutes(2), end.AddSeconds(30), "tablet", "wifi", "srflx"),
        ];
    }

    /// <summary>
    /// One person's whole call on one connection: join, microphone and camera on, a sample every 5 s on a network as
    /// troubled as <paramref name="trouble"/> says at each moment (a good one when null), and a plain leave.
    /// </summary>
    private static IEnumerable<IncomingEvent> Stay(DemoEvents demo, string room, string person, string role,
        DateTimeOffset join, DateTimeOffset leave, string device, string network, string candidate, Func<DateTimeOffset, double>? trouble = null)
    {
        var connection = demo.Next("conn");
        yield return demo.Event(EventTypes.ParticipantJoined, join, room, person, connection, demo.Client(device, network), role);
        yield return demo.Event("audio_enabled", join.AddSeconds(2), room, person, connection);
        yield return demo.Event("video_enabled", join.AddSeconds(3), room, person, connection);
        for (var at = join.Add(Every); at < leave; at = at.Add(Every))
        {
            yield return demo.Event(QualitySampleType, at, room, person, connection, demo.Sample(trouble?.Invoke(at) ?? 0, candidate, network));
        }

        yield return demo.Event(EventTypes.ParticipantLeft, leave, room, person, connection, new { reason = "left" });
    }

    /// <summary>
    /// How troubled a network is <paramref name="since"/> a moment: 0 before <paramref name="from"/>, rising to 1 over
    /// <paramref name="ramp"/>, 1 until it falls back over the last <paramref name="ramp"/> of <paramref name="length"/>.
    /// </summary>
    public static double Spell(TimeSpan since, TimeSpan from, TimeSpan length, TimeSpan ramp)
    {
        var into = since - from;
        var left = from + length - since;
        return into <= TimeSpan.Zero || left <= TimeSpan.Zero ? 0 : Math.Min(1, Math.Min(into / ramp, left / ramp));
    }
}
