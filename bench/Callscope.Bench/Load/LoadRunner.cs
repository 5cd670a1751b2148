using System.Diagnostics;
using System.Net.Http.Headers;

namespace Callscope.Bench.Load;

/// <summary>
/// How to drive the clients: what to post to, how long to warm up, how long to measure (or, without a duration, until
/// the sources run dry) and, for a paced run, the total event rate to hold.
/// </summary>
public sealed record LoadPlan(string Path, TimeSpan Warmup, TimeSpan? Duration, double? EventsPerSecond = null);

/// <summary>One request: when it completed (stopwatch ticks), how long it took, how many events it carried, its status.</summary>
public readonly record struct Sample(long CompletedAt, double Milliseconds, int Events, int Status);

/// <summary>Several concurrent clients, each with one request in flight at a time, posting batches and timing each answer.</summary>
public static class LoadRunner
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public static async Task<LoadResult> RunAsync(Uri baseAddress, IReadOnlyList<IBatchSource> sources, LoadPlan plan, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + Ticks(plan.Warmup);
        var stopAt = plan.Duration is { } duration ? measureFrom + Ticks(duration) : long.MaxValue;
        var perClientRate = plan.EventsPerSecond / sources.Count;
        var clients = sources.Select(source => ClientAsync(baseAddress, plan.Path, new Prefetched(source, stop.Token), start, stopAt, perClientRate, stop.Token)).ToList();
        try
        {
            var samples = (await Task.WhenAll(clients)).SelectMany(s => s).OrderBy(s => s.CompletedAt).ToList();
            var measureTo = plan.Duration is null ? (samples.Count > 0 ? samples[^1].CompletedAt : measureFrom) : stopAt;
            return new LoadResult(samples, plan.Duration is null ? start : measureFrom, measureTo);
        }
        finally
        {
            await stop.CancelAsync();
        }
    }

    private static async Task<List<Sample>> ClientAsync(
        Uri baseAddress, string path, Prefetched source, long start, long stopAt, double? eventsPerSecond, CancellationToken cancellationToken)
    {
        using var client = BenchHttp.Client(baseAddress);
        var samples = new List<Sample>();
        long sent = 0;
        while (Stopwatch.GetTimestamp() < stopAt && await source.NextAsync(cancellationToken) is { } body)
        {
            if (eventsPerSecond is { } rate)
            {
                var due = start + Ticks(TimeSpan.FromSeconds(sent / rate));
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken);
                }
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body.Json) };
            request.Content.Headers.ContentType = Json;
            if (body.Token is { } token)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            var began = Stopwatch.GetTimestamp();
            int status;
            try
            {
                using var response = await client.SendAsync(request, cancellationToken);
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                status = (int)response.StatusCode;
            }
            catch (HttpRequestException)
            {
                status = 0;
            }

            var ended = Stopwatch.GetTimestamp();
            samples.Add(new Sample(ended, Stopwatch.GetElapsedTime(began, ended).TotalMilliseconds, body.Events, status));
            sent += body.Events;
        }

        return samples;
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}

/// <summary>What a run measured: every request, and the window its rates are counted over.</summary>
public sealed class LoadResult(IReadOnlyList<Sample> samples, long from, long to)
{
    public IReadOnlyList<Sample> All => samples;

    public double Seconds => (to - from) / (double)Stopwatch.Frequency;

    public IReadOnlyList<Sample> Measured { get; } = [.. samples.Where(s => s.CompletedAt > from && s.CompletedAt <= to)];

    public long Events => Measured.Where(s => s.Status is >= 200 and < 300).Sum(s => (long)s.Events);

    public int Requests => Measured.Count;

    public int Failures => samples.Count(s => s.Status is < 200 or >= 300);

    public double EventsPerSecond => Events / Seconds;

    public double RequestsPerSecond => Requests / Seconds;

    public Percentiles Latency => Percentiles.Of(Measured.Select(s => s.Milliseconds));

    public string FailureSummary => string.Join(", ", samples.Where(s => s.Status is < 200 or >= 300).GroupBy(s => s.Status).Select(g => $"{g.Count()}× {g.Key}"));
}
