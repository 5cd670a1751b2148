using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Callscope.Bench.Hosting;
using Callscope.Bench.Load;
using Callscope.Bench.Reporting;
using Callscope.Bench.Workload;

namespace Callscope.Bench.Scenarios;

public sealed record BrowserOptions(int Clients, int Participants, TimeSpan Warmup, TimeSpan Duration);

/// <summary>
/// Browser ingest as the SDK makes it: many participants, each request a small batch (a quality sample, now and then
/// a state change) with the participant's own client token. The same events go, in the same run, to native ingest
/// with the developer key (room and participant written out), and to a bare Kestrel endpoint that only reads them:
/// what a client token costs is the difference. The per-participant limits are raised for the run, since one bench
/// client sends for many participants far faster than browsers do.
/// </summary>
public static class BrowserScenario
{
    public const string ClientPath = "/api/v1/ingest/client";

    public static async Task<int> RunAsync(BenchContext bench, BrowserOptions o, CancellationToken cancellationToken)
    {
        var output = bench.Output;
        Machine.Print(output, bench.Target);
        output.WriteLine($"Workload: {o.Participants:N0} participants over {o.Clients} clients, one request in flight per client, 1–3 events per request.");

        LoadResult bare;
        await using (var bareServer = await ChildServer.StartBareAsync(cancellationToken))
        {
            output.WriteLine($"Bare Kestrel baseline: {o.Duration.TotalSeconds:0} s reading the browser bodies...");
            bare = await LoadRunner.RunAsync(bareServer.BaseAddress, Sources(bench.Tag + "bare", o, tokens: null, browser: true),
                new LoadPlan(BareServer.ReadPath, o.Warmup, o.Duration), cancellationToken);
        }

        var limits = new Dictionary<string, string>
        {
            ["Callscope__ClientIngest__RequestsPerMinute"] = "100000",
            ["Callscope__ClientIngest__EventsPerMinute"] = "1000000",
        };
        LoadResult browser, native;
        using (var store = await bench.NewStoreAsync("browser", cancellationToken))
        await using (var server = await ChildServer.StartCallscopeAsync(store, cancellationToken, limits))
        {
            output.WriteLine($"Client tokens for {o.Participants:N0} participants...");
            var tokens = await TokensAsync(server.BaseAddress, bench.Tag, o.Participants, cancellationToken);
            output.WriteLine($"Callscope, POST {ClientPath}: {o.Warmup.TotalSeconds:0} s warm-up, then {o.Duration.TotalSeconds:0} s measured...");
            browser = await LoadRunner.RunAsync(server.BaseAddress, Sources(bench.Tag, o, tokens, browser: true),
                new LoadPlan(ClientPath, o.Warmup, o.Duration), cancellationToken);
        }

        using (var store = await bench.NewStoreAsync("browser-native", cancellationToken))
        await using (var server = await ChildServer.StartCallscopeAsync(store, cancellationToken))
        {
            output.WriteLine($"Callscope, POST {IngestScenario.IngestPath} with the same events: {o.Warmup.TotalSeconds:0} s warm-up, then {o.Duration.TotalSeconds:0} s measured...");
            native = await LoadRunner.RunAsync(server.BaseAddress, Sources(bench.Tag, o, tokens: null, browser: false),
                new LoadPlan(IngestScenario.IngestPath, o.Warmup, o.Duration), cancellationToken);
        }

        output.WriteLine($"Check: failures: browser {(browser.Failures == 0 ? "none" : browser.FailureSummary)}; native {(native.Failures == 0 ? "none" : native.FailureSummary)}.");
        new Table($"Browser ingest — {bench.Target.Name}, {o.Clients} clients, {o.Duration.TotalSeconds:0} s",
                "what", "requests/s", "events/s", "p50", "p99", "browser ÷ this")
            .Add($"Callscope: POST {ClientPath}, client token, 202 after commit", Table.Rate(browser.RequestsPerSecond), Table.Rate(browser.EventsPerSecond),
                Table.Ms(browser.Latency.P50), Table.Ms(browser.Latency.P99), "1×")
            .Add($"Callscope: POST {IngestScenario.IngestPath}, developer key, same events", Table.Rate(native.RequestsPerSecond), Table.Rate(native.EventsPerSecond),
                Table.Ms(native.Latency.P50), Table.Ms(native.Latency.P99), Table.Ratio(browser.RequestsPerSecond / native.RequestsPerSecond))
            .Add("bare Kestrel, reads the same browser bodies", Table.Rate(bare.RequestsPerSecond), Table.Rate(bare.EventsPerSecond),
                Table.Ms(bare.Latency.P50), Table.Ms(bare.Latency.P99), Table.Ratio(browser.RequestsPerSecond / bare.RequestsPerSecond))
            .Print(output);
        return browser.Failures == 0 && native.Failures == 0 ? 0 : 1;
    }

