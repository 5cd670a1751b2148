using System.Threading.Channels;
using Callscope.Bench.Workload;

namespace Callscope.Bench.Load;

/// <summary>Where one client takes its next request body from; <c>null</c> when there is nothing more to send.</summary>
public interface IBatchSource
{
    BatchBody? Next();
}

/// <summary>Endless live traffic from a simulator, in batches of a random size between the bounds.</summary>
public sealed class SimulatorSource(CallSimulator simulator, int batchMin, int batchMax, int seed) : IBatchSource
{
    private readonly Random random = new(seed);
    private readonly List<SimEvent> events = [];

    public BatchBody Next()
    {
        events.Clear();
        simulator.Fill(events, random.Next(batchMin, batchMax + 1));
        return BatchBody.From(events);
    }
}

/// <summary>A finite stream of events cut into batches of a fixed size.</summary>
public sealed class StreamSource(IEnumerable<SimEvent> events, int batchSize) : IBatchSource, IDisposable
{
    private readonly IEnumerator<SimEvent> remaining = events.GetEnumerator();

    public BatchBody? Next()
    {
        var batch = new List<SimEvent>(batchSize);
        while (batch.Count < batchSize && remaining.MoveNext())
        {
            batch.Add(remaining.Current);
        }

        return batch.Count == 0 ? null : BatchBody.From(batch);
    }

    public void Dispose() => remaining.Dispose();
}

/// <summary>Builds the next few bodies ahead on another thread, so that a client never waits for the generator.</summary>
public sealed class Prefetched
{
    private readonly Channel<BatchBody> ready = Channel.CreateBounded<BatchBody>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });

    public Prefetched(IBatchSource source, CancellationToken cancellationToken)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                while (source.Next() is { } body)
                {
                    await ready.Writer.WriteAsync(body, cancellationToken);
                }

                ready.Writer.TryComplete();
            }
            catch (Exception error)
            {
                ready.Writer.TryComplete(error is OperationCanceledException ? null : error);
            }
        }, CancellationToken.None);
    }

    public async ValueTask<BatchBody?> NextAsync(CancellationToken cancellationToken) =>
        await ready.Reader.WaitToReadAsync(cancellationToken) && ready.Reader.TryRead(out var body) ? body : null;
}
