using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Callscope.Core.Ingest;

namespace Callscope.Server.Demo;

/// <summary>
/// Makes the demo's events the same way everywhere: ids, rooms named by their friendly URL, people by their first name,
/// and plausible clients and quality samples. All its noise comes from one seeded <see cref="Random"/>, so the same
/// seed gives the same events.
/// </summary>
internal sealed class DemoEvents(Random random, TimeProvider clock)
{
    private static readonly string[] Browsers = ["Chrome", "Firefox", "Safari", "Edge"];

    // Members a situation does not have (no network type known, no video sent) are left out rather than sent as null.
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private int sequence;

    public Random Random => random;

    /// <param name="role">Sent on joins, where the participant's role belongs (<c>participant.role</c>).</param>
    public IncomingEvent Event(string type, DateTimeOffset at, string room, string person, string connection, object? data = null, string? role = null) =>
        new($"demo-{Next("evt")}", type, at, clock.GetUtcNow(), null, new RoomRef(null, room, null, $"Demo room {room}"),
            new ParticipantRef(Identity(person), person, role, connection), data is null ? null : JsonSerializer.Serialize(data, Json));

    /// <summary>A join's <c>data.client</c>.</summary>
    public object Client(string device, string? networkType = null) => new
    {
        client = new
        {
            device,
            os = device == "desktop" ? "macOS" : "Android",
            browser = Browsers[random.Next(Browsers.Length)],
            network_type = networkType,
        },
    };

    /// <summary>
    /// A sample of a good network: the history's samples every 30 s. Loss stays at 3 % or under, so no window of
    /// them averages above the packet-loss threshold; RTT and jitter stay well under theirs.
    /// </summary>
    public object Quality(string device) => new
    {
        rtt_ms = 20 + random.Next(device == "desktop" ? 60 : 180),
        jitter_ms = random.Next(15),
        packet_loss_pct = Math.Round(random.NextDouble() < 0.1 ? 1.5 + random.NextDouble() * 1.5 : random.NextDouble() * 1.5, 2),
        bitrate_down_kbps = 600 + random.Next(1800),
        score = 3 + random.Next(3),
    };

    /// <summary>
    /// A browser's full sample on a network as troubled as <paramref name="trouble"/> says: 0 is a good network, 1 a
    /// bad one (5–9 % loss, jitter 35–60 ms, RTT 260–390 ms: high, yet under the 400 ms threshold, and sent video held
    /// back for bandwidth). Values in between ramp the network up and down.
    /// </summary>
    public object Sample(double trouble, string candidateType, string networkType, bool video = true)
    {
        var videoUp = video ? Math.Max(150, 1400 + Noise(150) - trouble * 1100) : 0;
        var limited = video && trouble > 0.5;
        return new
        {
            rtt_ms = Math.Round(40 + random.NextDouble() * 40 + trouble * (220 + random.NextDouble() * 90)),
            jitter_ms = Math.Round(3 + random.NextDouble() * 8 + trouble * (32 + random.NextDouble() * 20), 1),
            packet_loss_pct = Math.Round(random.NextDouble() * 0.6 + trouble * (4.6 + random.NextDouble() * 3.6), 2),
            audio_bitrate_up_kbps = Math.Round(32 + Noise(4)),
            audio_bitrate_down_kbps = Math.Round(64 + Noise(8)),
            bitrate_up_kbps = Math.Round(32 + videoUp),
            bitrate_down_kbps = Math.Round(1900 + Noise(300) - trouble * 900),
            fps = video ? Math.Round(30 - trouble * 16 - random.NextDouble() * 2) : (double?)null,
            width = video ? limited ? 640 : 1280 : (int?)null,
            height = video ? limited ? 360 : 720 : (int?)null,
            quality_limitation = video ? limited ? "bandwidth" : "none" : null,
            candidate_type = candidateType,
            network_type = networkType,
            connection_state = "connected",
        };
    }

    public string Next(string prefix) => $"{prefix}-{Interlocked.Increment(ref sequence)}-{random.Next():x}";

    /// <summary>The participant's <c>external_id</c>: the first name in lower case.</summary>
    public static string Identity(string person) => person.Split(' ')[0].ToLower(CultureInfo.InvariantCulture);

    private double Noise(double amplitude) => (random.NextDouble() * 2 - 1) * amplitude;
}
