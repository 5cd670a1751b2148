using System.Data.Common;
using System.Diagnostics;
using System.Threading.Channels;
using Callscope.Core;
using Callscope.Data.Dialects;
using Callscope.Data.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Callscope.Data.Writing;

/// <summary>
/// The one writer of the store. Commands queue in a bounded channel (a full channel makes callers wait: nothing is
/// dropped); the writer takes everything pending into one transaction, runs the commands one after the other, commits
/// once, and only then answers each command. A command that fails is rolled back alone and answered with its error;
/// the writer itself goes on whatever happens.
/// </summary>
/// <remarks>
/// The commands first run without savepoints (<see cref="WriteBatch"/>): a savepoint copies every page a command changes before changing it
/// (SQLite, to its statement journal) or opens a subtransaction (PostgreSQL), and commands almost never fail, since
/// they answer bad input with an outcome rather than an error. When one does fail, the whole transaction is rolled back
/// and the batch runs again with a savepoint around each command, so that the failing command is rolled back alone.
/// </remarks>
public sealed partial class IngestPipeline : IWriterLoop, IDisposable
{
    private const int MaxEventsPerTransaction = 20_000;

    /// <summary>How often a transaction that lost a deadlock to another node is run again before its commands fail.</summary>
    private const int Attempts = 5;

    private readonly CallscopeDatabase database;
    private readonly TimeProvider clock;
    private readonly SqliteUpkeep upkeepSettings;
    private readonly ILogger logger;
    private readonly CallscopeMetrics metrics;

