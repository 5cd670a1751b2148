using System.Data.Common;
using System.Diagnostics;
using System.Threading.Channels;
using Callscope.Core;

namespace Callscope.Data.Ingest;

/// <summary>
/// The one writer of the store. Requests queue in a bounded channel (a full channel makes callers wait: nothing
/// is dropped); the writer takes everything pending into one transaction, commits once, and only then answers
/// each request.
/// </summary>
public sealed class IngestPipeline(CallscopeDatabase database, TimeProvider clock, SqliteUpkeep? upkeep = null)
{
    private readonly SqliteUpkeep upkeep = upkeep ?? SqliteUpkeep.Default;

    private const int MaxEventsPerTransaction = 20_000;

    private readonly Channel<WriteCommand> queue = Channel.CreateBounded<WriteCommand>(
        new BoundedChannelOptions(1024) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly RoomStates states = new();

    /// <summary>The PostgreSQL notification channel that tells every node which teams' data changed.</summary>
    public const string ChangesChannel = "callscope_changes";

    /// <summary>Raised after each commit with the teams whose data changed (on PostgreSQL, also for other nodes' commits).</summary>
    public event Action<IReadOnlyCollection<TeamId>>? Committed;

    /// <summary>Tells this node's listeners that another node changed these teams' data.</summary>
    public void AnnounceChanged(IReadOnlyCollection<TeamId> teams) => Committed?.Invoke(teams);

    public int CachedRooms => states.Count;

    public async Task<T> SendAsync<T>(WriteCommand<T> command, CancellationToken cancellationToken = default)
    {
        await queue.Writer.WriteAsync(command, cancellationToken);
        return await command.Completion.WaitAsync(cancellationToken);
    }

    /// <summary>Runs the writer until <paramref name="stoppingToken"/> fires; pending commands are answered first.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var connection = database.OpenWriter();
        var statements = new WriterStatements(connection);
        using var checkpoints = new CancellationTokenSource();
        var checkpointer = database.Provider == DatabaseProvider.Sqlite ? Task.Run(() => CheckpointLoopAsync(checkpoints.Token), CancellationToken.None) : Task.CompletedTask;
        var batch = new List<WriteCommand>();
        try
        {
            while (await WaitForCommandsAsync(connection, statements, stoppingToken))
            {
                var events = 0;
                while (events < MaxEventsPerTransaction && queue.Reader.TryRead(out var command))
                {
                    batch.Add(command);
                    events += command is IngestCommand ingest ? ingest.Events.Count : 1;
                }

                if (connection.State != System.Data.ConnectionState.Open)
                {
                    // The database went away and came back: start over on a fresh connection.
                    statements.Dispose();
                    await connection.DisposeAsync();
                    connection = database.OpenWriter();
                    statements = new WriterStatements(connection);
                }

                WriteBatch(connection, statements, batch);
                batch.Clear();
                roomsBehind = database.Provider == DatabaseProvider.Sqlite;
                if (Stopwatch.GetElapsedTime(roomsIndexedAt) >= upkeep.RoomIndexInterval)
                {
                    IndexRooms(connection, statements);
                }

                RestartLogIfWanted(connection);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            queue.Writer.TryComplete();
            while (queue.Reader.TryRead(out var command))
            {
                command.Fail(new OperationCanceledException("The server is stopping."));
            }
        }
        finally
        {
            statements.Dispose();
            await connection.DisposeAsync();
            await checkpoints.CancelAsync();
            await checkpointer;
        }
    }

    /// <summary>At most one pending "something was committed" for the checkpointer; more are dropped.</summary>
    private readonly Channel<bool> committedSignal = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>
    /// SQLite only: checkpoints the write-ahead log after commits, at most every <see cref="SqliteUpkeep.CheckpointInterval"/>, on
    /// a connection of its own, so the copy back into the database file runs beside the writer instead of inside
    /// its commits. A longer interval copies a page that many commits rewrite (the tail of a room's index) once
    /// instead of once per commit. Once the log is long, it asks the writer to let the log start over and waits
    /// until it has: the writer then copies only what was committed since this pass, without waiting for it.
    /// </summary>
    private async Task CheckpointLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await committedSignal.Reader.ReadAsync(cancellationToken);
                long frames = 0;
                try
                {
                    await using var connection = database.Open();
                    frames = CallscopeDatabase.Checkpoint(connection, restart: false);
                }
                catch (DbException)
                {
                    // Busy or interrupted: the next commit tries again, and nothing committed depends on it.
                }

                if (frames >= upkeep.RestartAfterFrames)
                {
                    var restarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    Volatile.Write(ref restartWanted, restarted);
                    // The writer answers after its current transaction; an idle writer has nothing more to copy.
                    await Task.WhenAny(restarted.Task, Task.Delay(RestartWait, cancellationToken));
                    Interlocked.CompareExchange(ref restartWanted, null, restarted);
                }

                await Task.Delay(upkeep.CheckpointInterval, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>How long the checkpointer waits for the writer to restart the log before it checkpoints again.</summary>
    private static readonly TimeSpan RestartWait = TimeSpan.FromSeconds(5);

    /// <summary>Set by the checkpointer, between its passes, when it wants the writer to restart the log.</summary>
    private TaskCompletionSource? restartWanted;

    /// <summary>
    /// Between two transactions, when the checkpointer has asked for it: copies what was committed since its last
    /// pass and lets the next transaction write the log from its start again, so the log stays bounded. The
    /// checkpointer is idle meanwhile, so this never waits for it.
    /// </summary>
    private void RestartLogIfWanted(DbConnection connection)
    {
        if (Volatile.Read(ref restartWanted) is not { } wanted)
        {
            return;
        }

        try
        {
            CallscopeDatabase.Checkpoint(connection, restart: true);
        }
        catch (DbException)
        {
            // Busy with a reader: the checkpointer asks again after its next pass.
        }

        wanted.TrySetResult();
    }

    /// <summary>When the writer last copied new events into the room index.</summary>
    private long roomsIndexedAt;

    /// <summary>Whether events may have been stored since the last copy into the room index (SQLite only).</summary>
    private bool roomsBehind;

    /// <summary>Events may wait for the room index, and the writer copies them by itself.</summary>
    private bool RoomsWaiting => roomsBehind && upkeep.RoomIndexInterval != Timeout.InfiniteTimeSpan;

    /// <summary>
    /// Waits for commands. A SQLite writer that falls idle with events not yet in the room index copies them once
    /// <see cref="SqliteUpkeep.RoomIndexInterval"/> has passed, so that a quiet store's logs are read from the index alone.
    /// </summary>
    private async Task<bool> WaitForCommandsAsync(DbConnection connection, WriterStatements statements, CancellationToken stoppingToken)
    {
        var waiting = queue.Reader.WaitToReadAsync(stoppingToken);
        if (waiting.IsCompleted || !RoomsWaiting)
        {
            return await waiting;
        }

        var pending = waiting.AsTask();
        var idle = Task.Delay(upkeep.RoomIndexInterval, stoppingToken);
        if (await Task.WhenAny(pending, idle) == idle && !stoppingToken.IsCancellationRequested && connection.State == System.Data.ConnectionState.Open)
        {
            IndexRooms(connection, statements);
        }

        return await pending;
    }

    /// <summary>
    /// SQLite only, between two transactions: copies the new events into the room index in a transaction of its own
    /// (<see cref="IndexRoomsCommand"/>), at most every <see cref="SqliteUpkeep.RoomIndexInterval"/> under load.
    /// </summary>
    private void IndexRooms(DbConnection connection, WriterStatements statements)
    {
        if (!RoomsWaiting)
        {
            return;
        }

        roomsIndexedAt = Stopwatch.GetTimestamp();
        var copy = new IndexRoomsCommand();
        WriteBatch(connection, statements, [copy]);
        // A failed copy leaves the rows after the mark, where readers find them; the next one takes them.
        roomsBehind = copy.Completion.IsFaulted;
    }

    private void SignalCommitted() => committedSignal.Writer.TryWrite(true);

    private const int Attempts = 3;

    /// <summary>Runs the batch in one transaction; a deadlock with another node runs it again from the start.</summary>
    private void WriteBatch(DbConnection connection, WriterStatements statements, List<WriteCommand> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                WriteOnce(connection, statements, batch);
                return;
            }
            catch (DbException error) when (attempt < Attempts && CallscopeDatabase.IsTransient(error))
            {
                states.Clear();
            }
            catch (DbException error)
            {
                states.Clear();
                foreach (var command in batch)
                {
                    command.Fail(error);
                }

                return;
            }
        }
    }

