using System.Diagnostics;

namespace Callscope.Bench.Hosting;

/// <summary>Waiting for the server's background work to settle before or after a measured stretch.</summary>
public static class Waiting
{
    /// <summary>Waits until <paramref name="done"/> holds, or the time runs out; answers how long it waited.</summary>
    public static async Task<TimeSpan> UntilAsync(Func<bool> done, TimeSpan limit, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (!done() && waited.Elapsed < limit)
        {
            await Task.Delay(50, cancellationToken);
        }

        return waited.Elapsed;
    }
}
