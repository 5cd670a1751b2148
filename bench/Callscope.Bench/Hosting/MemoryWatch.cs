namespace Callscope.Bench.Hosting;

/// <summary>
/// Reads a child process's resident memory once a second in the background and keeps the readings of each phase the
/// caller names: one reading of a memory that a collector's cycles move by a hundred megabytes is a sample of that
/// cycle, and the least and the most of a phase say more than any one reading.
/// </summary>
public sealed class MemoryWatch : IAsyncDisposable
{
    private readonly Func<ProcessStats> read;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private readonly List<(string Phase, List<long> Readings)> phases = [];
    private readonly Lock gate = new();

    public MemoryWatch(Func<ProcessStats> read, string firstPhase)
    {
        this.read = read;
        Enter(firstPhase);
        loop = RunAsync(TimeSpan.FromSeconds(1));
    }

    /// <summary>Starts a new phase: the readings from now on count towards it.</summary>
    public void Enter(string phase)
    {
        lock (gate)
        {
            phases.Add((phase, []));
        }
    }

    /// <summary>Each phase with its number of readings and the least, median and most of them, in the order entered.</summary>
    public IReadOnlyList<(string Phase, int Count, long Least, long Median, long Most)> Summary()
    {
        lock (gate)
        {
            return [.. phases.Where(p => p.Readings.Count > 0).Select(p =>
            {
                var sorted = p.Readings.Order().ToList();
                return (p.Phase, sorted.Count, sorted[0], sorted[sorted.Count / 2], sorted[^1]);
            })];
        }
    }

    private async Task RunAsync(TimeSpan every)
    {
        using var timer = new PeriodicTimer(every);
        try
        {
            do
            {
                long rss;
                try
                {
                    rss = read().RssBytes;
                }
                catch (IOException)
                {
                    // The process has ended.
                    return;
                }

                lock (gate)
                {
                    phases[^1].Readings.Add(rss);
                }
            }
            while (await timer.WaitForNextTickAsync(stop.Token));
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        stop.Dispose();
    }
}
