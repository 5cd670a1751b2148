using System.Data.Common;
using System.Diagnostics;
using System.Threading.Channels;
using Callscope.Data.Writing;
using Microsoft.Extensions.Logging;

namespace Callscope.Data.Dialects;

/// <summary>
/// The writer's upkeep of a SQLite store: how often the checkpointer copies the write-ahead log back, the length
/// (in pages) past which it has the log start over, how often new events are copied into the room index, and how many
/// new event ids the writer gathers in memory before it moves them into the id index, and how long the writer is idle
/// before it gives its page cache back.
/// </summary>
public sealed record SqliteUpkeep(TimeSpan CheckpointInterval, long RestartAfterFrames, TimeSpan RoomIndexInterval, long IdIndexAfter, TimeSpan CacheIdle)
{
    /// <summary>
    /// A pass every second; the log starts over past about 256 MiB of 4 KiB pages; new events are copied into the room
    /// index every second (<see cref="Timeout.InfiniteTimeSpan"/>: only when an <see cref="IndexRoomsCommand"/> asks);
    /// new ids are moved into the id index once 100,000 have gathered (about 10 MB of the writer's memory), and, like
    /// the room index, when the writer falls idle (<see cref="long.MaxValue"/>: only when an
    /// <see cref="IndexEventIdsCommand"/> asks); the page cache given back after 5 s without a transaction
    /// (<see cref="Timeout.InfiniteTimeSpan"/>: kept).
    /// </summary>
    public static SqliteUpkeep Default { get; } = new(TimeSpan.FromSeconds(1), 65_536, TimeSpan.FromSeconds(1), 100_000, TimeSpan.FromSeconds(5));
}

/// <summary>
/// SQLite's work beside the writer. A checkpointer, on a connection of its own, copies the write-ahead log back into the
/// database file after commits, at most every <see cref="SqliteUpkeep.CheckpointInterval"/>, so the copy runs beside the
/// writer instead of inside its commits; a longer interval copies a page that many commits rewrite (the tail of a room's
/// index) once instead of once per commit. Once the log is long, it asks the writer to let the log start over and waits
/// until it has: the writer then copies only what was committed since this pass, without waiting for it. Between two
/// transactions, and once more when it falls idle, the writer copies new events into the room index; once many new
/// event ids have gathered in its memory, and when it falls idle, it moves them into the id index. A writer that stays
/// idle for <see cref="SqliteUpkeep.CacheIdle"/> gives its page cache back (up to
/// <see cref="WriterMemory.PageCacheMib"/>), and the C allocator returns it to the system: the next transaction reads
/// its pages again from the file, which the system's own cache most likely still holds. A server that fell quiet but
/// still writes now and then (the diagnosis catching up after a burst) asks for the same between two transactions
/// (<see cref="CallscopeDatabase.ReleaseMemory"/>), and the new event ids are moved into the id index before it.
/// </summary>
internal sealed partial class SqliteUpkeepLoop(SqliteDialect dialect, SqliteUpkeep settings, ILogger logger) : WriterUpkeep
{
    private readonly CancellationTokenSource stopping = new();
    private Task checkpointer = Task.CompletedTask;

    /// <summary>At most one pending "something was committed" for the checkpointer; more are dropped.</summary>
    private readonly Channel<bool> committed = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>How long the checkpointer waits for the writer to restart the log before it checkpoints again.</summary>
    private static readonly TimeSpan RestartWait = TimeSpan.FromSeconds(5);

    /// <summary>Set by the checkpointer, between its passes, when it wants the writer to restart the log.</summary>
    private TaskCompletionSource? restartWanted;

    /// <summary>When the writer last copied new events into the room index.</summary>
    private long roomsIndexedAt;

    /// <summary>Whether events may have been stored since the last copy into the room index.</summary>
    private bool roomsBehind;

    /// <summary>Events may wait for the room index, and the writer copies them by itself.</summary>
    private bool RoomsWaiting => roomsBehind && settings.RoomIndexInterval != Timeout.InfiniteTimeSpan;

    /// <summary>Whether new event ids may be in the writer's memory, and the writer moves them by itself.</summary>
    private bool idsBehind;

    private bool IdsWaiting => idsBehind && settings.IdIndexAfter != long.MaxValue;

    /// <summary>Whether the writer's page cache may hold pages read or written since it was last given back.</summary>
    private bool cacheHeld;

    /// <summary>The last of the server's requests to give the cache back (<see cref="SqliteDialect.CacheReleases"/>) answered.</summary>
    private long cacheReleasesAnswered;

    private bool CacheWaiting => cacheHeld && settings.CacheIdle != Timeout.InfiniteTimeSpan;

    public override void Start() => checkpointer = Task.Run(() => CheckpointLoopAsync(stopping.Token), CancellationToken.None);

    public override void Committed() => committed.Writer.TryWrite(true);

    public override void BetweenTransactions(IWriterLoop writer)
    {
        roomsBehind = true;
        idsBehind = true;
        cacheHeld = true;
        if (Stopwatch.GetElapsedTime(roomsIndexedAt) >= settings.RoomIndexInterval)
        {
            IndexRooms(writer);
        }

        if (writer.Connection is { } connection)
        {
            if (IdsWaiting && writer.RecentIds >= settings.IdIndexAfter)
            {
                IndexIds(writer);
            }

            RestartLogIfWanted(connection);
            if (dialect.CacheReleases != cacheReleasesAnswered)
            {
                // The new event ids go to the id index first: up to IdIndexAfter pairs of texts in the writer's memory.
                IndexIds(writer);
                ReleaseCache(connection);
            }
        }
    }

