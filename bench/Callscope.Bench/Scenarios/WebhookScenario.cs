using System.Diagnostics;
using System.Net.Http.Json;
using Callscope.Bench.Hosting;
using Callscope.Bench.Load;
using Callscope.Bench.Reporting;

namespace Callscope.Bench.Scenarios;

/// <param name="Ingest">The ingest workload run with 0, 1 and 10 webhooks.</param>
/// <param name="PacedRate">Events per second of the paced run whose deliveries' latency is measured.</param>
/// <param name="PacedDuration">How long the paced run lasts.</param>
/// <param name="BacklogFill">How long events are ingested, with dispatch off, to fill the backlog whose draining is timed.</param>
public sealed record WebhookBenchOptions(IngestOptions Ingest, double PacedRate, TimeSpan PacedDuration, TimeSpan BacklogFill);

/// <summary>
/// Outbound webhooks (docs/webhooks.md), against a receiver in the bench's process that answers 200 at once: what
/// registering 1 and 10 webhooks costs ingest, against none and the raw insert baseline of the same run; the latency
/// from the write of a change to the arrival of its message, under a paced load; and how fast one node drains a backlog.
/// </summary>
public static class WebhookScenario
{
    private static readonly string[] AllEvents =
        ["participant_joined", "participant_left", "session_started", "session_ended", "session_ending_soon", "participant_issue"];

