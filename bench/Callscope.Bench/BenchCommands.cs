using System.CommandLine;
using Callscope.Bench.Hosting;
using Callscope.Bench.Scenarios;

namespace Callscope.Bench;

/// <summary>
/// One command per scenario; each starts what it needs (the real server as a child process, the baselines), prints
/// its tables and exits non-zero if anything failed. See docs/benchmarks.md.
/// </summary>
public static class BenchCommands
{
    private static readonly Option<string> Provider = new("--provider")
    {
        Description = "The store under test: sqlite or postgres.",
        DefaultValueFactory = _ => "sqlite",
        Recursive = true,
    };

    private static readonly Option<string?> ConnectionString = new("--connection-string")
    {
        Description = "With --provider postgres: the PostgreSQL server; each run creates (and drops) databases of its own on it.",
        Recursive = true,
    };

    private static readonly Option<string> WorkRoot = new("--work")
    {
        Description = "Where the servers' data folders go (one subfolder per run).",
        DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "callscope-bench"),
        Recursive = true,
    };

    private static readonly Option<bool> KeepData = new("--keep-data") { Description = "Keep the run's data folders (and databases) instead of deleting them.", Recursive = true };

    public static RootCommand Build()
    {
        var root = new RootCommand("Callscope benchmarks: ingest, queries, grace expiry, memory, soak and late events, each against the real server; the diagnosis in process.")
        {
            Provider, ConnectionString, WorkRoot, KeepData,
        };
        root.Subcommands.Add(Ingest());
        root.Subcommands.Add(Queries());
        root.Subcommands.Add(Expiry());
        root.Subcommands.Add(Memory());
        root.Subcommands.Add(Soak());
        root.Subcommands.Add(LateEvents());
        root.Subcommands.Add(Diagnosis());
        root.Subcommands.Add(Browser());
        root.Subcommands.Add(Webhooks());
        root.Subcommands.Add(Retention());
        root.Subcommands.Add(BareServerCommand());
        return root;
    }

    private static Command Ingest()
    {
        var clients = Int("--clients", 8, "Concurrent clients, one request in flight each.");
        var rooms = Int("--rooms", 4000, "Rooms simulated (split between the clients).");
        var batchMin = Int("--batch-min", 100, "Smallest batch.");
        var batchMax = Int("--batch-max", 1000, "Largest batch.");
        var warmup = Int("--warmup", 5, "Seconds of load before measuring.");
        var duration = Int("--duration", 60, "Seconds measured (at least 30).");
        var baseline = Int("--baseline-duration", 15, "Seconds measured for each bare Kestrel baseline.");
        var rawRows = Int("--raw-rows", 500_000, "Rows for the raw insert baseline.");
        var randomIds = new Option<bool>("--random-ids") { Description = "Random event ids, as LiveKit sends, instead of each client's own sequence." };
        var command = new Command("ingest", "Sustained ingest over HTTP: events/s and acknowledgement latency, with raw baselines.")
        {
            clients, rooms, batchMin, batchMax, warmup, duration, baseline, rawRows, randomIds,
        };
        command.SetAction((result, cancellationToken) => WithContext(result, bench => IngestScenario.RunAsync(bench, new IngestOptions(
            result.GetValue(clients), result.GetValue(rooms), result.GetValue(batchMin), Math.Min(result.GetValue(batchMax), 1000),
            Seconds(result.GetValue(warmup)), Seconds(Math.Max(30, result.GetValue(duration))), Seconds(result.GetValue(baseline)), result.GetValue(rawRows), result.GetValue(randomIds)),
            cancellationToken)));
        return command;
    }

    private static Command Webhooks()
    {
        var clients = Int("--clients", 8, "Concurrent ingest clients, one request in flight each.");
        var rooms = Int("--rooms", 4000, "Rooms simulated (split between the clients).");
        var warmup = Int("--warmup", 5, "Seconds of load before measuring each ingest run.");
        var duration = Int("--duration", 60, "Seconds measured for each ingest run (0, 1 and 10 webhooks; at least 30).");
        var rawRows = Int("--raw-rows", 500_000, "Rows for the raw insert baseline.");
        var rate = Int("--paced-rate", 200, "Events per second of the paced run whose delivery latency is measured.");
        var paced = Int("--paced-duration", 30, "Seconds of the paced run.");
        var fill = Int("--backlog-fill", 10, "Seconds of ingest with dispatch off that fill the backlog drained.");
        var command = new Command("webhooks", "Outbound webhooks: ingest with 0, 1 and 10 webhooks, write-to-arrival latency, and the rate one node drains a backlog.")
        {
            clients, rooms, warmup, duration, rawRows, rate, paced, fill,
        };
        command.SetAction((result, cancellationToken) => WithContext(result, bench => WebhookScenario.RunAsync(bench, new WebhookBenchOptions(
            new IngestOptions(result.GetValue(clients), result.GetValue(rooms), 100, 1000, Seconds(result.GetValue(warmup)),
                Seconds(Math.Max(30, result.GetValue(duration))), TimeSpan.Zero, result.GetValue(rawRows), RandomIds: false),
            result.GetValue(rate), Seconds(result.GetValue(paced)), Seconds(result.GetValue(fill))), cancellationToken)));
        return command;
    }

    private static Command Retention()
    {
        var clients = Int("--clients", 8, "Concurrent ingest clients, one request in flight each.");
        var rooms = Int("--rooms", 4000, "Rooms simulated by the ingest load (split between the clients).");
        var warmup = Int("--warmup", 5, "Seconds of load before measuring each ingest run.");
        var duration = Int("--duration", 30, "Seconds measured for each ingest run (at least 10).");
        var backlogRooms = Int("--backlog-rooms", 500, "Rooms with old history to delete.");
        var perRoom = Int("--sessions-per-room", 20, "Old ended sessions in each of them.");
        var command = new Command("retention", "Retention: ingest with retention off and while it deletes a backlog of old history, and the deletion rate.")
        {
            clients, rooms, warmup, duration, backlogRooms, perRoom,
        };
        command.SetAction((result, cancellationToken) => WithContext(result, bench => RetentionScenario.RunAsync(bench, new RetentionBenchOptions(
            new IngestOptions(result.GetValue(clients), result.GetValue(rooms), 100, 1000, Seconds(result.GetValue(warmup)),
                Seconds(Math.Max(10, result.GetValue(duration))), TimeSpan.Zero, 0, RandomIds: false),
            result.GetValue(backlogRooms), result.GetValue(perRoom)), cancellationToken)));
        return command;
    }

    private static Command Queries()
    {
        var sessions = Int("--sessions", 1_000_000, "Ended sessions stored before measuring.");
        var perRoom = Int("--sessions-per-room", 50, "Sessions in each room's history.");
        var live = Int("--live", 2000, "Live sessions added after the history (and half as many ending soon).");
        var samples = Int("--samples", 200, "Requests timed per query.");
        var warmup = Int("--warmup", QueryOptions.DefaultWarmup, "Untimed requests sent before each query's timed ones (at least 3).");
        var budget = Int("--budget", 30, "Seconds a query may take in all before it stops early (after at least 10 requests).");
        var clients = Int("--clients", 4, "Clients filling the store.");
        var reuse = new Option<bool>("--reuse") { Description = "Keep the filled store in the work folder and reuse it on the next run with the same sizes." };
        var only = new Option<string?>("--only")
        {
            Description = "Time only the queries whose name contains this text (for example \"sessions\"); skips the CSV export.",
        };
        var command = new Command("queries", "List, search, detail and events-log latency with a million sessions stored.")
        {
            sessions, perRoom, live, samples, warmup, budget, clients, reuse, only,
        };
        command.SetAction((result, cancellationToken) => WithContext(result, bench => QueryScenario.RunAsync(bench, new QueryOptions(
            result.GetValue(sessions), result.GetValue(perRoom), result.GetValue(live), result.GetValue(samples), Seconds(result.GetValue(budget)),
            result.GetValue(clients), result.GetValue(reuse), result.GetValue(only), result.GetValue(warmup)), cancellationToken)));
        return command;
    }

    private static Command Expiry()
    {
        var sessions = Int("--sessions", 100_000, "Empty sessions waiting for their grace period to run out.");
        var clients = Int("--clients", 8, "Clients filling the store.");
        var lead = Int("--lead", 150, "Seconds from the start of the fill to the first deadline (the fill and the idle measurement fit in it).");
        var spread = Int("--spread", 60, "Seconds over which the deadlines are spread.");
        var poll = Int("--poll-ms", 20, "Milliseconds between looks into the store.");
        var grace = Int("--grace", 0, "The team's grace period in seconds, set before the fill (0: leave the default). Keep it above --lead, so that every leave the fill sends lies in the past.");
        var command = new Command("expiry", "How late grace expiry ends sessions with 100,000 waiting, and the CPU used while none is due.")
        {
            sessions, clients, lead, spread, poll, grace,
        };
        command.SetAction((result, cancellationToken) => WithContext(result, bench => ExpiryScenario.RunAsync(bench, new ExpiryOptions(
            result.GetValue(sessions), result.GetValue(clients), Seconds(result.GetValue(lead)), Seconds(result.GetValue(spread)),
            TimeSpan.FromMilliseconds(result.GetValue(poll)), result.GetValue(grace)), cancellationToken)));
        return command;
    }

    private static Command Memory()
    {
        var sessions = Int("--sessions", 100_000, "Live sessions held.");
        var clients = Int("--clients", 8, "Clients filling the store.");
        var hold = Int("--hold", 0, "Seconds to keep the server up after measuring, to attach a profiler.");
        var settle = Int("--settle", 60, "Seconds after the fill at which the resident memory is read a second time, once the server has settled (0: not read).");
        var command = new Command("memory", "Peak resident memory with 100,000 live sessions.") { sessions, clients, hold, settle };
        command.SetAction((result, cancellationToken) => WithContext(result, bench => MemoryScenario.RunAsync(bench,
            new MemoryOptions(result.GetValue(sessions), result.GetValue(clients), Seconds(result.GetValue(hold)), Seconds(result.GetValue(settle))), cancellationToken)));
        return command;
    }

    private static Command Soak()
    {
        var minutes = Int("--minutes", 10, "Minutes of ingest.");
        var rate = Int("--rate", 10_000, "Events per second offered (paced).");
        var clients = Int("--clients", 8, "Concurrent clients.");
        var rooms = Int("--rooms", 4000, "Rooms simulated.");
        var subscribers = Int("--dashboards", 4, "Open dashboards following the live-update stream.");
        var command = new Command("soak", "Paced ingest for ten minutes with open dashboards: memory and latency should stay flat.")
        {
            minutes, rate, clients, rooms, subscribers,
        };
        command.SetAction((result, cancellationToken) => WithContext(result, bench => SoakScenario.RunAsync(bench, new SoakOptions(
            TimeSpan.FromMinutes(result.GetValue(minutes)), result.GetValue(rate), result.GetValue(clients), result.GetValue(rooms),
            result.GetValue(subscribers)), cancellationToken)));
        return command;
    }

    private static Command LateEvents()
    {
        var small = Int("--small", 200, "Events in the small room's history.");
        var large = Int("--large", 100_000, "Events in the large room's history.");
        var perSession = Int("--events-per-session", 50, "Events in each past session (two joins, two leaves, the rest quality samples; at least 4).");
        var pairs = Int("--pairs", 20, "Late pairs timed per room, and as many in-order pairs (at least 6).");
        var warmup = Int("--warmup", 2, "Pairs sent first per room and not timed.");
        var command = new Command("late-events", "Ack time of a late join and leave inside the oldest session of a small and a large room history.")
        {
            small, large, perSession, pairs, warmup,
        };
        command.SetAction((result, cancellationToken) => WithContext(result, bench => LateEventScenario.RunAsync(bench, new LateEventOptions(
            result.GetValue(small), result.GetValue(large), Math.Max(4, result.GetValue(perSession)), Math.Max(6, result.GetValue(pairs)),
            Math.Max(0, result.GetValue(warmup))), cancellationToken)));
        return command;
    }

    private static Command Diagnosis()
    {
        var samples = Int("--samples", DiagnosisScenario.TargetSamples, "Quality samples of the participant (one every 5 s).");
        var iterations = Int("--iterations", 200, "Rounds timed.");
        var warmup = Int("--warmup", 30, "Rounds run first and not timed.");
        var command = new Command("diagnosis", "The diagnosis of one participant with 10,000 quality samples, from the stored rows, in process.")
        {
            samples, iterations, warmup,
        };
        command.SetAction(result => DiagnosisScenario.Run(Console.Out, new DiagnosisOptions(
            Math.Max(1, result.GetValue(samples)), Math.Max(1, result.GetValue(iterations)), Math.Max(0, result.GetValue(warmup)))));
        return command;
    }

    private static Command Browser()
    {
        var clients = Int("--clients", 8, "Concurrent clients, one request in flight each.");
        var participants = Int("--participants", 2000, "Participants, each with its own client token (five to a room).");
        var warmup = Int("--warmup", 5, "Seconds of load before measuring.");
        var duration = Int("--duration", 30, "Seconds measured for each endpoint.");
        var command = new Command("browser", "Browser ingest with client tokens, against native ingest of the same events and a bare Kestrel baseline.")
        {
            clients, participants, warmup, duration,
        };
        command.SetAction((result, cancellationToken) => WithContext(result, bench => BrowserScenario.RunAsync(bench, new BrowserOptions(
            Math.Max(1, result.GetValue(clients)), Math.Max(result.GetValue(clients), result.GetValue(participants)),
            Seconds(result.GetValue(warmup)), Seconds(Math.Max(10, result.GetValue(duration)))), cancellationToken)));
        return command;
    }

    private static Command BareServerCommand()
    {
        var urls = new Option<string>("--urls") { Required = true };
        var command = new Command(BareServer.CommandName, "The bare Kestrel baseline server (started by the bench itself).") { urls };
        command.Hidden = true;
        command.SetAction((result, _) => BareServer.RunAsync([result.GetValue(urls)!]));
        return command;
    }

    private static async Task<int> WithContext(ParseResult result, Func<BenchContext, Task<int>> scenario)
    {
        var bench = new BenchContext(
            StoreTarget.Create(result.GetValue(Provider)!, result.GetValue(ConnectionString)), result.GetValue(WorkRoot)!, result.GetValue(KeepData), Console.Out);
        return await scenario(bench);
    }

    private static Option<int> Int(string name, int fallback, string description) =>
        new(name) { Description = $"{description} Default {fallback}.", DefaultValueFactory = _ => fallback };

    private static TimeSpan Seconds(int seconds) => TimeSpan.FromSeconds(seconds);
}
