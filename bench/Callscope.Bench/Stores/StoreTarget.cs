using Callscope.Bench.Workload;

namespace Callscope.Bench;

/// <summary>
/// The database a run measures. Everything that depends on the provider sits behind this class and
/// <see cref="BenchStore"/>: how a fresh store is made and how the server is pointed at it, the raw insert baseline,
/// and the probe that reads the store directly (for what the API cannot show, such as when the sweeper actually wrote
/// a session's end).
/// </summary>
public abstract class StoreTarget
{
    public abstract string Name { get; }

    /// <summary>How the raw insert baseline writes its rows, for the result table.</summary>
    public abstract string RawInsertMethod { get; }

    /// <summary>A store named <paramref name="name"/> with its data folder: created empty, or the existing one when <paramref name="reuse"/>.</summary>
    public abstract Task<BenchStore> OpenAsync(string name, string dataDirectory, bool reuse, bool keep, CancellationToken cancellationToken);

    /// <summary>Inserts the events as rows of the (migrated, empty) store's events table the fastest plain way; returns rows/s.</summary>
    public abstract Task<double> RawInsertRateAsync(BenchStore store, IReadOnlyList<SimEvent> events, CancellationToken cancellationToken);

    /// <summary>
    /// The same rows with the de-duplication the server keeps when it differs from the plain way (SQLite's id index in
    /// two layers): what the table's ratio compares with, like with like. Null where there is no such difference.
    /// </summary>
    public virtual Task<(string Method, double Rate)?> RawServerIndexRateAsync(BenchStore store, IReadOnlyList<SimEvent> events, CancellationToken cancellationToken) =>
        Task.FromResult<(string, double)?>(null);

    public static StoreTarget Create(string provider, string? connectionString) => (provider.ToLowerInvariant(), connectionString) switch
    {
        ("sqlite", null) => new SqliteTarget(),
        ("sqlite", _) => throw new ArgumentException("--connection-string is for --provider postgres; SQLite lives in the run's data folder."),
        ("postgres" or "postgresql", { Length: > 0 } server) => new PostgresTarget(server),
        ("postgres" or "postgresql", _) => throw new ArgumentException("--provider postgres needs --connection-string naming a PostgreSQL server."),
        _ => throw new ArgumentException($"Unknown provider '{provider}': use sqlite or postgres."),
    };
}

/// <summary>One store of a run and the server data folder that goes with it.</summary>
public abstract class BenchStore(string dataDirectory, bool keep) : IDisposable
{
    public string DataDirectory { get; } = dataDirectory;

    protected bool Keep { get; } = keep;

    /// <summary>Environment variables that point a server at this store.</summary>
    public abstract IReadOnlyDictionary<string, string> ServerEnvironment { get; }

    public abstract IStoreProbe OpenProbe();

    /// <summary>Whether a previous run left this store filled with <paramref name="seed"/>.</summary>
    public bool HasSeed(string seed) => File.Exists(SeedMarker) && File.ReadAllText(SeedMarker) == seed;

    public void MarkSeeded(string seed) => File.WriteAllText(SeedMarker, seed);

    public void Dispose()
    {
        if (!Keep)
        {
            Drop();
            if (Directory.Exists(DataDirectory))
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
        }

        GC.SuppressFinalize(this);
    }

    protected abstract void Drop();

    private string SeedMarker => Path.Combine(DataDirectory, "bench-seed.txt");
}

/// <summary>Direct, read-only looks into the store.</summary>
public interface IStoreProbe : IDisposable
{
    long EventCount();

    /// <summary>Rooms whose participants the diagnosis has not caught up with yet.</summary>
    long DiagnosisBacklog();

    /// <summary>
    /// How far the usage roll-ups lag: marked rooms plus teams whose stored hours end before the hour
    /// <paramref name="nowMs"/> falls in.
    /// </summary>
    long UsageBacklog(long nowMs);

    /// <summary>Sessions not yet ended in the store that have a deadline, with that deadline (Unix ms).</summary>
    IReadOnlyList<(string Id, long Deadline)> Waiting();

    /// <summary>Ids of sessions whose deadline is at or before <paramref name="nowMs"/> but whose end is not written yet.</summary>
    HashSet<string> Overdue(long nowMs);

    IReadOnlyList<string> SampleSessions(int count);

    /// <summary>Events, sessions and participants older than <paramref name="ms"/> (by event time, start, join).</summary>
    long RowsBefore(long ms);

    IReadOnlyList<string> SampleParticipants(int count);

    /// <summary>Webhook deliveries in the outbox, in one state or in all.</summary>
    long Deliveries(string? state = null);

    /// <summary>When each webhook delivery was written (Unix ms), by its id.</summary>
    Dictionary<string, long> DeliveryTimes();
}
