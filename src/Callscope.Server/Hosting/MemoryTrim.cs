namespace Callscope.Server.Hosting;

/// <summary>
/// When a server should give memory back. It reads the process's allocation and the collector's committed memory once a
/// second. The server is quiet while it allocates less than <see cref="MemoryOptions.QuietMibPerSecond"/>; once it has
/// been quiet for <see cref="MemoryOptions.QuietFor"/> with the committed memory grown by more than
/// <see cref="MemoryOptions.TrimAboveMib"/> over what the last return left, one full compacting collection returns what
/// the heap does not use. A server at rest is compacted once, not on every quiet second, and a server at full speed
/// never pauses for it. Between those, the pauses are kept to <see cref="PauseShare"/> of the time: after a return that
/// paused the server for a time, the next waits at least that time divided by the share.
/// </summary>
public sealed class MemoryTrim(MemoryOptions options)
{
    /// <summary>The share of time that returns may pause the server for, at most.</summary>
    public const double PauseShare = 0.01;

    private const long Mib = 1024 * 1024;

    private (long Allocated, TimeSpan At)? last;
    private TimeSpan? quietSince;
    private TimeSpan notBefore;
    private bool trimmed;

    /// <summary>
    /// The committed memory the last return left (or the lowest seen since), in bytes; none before the first, so the
    /// first quiet spell after start returns what start-up and any burst left above <see cref="MemoryOptions.TrimAboveMib"/>.
    /// </summary>
    public long Baseline { get; private set; }

    /// <summary>The allocation rate between the last two readings, in MiB per second.</summary>
    public double MibPerSecond { get; private set; }

    /// <summary>
    /// Takes one reading: <paramref name="allocated"/> is every byte the process has allocated so far,
    /// <paramref name="committed"/> what the collector holds now, <paramref name="at"/> a monotonic time. Whether to
    /// give memory back now.
    /// </summary>
    public bool Observe(long allocated, long committed, TimeSpan at)
    {
        if (trimmed)
        {
            Baseline = Math.Min(Baseline, committed);
        }

        var previous = last;
        last = (allocated, at);
        if (previous is not { } before || at <= before.At)
        {
            return false;
        }

        var perSecond = (allocated - before.Allocated) / (at - before.At).TotalSeconds;
        MibPerSecond = perSecond / Mib;
        if (perSecond >= options.QuietMibPerSecond * Mib)
        {
            quietSince = null;
            return false;
        }

        quietSince ??= before.At;
        return at - quietSince.Value >= options.QuietFor && at >= notBefore && committed - Baseline > options.TrimAboveMib * Mib;
    }

    /// <summary>
    /// Records what a return left, so that the next one waits for the memory to grow again, and how long it paused the
    /// server, so that the next one waits long enough to keep the pauses to <see cref="PauseShare"/> of the time.
    /// </summary>
    public void Trimmed(long committed, TimeSpan at, TimeSpan pause)
    {
        Baseline = committed;
        trimmed = true;
        quietSince = null;
        notBefore = at + pause / PauseShare;
    }
}
