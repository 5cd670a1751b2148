using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Callscope.Server.Tests.Resilience;

/// <summary>
/// SPEC 7, "nothing acknowledged is lost": the real server, under sustained ingest from several clients, is killed
/// with SIGKILL at a random moment and restarted on the same data — several times. Every event acknowledged with 202
/// must then be stored (a second delivery reports it as a duplicate) and reflected in the sessions (every acknowledged
/// join is a participant of a session of its room, every acknowledged leave closed its participant's connection).
/// </summary>
public sealed class CrashTests
{
    private const int Kills = 4;
    private const int Clients = 4;

    [Fact]
    public async Task Every_acknowledged_event_survives_kill_9_at_a_random_moment()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var seed = Environment.TickCount;
        TestContext.Current.TestOutputHelper?.WriteLine($"Random seed: {seed}");
        var random = new Random(seed);
        using var data = new ServerData();
        var traffic = new CrashTraffic(Clients, DateTimeOffset.UtcNow.AddHours(-2));

        for (var kill = 0; kill < Kills; kill++)
        {
            await using var server = await ServerProcess.StartAsync(data, cancellationToken);
            await AssertAcknowledgedEventsAreStoredAsync(server, traffic, cancellationToken);
            await traffic.SendUntilKilledAsync(server, acknowledgementsBeforeKill: random.Next(5, 40), cancellationToken);
            TestContext.Current.TestOutputHelper?.WriteLine($"Kill {kill + 1}: {traffic.AcknowledgedEvents.Count} events acknowledged so far.");
        }

        await using var restarted = await ServerProcess.StartAsync(data, cancellationToken);
        await AssertAcknowledgedEventsAreStoredAsync(restarted, traffic, cancellationToken);
        Assert.True(traffic.AcknowledgedEvents.Count > 1000, $"only {traffic.AcknowledgedEvents.Count} events were acknowledged");
    }

    private static async Task AssertAcknowledgedEventsAreStoredAsync(ServerProcess server, CrashTraffic traffic, CancellationToken cancellationToken)
    {
        using var api = server.Api();
        foreach (var room in traffic.Rooms)
        {
            var sessions = (await ApiPages.ListAllAsync(api, $"/api/v1/rooms/{room}/sessions", cancellationToken, " after the restart: acknowledged events are missing"))
                .Select(s => s.GetProperty("id").GetString()).ToHashSet();
            var participants = (await ApiPages.ListAllAsync(api, $"/api/v1/rooms/{room}/participants", cancellationToken, " after the restart: acknowledged events are missing"))
                .ToLookup(p => p.GetProperty("external_id").GetString()!);
            foreach (var who in traffic.JoinedIn(room))
            {
                Assert.True(participants.Contains(who), $"the acknowledged join of {who} in {room} is not a participant after the restart");
                Assert.Contains(participants[who].Single().GetProperty("session_id").GetString(), sessions);
            }

            foreach (var who in traffic.LeftIn(room))
            {
                Assert.True(participants.Contains(who), $"the acknowledged leave of {who} in {room} is not a participant after the restart");
                Assert.False(participants[who].Single().GetProperty("live").GetBoolean(), $"{who} left {room} (acknowledged) but is still live");
            }
        }

        foreach (var chunk in traffic.AcknowledgedEvents.Chunk(1000))
        {
            using var response = await api.PostAsJsonAsync("/api/v1/ingest/events", new { events = chunk }, cancellationToken);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"re-delivery answered {(int)response.StatusCode}: {body}");
            Assert.True(body.GetProperty("accepted").GetInt32() == 0, $"{body.GetProperty("accepted").GetInt32()} acknowledged events were missing: {body}");
            Assert.Equal(chunk.Length, body.GetProperty("duplicates").GetInt32());
        }
    }
}
