using Callscope.Core;
using Callscope.Core.Ingest;

namespace Callscope.Data.Ingest;

public sealed record EventProblem(int Index, string Field, string Message);

/// <summary>The answer to a batch: stored counts, or the problems that kept it from being stored at all.</summary>
public sealed record IngestResult(int Accepted, int Duplicates, IReadOnlyList<EventProblem> Problems)
{
    public bool Rejected => Problems.Count > 0;
}

public enum EndOutcome
{
    Ended,
    NotLive,
    NotFound,
}

/// <summary>Work for the single writer. Each command is answered only after the transaction it ran in commits.</summary>
public abstract class WriteCommand
{
    internal abstract void Execute(WriteUnit unit);

    internal abstract void Commit();

    internal abstract void Fail(Exception error);
}

public abstract class WriteCommand<T> : WriteCommand
{
    private readonly TaskCompletionSource<T> done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? result;

    public Task<T> Completion => done.Task;

    internal void SetResult(T value) => result = value;

    internal override void Commit() => done.TrySetResult(result!);

    internal override void Fail(Exception error) => done.TrySetException(error);
}

public sealed class IngestCommand(TeamId team, IReadOnlyList<IncomingEvent> events) : WriteCommand<IngestResult>
{
    public TeamId Team { get; } = team;

    public IReadOnlyList<IncomingEvent> Events { get; } = events;

    internal override void Execute(WriteUnit unit) => SetResult(unit.Ingest(Team, Events));
}

public sealed class EndSessionCommand(TeamId team, string sessionId, string endedBy) : WriteCommand<EndOutcome>
{
    internal override void Execute(WriteUnit unit) => SetResult(unit.EndSession(team, sessionId, endedBy));
}

public sealed class DeleteRoomCommand(TeamId team, RoomId room, string deletedBy) : WriteCommand<bool>
{
    internal override void Execute(WriteUnit unit) => SetResult(unit.DeleteRoom(team, room, deletedBy));
}

/// <summary>A team's or room's grace period or session length changed: live sessions follow the new setting.</summary>
public sealed class ReconfigureCommand(TeamId team, RoomId? room) : WriteCommand<bool>
{
    internal override void Execute(WriteUnit unit)
    {
        unit.Reconfigure(team, room);
        SetResult(true);
    }
}

/// <summary>Ends, in the store, the sessions whose deadline has passed by the server clock.</summary>
public sealed class ExpireCommand : WriteCommand<int>
{
    internal override void Execute(WriteUnit unit) => SetResult(unit.ExpireDue());
}

/// <summary>
/// SQLite only: copies the rooms of the events stored since the last copy into <c>event_rooms</c>, sorted by room, and
/// moves the mark past them; answers how many events it copied. Sorted, the copy writes each room's last page of
/// that index once, where an index kept up by every insert wrote it once per transaction. The writer runs it about
/// once a second; until then readers find the newest events after the mark (<see cref="CallscopeDatabase.EventsOfRoom"/>).
/// </summary>
public sealed class IndexRoomsCommand : WriteCommand<int>
{
    internal override void Execute(WriteUnit unit) => SetResult(unit.IndexRooms());
}