    private readonly Channel<WriteCommand> queue = Channel.CreateBounded<WriteCommand>(
        new BoundedChannelOptions(1024) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly WriterMemory memory;
    private readonly RoomStates states;

    private DbConnection? connection;
    private WriterStatements? statements;

    public IngestPipeline(
        CallscopeDatabase database, TimeProvider clock, SqliteUpkeep? upkeep = null, ILogger<IngestPipeline>? logger = null, CallscopeMetrics? metrics = null,
        WriterMemory? memory = null)
    {
        this.database = database;
        this.memory = memory ?? WriterMemory.Default;
        states = new RoomStates(this.memory);
        this.clock = clock;
        upkeepSettings = upkeep ?? SqliteUpkeep.Default;
        this.logger = logger ?? NullLogger<IngestPipeline>.Instance;
        this.metrics = metrics ?? new CallscopeMetrics();
        this.metrics.ObserveQueue(() => queue.Reader.Count);
    }

    /// <summary>Raised after each commit with the teams whose data changed (on PostgreSQL, also for other nodes' commits).</summary>
    public event Action<IReadOnlyCollection<TeamId>>? Committed;

    /// <summary>Raised after a commit that queued webhook deliveries, so this node's dispatcher sends them at once.</summary>
    public event Action? DeliveriesQueued;

    /// <summary>Wakes this node's dispatcher for deliveries queued outside the writer (a test message, a replay).</summary>
    public void AnnounceDeliveries() => DeliveriesQueued?.Invoke();

    /// <summary>Tells this node's listeners that another node changed these teams' data.</summary>
    public void AnnounceChanged(IReadOnlyCollection<TeamId> teams) => Committed?.Invoke(teams);

    /// <summary>How many rooms' law state the writer holds; read only between transactions (it is the writer's own).</summary>
    public int CachedRooms => states.Count;

    /// <summary>Whether the writer holds the room's law state; read only between transactions.</summary>
    public bool HoldsRoom(RoomId room) => states.Contains(room);

    /// <summary>
    /// Whether stored events mark their rooms for the diagnosis worker (on by default; off only to measure what the
    /// diagnosis costs ingest, or on a node that must not diagnose).
    /// </summary>
    public bool Diagnosing { get; set; } = true;

    DbConnection? IWriterLoop.Connection => connection;

    int IWriterLoop.RecentIds => statements?.RecentIds.Count ?? 0;

    public async Task<T> SendAsync<T>(WriteCommand<T> command, CancellationToken cancellationToken = default)
    {
        command.QueuedAt = Stopwatch.GetTimestamp();
        await queue.Writer.WriteAsync(command, cancellationToken);
        return await command.Completion.WaitAsync(cancellationToken);
    }

    /// <summary>Runs the writer until <paramref name="stoppingToken"/> fires; pending commands are answered first.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        await using var upkeep = database.Dialect.CreateUpkeep(upkeepSettings, logger);
        upkeep.Start();
        var batch = new List<WriteCommand>();
        try
        {
            while (await upkeep.WaitForCommandsAsync(queue.Reader.WaitToReadAsync(stoppingToken), this, stoppingToken))
            {
                var events = 0;
                var taken = Stopwatch.GetTimestamp();
                while (events < MaxEventsPerTransaction && queue.Reader.TryRead(out var command))
                {
                    batch.Add(command);
                    events += command.Weight;
                    metrics.QueueWaited(command.QueuedAt, taken);
                }

                if (WriteBatch(batch))
                {
                    upkeep.Committed();
                }

                batch.Clear();
                upkeep.BetweenTransactions(this);
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
            CloseConnection();
        }
    }

    bool IWriterLoop.Run(WriteCommand command) => WriteBatch([command]);

    /// <summary>
    /// Runs the batch in one transaction; a deadlock with another node runs it again from the start. Whatever else goes
    /// wrong fails the batch's commands, is logged once, and leaves the writer ready for the next batch.
    /// </summary>
    /// <remarks>
    /// Each command takes its rows in one order that every node keeps (rooms, event ids, queue rows each sorted), but
    /// commands grouped in one transaction take them in the order the commands come: a later command can lock a room
    /// after an earlier one took that room's queue row, while another node goes the other way. So a batch of several
    /// commands that lost a race is run again one command per transaction, where it cannot lose that way twice.
    /// </remarks>
    /// <returns>Whether the batch committed (or, run one command at a time, whether any command did).</returns>
    private bool WriteBatch(List<WriteCommand> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Without savepoints first; a command that failed there sends the batch round again, guarded.
                if (!WriteOnce(batch, guarded: false))
                {
                    WriteOnce(batch, guarded: true);
                }

                return true;
            }
            catch (DbException error) when (batch.Count > 1 && database.Dialect.IsTransient(error))
            {
                states.Clear();
                Log.BatchSplit(logger, batch.Count, error.Message);
                var any = false;
                foreach (var command in batch)
                {
                    any |= WriteBatch([command]);
                }

                return any;
            }
            catch (DbException error) when (attempt < Attempts && database.Dialect.IsTransient(error))
            {
                states.Clear();
                Log.RaceLost(logger, attempt, error.Message);
            }
            catch (Exception error)
            {
                // The memory of rooms may be ahead of the store: every room is rebuilt from the store when next needed.
                states.Clear();
                Log.TransactionFailed(logger, batch.Count, error);
                var failure = new WriteFailedException(error);
                foreach (var command in batch)
                {
                    command.Fail(failure);
                }

                if (error is DbException || connection?.State != System.Data.ConnectionState.Open)
                {
                    // The connection may be what failed: the next batch starts on a fresh one.
                    CloseConnection();
                }

                return false;
            }
        }
    }

    /// <param name="batch">The commands, in the order they came.</param>
    /// <param name="guarded">
    /// Whether each command runs in a savepoint of its own. Unguarded, a command that fails rolls the whole transaction
    /// back and nothing is answered.
    /// </param>
    /// <returns>Whether the transaction committed; false only unguarded, when a command failed.</returns>
    private bool WriteOnce(List<WriteCommand> batch, bool guarded)
    {
        if (connection is not { State: System.Data.ConnectionState.Open })
        {
            // First use, or the database went away and came back: start over on a fresh connection.
            CloseConnection();
            connection = database.Dialect.OpenWriter(memory);
            statements = new WriterStatements(connection);
        }

        var started = Stopwatch.GetTimestamp();
        var now = clock.GetUtcNow();
        states.Begin(now);
        using var span = CallscopeMetrics.Activities.StartActivity("callscope.writer.commit");
        using var tx = database.Dialect.BeginWrite(connection);
        var context = new WriteContext(database.Dialect, connection, statements!, tx, states, now)
        {
            Diagnosing = Diagnosing,
            Metrics = metrics,
        };
        var done = new List<WriteCommand>(batch.Count);
        var failed = new List<(WriteCommand Command, Exception Error)>();
        foreach (var command in batch)
        {
            if (guarded)
            {
                tx.Save("command");
            }

            try
            {
                command.Execute(context);
                context.Finish();
                if (guarded)
                {
                    tx.Release("command");
                }

                done.Add(command);
            }
            catch (DbException error) when (database.Dialect.IsTransient(error))
            {
                // The whole transaction is lost; WriteBatch runs it again.
                context.Discard();
                ForgetTouched(context);
                throw;
            }
            catch (Exception) when (!guarded)
            {
                // No savepoint to go back to: nothing of this transaction stays.
                context.Discard();
                ForgetTouched(context);
                Log.BatchGuarded(logger, command.GetType().Name, batch.Count);
                tx.Rollback();
                return false;
            }
            catch (Exception error)
            {
                tx.Rollback("command");
                context.Discard();
                ForgetTouched(context);
                Log.CommandFailed(logger, command.GetType().Name, error);
                failed.Add((command, new WriteFailedException(error)));
            }
        }

        database.Dialect.AnnounceChanges(context, context.ChangedTeams);
        try
        {
            context.FinishTransaction();
            tx.Commit();
        }
        catch (Exception)
        {
            ForgetTouched(context);
            throw;
        }

        var weight = batch.Sum(command => command.Weight);
        metrics.Committed(batch.Count, weight, Stopwatch.GetElapsedTime(started));
        span?.SetTag("callscope.writer.commands", batch.Count).SetTag("callscope.writer.events", weight);

        // Listeners hear of the change before any caller is answered, so a page rendered after the answer already
        // counts this change as seen.
        if (context.ChangedTeams.Count > 0)
        {
            AnnounceCommitted(context.ChangedTeams);
        }

        if (context.DeliveriesQueued)
        {
            DeliveriesQueued?.Invoke();
        }

        foreach (var (command, error) in failed)
        {
            command.Fail(error);
        }

        foreach (var command in done)
        {
            command.Commit();
        }

        return true;
    }

    /// <summary>Tells the listeners of a commit; a listener that throws is logged, and the writer goes on.</summary>
    private void AnnounceCommitted(IReadOnlyCollection<TeamId> teams)
    {
        try
        {
            Committed?.Invoke(teams);
        }
        catch (Exception error)
        {
            Log.ListenerFailed(logger, error);
        }
    }

    /// <summary>The caches may be ahead of the store after a rollback: forget what the transaction touched.</summary>
    private void ForgetTouched(WriteContext context)
    {
        context.RecentIds.Forget();
        foreach (var room in context.TouchedRooms)
        {
            states.Forget(room);
        }

        context.TouchedRooms.Clear();
    }

    /// <summary>Closes the writer's connection, if the writer left it open.</summary>
    public void Dispose() => CloseConnection();

    private void CloseConnection()
    {
        statements?.Dispose();
        statements = null;
        connection?.Dispose();
        connection = null;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "A write transaction of {Commands} commands lost a race with another node ({Reason}); its commands run again one per transaction")]
        public static partial void BatchSplit(ILogger logger, int commands, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "A write transaction lost a race with another node at attempt {Attempt} ({Reason}); it runs again")]
        public static partial void RaceLost(ILogger logger, int attempt, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "A write command ({Command}) failed; its transaction of {Commands} commands was rolled back and runs again with a savepoint around each command")]
        public static partial void BatchGuarded(ILogger logger, string command, int commands);

        [LoggerMessage(Level = LogLevel.Error, Message = "A write command ({Command}) failed and was rolled back; the writer goes on")]
        public static partial void CommandFailed(ILogger logger, string command, Exception error);

        [LoggerMessage(Level = LogLevel.Error, Message = "A listener of the writer's commits failed; the commit stands")]
        public static partial void ListenerFailed(ILogger logger, Exception error);

        [LoggerMessage(Level = LogLevel.Error, Message = "A write transaction of {Commands} commands failed and was rolled back; the writer goes on")]
        public static partial void TransactionFailed(ILogger logger, int commands, Exception error);
    }
}
