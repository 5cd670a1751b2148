using System.Threading.Channels;
using Callscope.Core;
using Microsoft.Data.Sqlite;

namespace Callscope.Data.Ingest;

/// <summary>
/// The one writer of the store. Requests queue in a bounded channel (a full channel makes callers wait: nothing
/// is dropped); the writer takes everything pending into one transaction, commits once, and only then answers
/// each request.
/// </summary>
public sealed class IngestPipeline(CallscopeDatabase database, TimeProvider clock)
{
    private const int MaxEventsPerTransaction = 20_000;

    private readonly Channel<WriteCommand> queue = Channel.CreateBounded<WriteCommand>(
        new BoundedChannelOptions(1024) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly RoomStates states = new();

    /// <summary>Raised after each commit with the teams whose data changed.</summary>
    public event Action<IReadOnlyCollection<TeamId>>? Committed;

    public int CachedRooms => states.Count;

    public async Task<T> SendAsync<T>(WriteCommand<T> command, CancellationToken cancellationToken = default)
    {
        await queue.Writer.WriteAsync(command, cancellationToken);
        return await command.Completion.WaitAsync(cancellationToken);
    }

    /// <summary>Runs the writer until <paramref name="stoppingToken"/> fires; pending commands are answered first.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        using var connection = database.Open();
        var batch = new List<WriteCommand>();
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                var events = 0;
                while (events < MaxEventsPerTransaction && queue.Reader.TryRead(out var command))
                {
                    batch.Add(command);
                    events += command is IngestCommand ingest ? ingest.Events.Count : 1;
                }

                WriteBatch(connection, batch);
                batch.Clear();
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
    }

    private void WriteBatch(SqliteConnection connection, List<WriteCommand> batch)
    {
        using var tx = connection.BeginTransaction(deferred: false);
        var unit = new WriteUnit(connection, tx, states, clock.GetUtcNow());
        var done = new List<WriteCommand>(batch.Count);
        foreach (var command in batch)
        {
            using var savepoint = connection.CreateCommand();
            savepoint.Transaction = tx;
            savepoint.CommandText = "SAVEPOINT command";
            savepoint.ExecuteNonQuery();
            try
            {
                command.Execute(unit);
                savepoint.CommandText = "RELEASE command";
                savepoint.ExecuteNonQuery();
                done.Add(command);
            }
            catch (Exception error) when (error is SqliteException or InvalidOperationException or FormatException or System.Text.Json.JsonException)
            {
                savepoint.CommandText = "ROLLBACK TO command; RELEASE command";
                savepoint.ExecuteNonQuery();
                ForgetTouched(unit);
                command.Fail(error);
            }
        }

        try
        {
            tx.Commit();
        }
        catch (SqliteException error)
        {
            ForgetTouched(unit);
            foreach (var command in done)
            {
                command.Fail(error);
            }

            return;
        }

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