    public static async Task<int> RunAsync(BenchContext bench, WebhookBenchOptions w, CancellationToken cancellationToken)
    {
        var output = bench.Output;
        var o = w.Ingest;
        Machine.Print(output, bench.Target);
        output.WriteLine($"Workload: {o.Rooms:N0} rooms over {o.Clients} clients, batches of {o.BatchMin}–{o.BatchMax} events; every webhook wants every event.");
        var rawRate = await IngestScenario.RawRateAsync(bench, o, cancellationToken);
        await using var receiver = await WebhookReceiver.StartAsync(cancellationToken);
        var settings = new Dictionary<string, string> { ["Callscope__Outbound__AllowPrivateNetworks"] = "true" };
        var failures = 0;

        var ingest = new Table($"Ingest with webhooks registered — {bench.Target.Name}, {o.Clients} clients, {o.Duration.TotalSeconds:0} s each",
            "webhooks", "events/s", "p50", "p99", "deliveries written", "delivered meanwhile", "÷ none", "÷ raw insert");
        double? none = null;
        foreach (var count in new[] { 0, 1, 10 })
        {
            output.WriteLine($"Ingest with {count} webhooks: {o.Warmup.TotalSeconds:0} s warm-up, then {o.Duration.TotalSeconds:0} s measured...");
            receiver.Received.Clear();
            using var store = await bench.NewStoreAsync($"webhooks{count}", cancellationToken);
            await using var server = await ChildServer.StartCallscopeAsync(store, cancellationToken, settings);
            await CreateWebhooksAsync(server.BaseAddress, receiver.Address, count, cancellationToken);
            var result = await LoadRunner.RunAsync(server.BaseAddress, IngestScenario.Sources($"{bench.Tag}w{count}", o),
                new LoadPlan(IngestScenario.IngestPath, o.Warmup, o.Duration), cancellationToken);
            failures += result.Failures;
            using var probe = store.OpenProbe();
            none ??= result.EventsPerSecond;
            ingest.Add(count, Table.Rate(result.EventsPerSecond), Table.Ms(result.Latency.P50), Table.Ms(result.Latency.P99),
                Table.Rate(probe.Deliveries()), Table.Rate(receiver.Received.Count), Table.Ratio(result.EventsPerSecond / none.Value),
                Table.Ratio(result.EventsPerSecond / rawRate));
        }

        ingest.Print(output);
        output.WriteLine($"Raw {bench.Target.Name} insert baseline of this run: {Table.Rate(rawRate)} rows/s ({bench.Target.RawInsertMethod}).");

        // Latency: a paced load with one webhook, every message timed from its row's write to its arrival.
        output.WriteLine($"Latency: {w.PacedRate:0} events/s for {w.PacedDuration.TotalSeconds:0} s with 1 webhook...");
        receiver.Received.Clear();
        Percentiles latency;
        long paced;
        using (var store = await bench.NewStoreAsync("webhooks-latency", cancellationToken))
        await using (var server = await ChildServer.StartCallscopeAsync(store, cancellationToken, settings))
        {
            await CreateWebhooksAsync(server.BaseAddress, receiver.Address, 1, cancellationToken);
            var pacedLoad = o with { Clients = 2, BatchMin = 5, BatchMax = 40 };
            var result = await LoadRunner.RunAsync(server.BaseAddress, IngestScenario.Sources($"{bench.Tag}lat", pacedLoad),
                new LoadPlan(IngestScenario.IngestPath, TimeSpan.Zero, w.PacedDuration, w.PacedRate), cancellationToken);
            failures += result.Failures;
            using var probe = store.OpenProbe();
            await Waiting.UntilAsync(() => probe.Deliveries("pending") == 0, TimeSpan.FromMinutes(2), cancellationToken);
            paced = probe.Deliveries();
            var written = probe.DeliveryTimes();
            latency = Percentiles.Of(receiver.Received.Where(r => written.ContainsKey(r.Id)).Select(r => (double)(r.ReceivedMs - written[r.Id])));
        }

        // Throughput: a backlog written with dispatch off, then drained by one node.
        output.WriteLine($"Throughput: {w.BacklogFill.TotalSeconds:0} s of ingest with 10 webhooks and dispatch off, then one node drains the backlog...");
        receiver.Received.Clear();
        long backlog;
        TimeSpan drain;
        using (var store = await bench.NewStoreAsync("webhooks-drain", cancellationToken))
        {
            await using (var filling = await ChildServer.StartCallscopeAsync(store, cancellationToken,
                new Dictionary<string, string>(settings) { ["Callscope__Webhooks__Dispatch"] = "false" }))
            {
                await CreateWebhooksAsync(filling.BaseAddress, receiver.Address, 10, cancellationToken);
                var result = await LoadRunner.RunAsync(filling.BaseAddress, IngestScenario.Sources($"{bench.Tag}fill", o),
                    new LoadPlan(IngestScenario.IngestPath, TimeSpan.Zero, w.BacklogFill), cancellationToken);
                failures += result.Failures;
            }

            using (var filled = store.OpenProbe())
            {
                backlog = filled.Deliveries();
            }

            // The sweeper of the new server may end sessions, and so add messages: the drain ends when none is pending.
            var clock = Stopwatch.StartNew();
            await using var draining = await ChildServer.StartCallscopeAsync(store, cancellationToken, settings);
            using var probe = store.OpenProbe();
            await Waiting.UntilAsync(() => receiver.Received.Count >= backlog && probe.Deliveries("pending") == 0, TimeSpan.FromMinutes(15),
                cancellationToken);
            drain = clock.Elapsed;
            backlog = probe.Deliveries();
        }

        var drained = receiver.Distinct();
        new Table($"Delivery — {bench.Target.Name}, one node, receiver on loopback answering 200", "what", "messages", "result")
            .Add($"latency, write to arrival, paced {w.PacedRate:0} events/s", Table.Rate(latency.Count),
                $"p50 {Table.Ms(latency.P50)}, p95 {Table.Ms(latency.P95)}, p99 {Table.Ms(latency.P99)}, max {Table.Ms(latency.Max)}")
            .Add("backlog drained (10 webhooks), server start included", $"{Table.Rate(drained)} of {Table.Rate(backlog)}",
                $"{Table.Rate(drained / drain.TotalSeconds)} deliveries/s over {drain.TotalSeconds:0.0} s ({receiver.Received.Count - drained} received twice)")
            .Print(output);
        if (latency.Count < paced || drained < backlog)
        {
            output.WriteLine($"Missing: {paced - latency.Count} of the paced run's deliveries, {backlog - drained} of the backlog.");
            failures++;
        }

        return failures == 0 ? 0 : 1;
    }

    private static async Task CreateWebhooksAsync(Uri server, Uri receiver, int count, CancellationToken cancellationToken)
    {
        using var client = BenchHttp.Client(server);
        for (var i = 0; i < count; i++)
        {
            using var response = await client.PostAsJsonAsync("/api/v1/webhooks",
                new { endpoint = receiver.ToString(), name = $"bench hook {i}", events = AllEvents }, cancellationToken);
            response.EnsureSuccessStatusCode();
        }
    }
}
