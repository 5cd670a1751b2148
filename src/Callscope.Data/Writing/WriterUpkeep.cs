using System.Data.Common;

namespace Callscope.Data.Writing;

/// <summary>The writer as its store's upkeep sees it: its connection, and a way to run a command in a transaction of its own.</summary>
internal interface IWriterLoop
{
    /// <summary>The writer's connection; null before its first transaction and after one that lost it.</summary>
    DbConnection? Connection { get; }

    /// <summary>SQLite: how many event ids the writer holds in memory, waiting to be moved into the id index.</summary>
    int RecentIds { get; }

    /// <summary>Runs one command in a transaction of its own; false when it failed (it is answered either way).</summary>
    bool Run(WriteCommand command);
}

/// <summary>
/// A store's own work beside the single writer, at the points the writer's loop offers: a background task, each
/// commit, the gap between two transactions, and idle time. The base does nothing (PostgreSQL needs none of it).
/// </summary>
internal class WriterUpkeep : IAsyncDisposable
{
    public virtual void Start()
    {
    }

    /// <summary>A transaction committed.</summary>
    public virtual void Committed()
    {
    }

    /// <summary>Between two transactions: the writer holds no transaction open.</summary>
    public virtual void BetweenTransactions(IWriterLoop writer)
    {
    }

    /// <summary>Waits for the next commands (<paramref name="waiting"/>), free to use the writer while it is idle.</summary>
    public virtual ValueTask<bool> WaitForCommandsAsync(ValueTask<bool> waiting, IWriterLoop writer, CancellationToken stoppingToken) => waiting;

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
