using Callscope.Bench.Workload;

namespace Callscope.Bench.Load;

/// <summary>
/// Fills a store through the real ingest API and writer: each client posts its own rooms' events, in time order per
/// room, in batches of 1,000 — so the store holds exactly what the server makes of those events.
/// </summary>
public static class Seeder
{
    public static async Task<LoadResult> PostAsync(Uri server, IReadOnlyList<IEnumerable<SimEvent>> perClient, CancellationToken cancellationToken)
    {
        var sources = perClient.Select(events => new StreamSource(events, 1000)).ToList();
        try
        {
            var result = await LoadRunner.RunAsync(server, [.. sources], new LoadPlan(Scenarios.IngestScenario.IngestPath, TimeSpan.Zero, null), cancellationToken);
            if (result.Failures > 0)
            {
                throw new InvalidOperationException($"Seeding failed: {result.FailureSummary} (the server's output is in server.log in its data folder).");
            }

            return result;
        }
        finally
        {
            foreach (var source in sources)
            {
                source.Dispose();
            }
        }
    }

    /// <summary>Splits <paramref name="count"/> items between <paramref name="clients"/>, client by client.</summary>
    public static IEnumerable<int> Share(int client, int clients, int count) =>
        Enumerable.Range(0, count).Where(i => i % clients == client);
}
