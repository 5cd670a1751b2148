using System.Globalization;

namespace Callscope.Bench;

/// <summary>What every scenario shares: the store under test, a scratch folder for this run, and where results go.</summary>
public sealed class BenchContext(StoreTarget target, string workRoot, bool keepData, TextWriter output)
{
    public StoreTarget Target { get; } = target;

    public TextWriter Output { get; } = output;

    /// <summary>Unique per run, so that event ids never collide with an earlier run's on a reused store.</summary>
    public string Tag { get; } = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString("x", CultureInfo.InvariantCulture);

    /// <summary>A fresh, empty store for one part of this run; deleted when disposed unless --keep-data.</summary>
    public Task<BenchStore> NewStoreAsync(string name, CancellationToken cancellationToken) =>
        Target.OpenAsync($"{Tag}_{name}", Path.Combine(workRoot, $"{Tag}-{name}"), reuse: false, keepData, cancellationToken);

    /// <summary>A store kept between runs under a fixed name, so that an expensive fill is done once.</summary>
    public Task<BenchStore> KeptStoreAsync(string name, CancellationToken cancellationToken) =>
        Target.OpenAsync(name, Path.Combine(workRoot, name), reuse: true, keep: true, cancellationToken);
}