    private void WriteOnce(DbConnection connection, WriterStatements statements, List<WriteCommand> batch)
    {
        using var tx = database.BeginWrite(connection);
        var unit = new WriteUnit(database, connection, statements, tx, states, clock.GetUtcNow());
        var done = new List<WriteCommand>(batch.Count);
        var failed = new List<(WriteCommand Command, Exception Error)>();
        foreach (var command in batch)
        {
            tx.Save("command");
            try
            {
                command.Execute(unit);
                unit.Finish();
                tx.Release("command");
                done.Add(command);
            }
            catch (DbException error) when (CallscopeDatabase.IsTransient(error))
            {
                // The whole transaction is lost; WriteBatch runs it again.
                unit.Discard();
                ForgetTouched(unit);
                throw;
            }
            catch (Exception error) when (error is DbException or InvalidOperationException or FormatException or System.Text.Json.JsonException)
            {
                tx.Rollback("command");
                unit.Discard();
                ForgetTouched(unit);
                failed.Add((command, error));
            }
        }

        if (database.Provider == DatabaseProvider.Postgres)
        {
            // Delivered to every node's listener when the transaction commits, for live updates across nodes.
            foreach (var team in unit.ChangedTeams)
            {
                Dapper.SqlMapper.Execute(connection, "SELECT pg_notify(@channel, @team)", new { channel = ChangesChannel, team = team.ToString() }, tx);
            }
        }

        try
        {
            tx.Commit();
        }
        catch (DbException)
        {
            ForgetTouched(unit);
            throw;
        }

        foreach (var (command, error) in failed)
        {
            command.Fail(error);
        }

        SignalCommitted();
        foreach (var command in done)
        {
            command.Commit();
        }

        if (unit.ChangedTeams.Count > 0)
        {
            Committed?.Invoke(unit.ChangedTeams);
        }
    }

    /// <summary>The cache may be ahead of the store after a rollback: forget what the unit touched.</summary>
    private void ForgetTouched(WriteUnit unit)
    {
        foreach (var room in unit.TouchedRooms)
        {
            states.Forget(room);
        }

        unit.TouchedRooms.Clear();
    }
}

/// <summary>
/// The writer's upkeep of a SQLite store: how often the checkpointer copies the write-ahead log back, the length
/// (in pages) past which it has the log start over, and how often new events are copied into the room index.
/// </summary>
public sealed record SqliteUpkeep(TimeSpan CheckpointInterval, long RestartAfterFrames, TimeSpan RoomIndexInterval)
{
    /// <summary>
    /// A pass every second; the log starts over past about 256 MiB of 4 KiB pages; new events are copied into the room
    /// index every second (<see cref="Timeout.InfiniteTimeSpan"/>: only when an <see cref="IndexRoomsCommand"/> asks).
    /// </summary>
    public static SqliteUpkeep Default { get; } = new(TimeSpan.FromSeconds(1), 65_536, TimeSpan.FromSeconds(1));
}