    private static async Task<string[]> TokensAsync(Uri baseAddress, string tag, int participants, CancellationToken cancellationToken)
    {
        using var client = BenchHttp.Client(baseAddress);
        var tokens = new string[participants];
        for (var i = 0; i < participants; i++)
        {
            using var response = await client.PostAsJsonAsync("/api/v1/client-tokens",
                new { room = Room(tag, i), participant = new { external_id = $"p{i}", name = $"Participant {i}" }, ttl_seconds = 86_400 }, cancellationToken);
            response.EnsureSuccessStatusCode();
            tokens[i] = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("token").GetString()!;
        }

        return tokens;
    }

    /// <summary>Five participants to a room, as in a small call.</summary>
    private static string Room(string tag, int participant) => $"{tag}-call-{participant / 5}";

    private static List<IBatchSource> Sources(string tag, BrowserOptions o, string[]? tokens, bool browser) =>
        [.. Enumerable.Range(0, o.Clients).Select(c => (IBatchSource)new BrowserSource(tag, c, o.Clients, o.Participants, tokens, browser))];

    /// <summary>
    /// One client's share of the participants, in turn: each participant's first request is its join, every later one
    /// a quality sample, with a connection state change every fourth time and a page event every tenth. The same
    /// seeds give the same events to every run; only the envelope differs (the browser's names no room or identity).
    /// </summary>
    private sealed class BrowserSource(string tag, int client, int clients, int participants, string[]? tokens, bool browser) : IBatchSource
    {
        private readonly Random random = new(4000 + client);
        private readonly Dictionary<int, int> sent = [];
        private readonly long start = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();
        private int turn;

        public BatchBody Next()
        {
            var mine = (participants - client + clients - 1) / clients;
            var participant = client + (clients * (turn++ % Math.Max(1, mine)));
            var n = sent.GetValueOrDefault(participant);
            sent[participant] = n + 1;
            var at = start + (n * 5000L);
            var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
            var events = 0;
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteStartArray("events");
                void Event(string type, Action<Utf8JsonWriter>? data)
                {
                    json.WriteStartObject();
                    json.WriteString("id", $"{tag}-{participant}-{n}-{events++}");
                    json.WriteString("type", type);
                    json.WriteString("timestamp", DateTimeOffset.FromUnixTimeMilliseconds(at).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
                    if (!browser)
                    {
                        json.WriteStartObject("room");
                        json.WriteString("friendly_url", Room(tag, participant));
                        json.WriteEndObject();
                    }

                    json.WriteStartObject("participant");
                    if (!browser)
                    {
                        json.WriteString("external_id", $"p{participant}");
                        json.WriteString("name", $"Participant {participant}");
                    }

                    json.WriteString("connection_id", $"{tag}-c{participant}");
                    json.WriteEndObject();
                    if (data is not null)
                    {
                        json.WriteStartObject("data");
                        data(json);
                        json.WriteEndObject();
                    }

                    json.WriteEndObject();
                }

                if (n == 0)
                {
                    Event("participant_joined", j => j.WriteString("client_sdk", "callscope-web/0.1.0"));
                }
                else
                {
                    Event("quality_sample", j =>
                    {
                        j.WriteNumber("rtt_ms", Math.Round(20 + (random.NextDouble() * 80), 1));
                        j.WriteNumber("jitter_ms", Math.Round(random.NextDouble() * 12, 1));
                        j.WriteNumber("packet_loss_pct", Math.Round(random.NextDouble() * 2, 2));
                        j.WriteNumber("bitrate_up_kbps", random.Next(300, 1500));
                        j.WriteNumber("bitrate_down_kbps", random.Next(300, 2500));
                        j.WriteString("candidate_type", "srflx");
                        j.WriteString("connection_state", "connected");
                    });
                    if (n % 4 == 0)
                    {
                        Event("connection_state_changed", j => j.WriteString("connection_state", "connected"));
                    }

                    if (n % 10 == 0)
                    {
                        Event("page_visible", null);
                    }
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            return new BatchBody(buffer.WrittenSpan.ToArray(), events, tokens?[participant]);
        }
    }
}
