using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Callscope.Server.Tests.Resilience;

/// <summary>
/// Sustained ingest for the crash test: each client owns a few rooms where people keep joining, sending media and
/// quality events and leaving, one batch after another, and the traffic remembers exactly what was acknowledged.
/// </summary>
internal sealed class CrashTraffic
{
    private readonly Client[] clients;
    private readonly List<JsonObject> acknowledged = [];
    private readonly Dictionary<string, JsonObject> sent = [];
    private readonly Dictionary<string, HashSet<string>> joined = [];
    private readonly Dictionary<string, HashSet<string>> left = [];

    public CrashTraffic(int clients, DateTimeOffset start) =>
        this.clients = [.. Enumerable.Range(0, clients).Select(c => new Client(c, start.ToUnixTimeMilliseconds()))];

    public IReadOnlyList<JsonObject> AcknowledgedEvents => acknowledged;

    public IEnumerable<string> Rooms => joined.Keys.Union(left.Keys);

    /// <summary>The events acknowledged so far, while clients may still be sending.</summary>
    public List<JsonObject> AcknowledgedSoFar()
    {
        lock (acknowledged)
        {
            return [.. acknowledged];
        }
    }

    /// <summary>An event that was posted, acknowledged or not, by its id.</summary>
    public JsonObject? SentEvent(string id)
    {
        lock (acknowledged)
        {
            return sent.GetValueOrDefault(id);
        }
    }

    /// <summary>Every client posts batch after batch until <paramref name="stop"/> is cancelled.</summary>
    public Task SendUntilStoppedAsync(ServerProcess server, CancellationToken stop) =>
        Task.WhenAll(clients.Select(client => SendAsync(server, client, () => { }, stop)));

    public IEnumerable<string> JoinedIn(string room) => joined.GetValueOrDefault(room) ?? [];

    public IEnumerable<string> LeftIn(string room) => left.GetValueOrDefault(room) ?? [];

    /// <summary>
    /// Every client posts batch after batch; right after the given number of acknowledgements the server is killed,
    /// while the other clients' requests are in flight. Each client stops at its first request that fails.
    /// </summary>
    public async Task SendUntilKilledAsync(ServerProcess server, int acknowledgementsBeforeKill, CancellationToken cancellationToken)
    {
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var count = 0;
        void Acknowledged()
        {
            if (Interlocked.Increment(ref count) == acknowledgementsBeforeKill)
            {
                enough.TrySetResult();
            }
        }

        var senders = clients.Select(client => SendAsync(server, client, Acknowledged, cancellationToken)).ToList();
        await Task.WhenAny(enough.Task, Task.WhenAll(senders)).WaitAsync(TimeSpan.FromMinutes(1), cancellationToken);
        await server.KillAsync();
        await Task.WhenAll(senders);
        Assert.True(enough.Task.IsCompleted, $"the clients stopped before {acknowledgementsBeforeKill} acknowledgements:\n{server.RecentOutput()}");
    }

    private async Task SendAsync(ServerProcess server, Client client, Action onAcknowledged, CancellationToken cancellationToken)
    {
        using var api = server.Api();
        while (true)
        {
            var batch = client.NextBatch();
            lock (acknowledged)
            {
                foreach (var sending in batch.Events)
                {
                    sent[sending["id"]!.GetValue<string>()] = sending;
                }
            }

            HttpStatusCode status;
            try
            {
                using var response = await api.PostAsJsonAsync("/api/v1/ingest/events", new { events = batch.Events }, cancellationToken);
                status = response.StatusCode;
            }
            catch (HttpRequestException)
            {
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            Assert.True(status == HttpStatusCode.Accepted, $"a batch was answered {(int)status} before the kill");
            lock (acknowledged)
            {
                acknowledged.AddRange(batch.Events);
                foreach (var (room, who) in batch.Joins)
                {
                    (joined.TryGetValue(room, out var set) ? set : joined[room] = []).Add(who);
                }

                foreach (var (room, who) in batch.Leaves)
                {
                    (left.TryGetValue(room, out var set) ? set : left[room] = []).Add(who);
                }
            }

            onAcknowledged();
        }
    }

    private sealed record Batch(List<JsonObject> Events, List<(string Room, string Who)> Joins, List<(string Room, string Who)> Leaves);

    /// <summary>One client's rooms and the people in them; events are in time order per room.</summary>
    private sealed class Client(int index, long startMs)
    {
        private const int RoomsPerClient = 4;
        private readonly Dictionary<string, Queue<string>> present = Enumerable.Range(0, RoomsPerClient)
            .ToDictionary(r => string.Create(CultureInfo.InvariantCulture, $"crash-{index}-{r}"), _ => new Queue<string>());

        private long clock = startMs;
        private int sequence;

        public Batch NextBatch()
        {
            var batch = new Batch([], [], []);
            foreach (var (room, people) in present)
            {
                for (var j = 0; j < 3; j++)
                {
                    var who = string.Create(CultureInfo.InvariantCulture, $"p-{index}-{++sequence}");
                    batch.Events.Add(Event("participant_joined", room, who));
                    batch.Joins.Add((room, who));
                    people.Enqueue(who);
                }

                foreach (var who in people)
                {
                    batch.Events.Add(Event("quality_sample", room, who, new JsonObject { ["rtt_ms"] = 40, ["score"] = 4.5 }));
                }

                batch.Events.Add(Event("audio_disabled", room, people.Peek()));
                while (people.Count > 8)
                {
                    var who = people.Dequeue();
                    batch.Events.Add(Event("participant_left", room, who, new JsonObject { ["reason"] = "left" }));
                    batch.Leaves.Add((room, who));
                }
            }

            return batch;
        }

        private JsonObject Event(string type, string room, string who, JsonObject? data = null) => new()
        {
            ["id"] = string.Create(CultureInfo.InvariantCulture, $"crash-{index}-{++sequence}"),
            ["type"] = type,
            ["timestamp"] = DateTimeOffset.FromUnixTimeMilliseconds(clock += 10).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["room"] = new JsonObject { ["friendly_url"] = room },
            ["participant"] = new JsonObject { ["external_id"] = who, ["connection_id"] = who + "-conn" },
            ["data"] = data,
        };
    }
}