    /// <summary>
    /// A writer that falls idle with events not yet in the room index copies them once
    /// <see cref="SqliteUpkeep.RoomIndexInterval"/> has passed, so that a quiet store's logs are read from the index alone;
    /// it moves the new event ids into the id index at the same moment, which leaves its memory of them empty. Still idle
    /// <see cref="SqliteUpkeep.CacheIdle"/> later, it gives its page cache back.
    /// </summary>
    public override async ValueTask<bool> WaitForCommandsAsync(ValueTask<bool> waiting, IWriterLoop writer, CancellationToken stoppingToken)
    {
        if (waiting.IsCompleted || !(RoomsWaiting || IdsWaiting || CacheWaiting))
        {
            return await waiting;
        }

        var pending = waiting.AsTask();
        if ((RoomsWaiting || IdsWaiting) && await IdleForAsync(pending, settings.RoomIndexInterval, writer, stoppingToken))
        {
            IndexRooms(writer);
            IndexIds(writer);
        }

        if (CacheWaiting && await IdleForAsync(pending, settings.CacheIdle, writer, stoppingToken))
        {
            ReleaseCache(writer.Connection!);
        }

        return await pending;
    }

    /// <summary>Whether no command came for <paramref name="time"/>, with the writer's connection still open.</summary>
    private static async Task<bool> IdleForAsync(Task<bool> pending, TimeSpan time, IWriterLoop writer, CancellationToken stoppingToken)
    {
        if (pending.IsCompleted)
        {
            return false;
        }

        var idle = Task.Delay(time, stoppingToken);
        return await Task.WhenAny(pending, idle) == idle && !stoppingToken.IsCancellationRequested
            && writer.Connection is { State: System.Data.ConnectionState.Open };
    }

    /// <summary>
    /// Frees every page of the writer's cache that no statement holds (<c>PRAGMA shrink_memory</c>), and has the C
    /// allocator return what SQLite freed.
    /// </summary>
    private void ReleaseCache(DbConnection connection)
    {
        cacheReleasesAnswered = dialect.CacheReleases;
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA shrink_memory";
            command.ExecuteNonQuery();
            cacheHeld = false;
        }
        catch (DbException error)
        {
            // The cache stays as it was; the next idle spell tries again.
            Log.ReleaseFailed(logger, error);
            return;
        }

        NativeHeap.Trim();
    }

    /// <summary>Copies the new events into the room index in a transaction of its own (<see cref="IndexRoomsCommand"/>).</summary>
    private void IndexRooms(IWriterLoop writer)
    {
        if (!RoomsWaiting)
        {
            return;
        }

        roomsIndexedAt = Stopwatch.GetTimestamp();
        // A failed copy leaves the rows after the mark, where readers find them; the next one takes them.
        roomsBehind = !writer.Run(new IndexRoomsCommand());
    }

    /// <summary>Moves the new event ids into the id index in a transaction of its own (<see cref="IndexEventIdsCommand"/>).</summary>
    private void IndexIds(IWriterLoop writer)
    {
        if (IdsWaiting)
        {
            // A failed move leaves the ids in memory, where the writer still finds them; the next one takes them.
            idsBehind = !writer.Run(new IndexEventIdsCommand());
        }
    }

    private async Task CheckpointLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await committed.Reader.ReadAsync(cancellationToken);
                long frames = 0;
                try
                {
                    await using var connection = dialect.Open();
                    frames = SqliteDialect.Checkpoint(connection, restart: false);
                }
                catch (DbException error)
                {
                    // The next commit tries again, and nothing committed depends on it.
                    Log.CheckpointFailed(logger, error);
                }

                if (frames >= settings.RestartAfterFrames)
                {
                    var restarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    Volatile.Write(ref restartWanted, restarted);
                    // The writer answers after its current transaction; an idle writer has nothing more to copy.
                    await Task.WhenAny(restarted.Task, Task.Delay(RestartWait, cancellationToken));
                    Interlocked.CompareExchange(ref restartWanted, null, restarted);
                }

                await Task.Delay(settings.CheckpointInterval, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// When the checkpointer has asked for it: copies what was committed since its last pass and lets the next
    /// transaction write the log from its start again, so the log stays bounded. The checkpointer is idle meanwhile,
    /// so this never waits for it.
    /// </summary>
    private void RestartLogIfWanted(DbConnection connection)
    {
        if (Volatile.Read(ref restartWanted) is not { } wanted)
        {
            return;
        }

        try
        {
            SqliteDialect.Checkpoint(connection, restart: true);
        }
        catch (DbException error)
        {
            // The checkpointer asks again after its next pass.
            Log.CheckpointFailed(logger, error);
        }

        wanted.TrySetResult();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Copying SQLite's write-ahead log back into the database failed; the next pass tries again")]
        public static partial void CheckpointFailed(ILogger logger, Exception error);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Giving the SQLite writer's page cache back failed; it is kept until the writer is next idle")]
        public static partial void ReleaseFailed(ILogger logger, Exception error);
    }

    public override async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await checkpointer;
        stopping.Dispose();
        await base.DisposeAsync();
    }
}
