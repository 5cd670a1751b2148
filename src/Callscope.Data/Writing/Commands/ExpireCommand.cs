using Callscope.Core;

namespace Callscope.Data.Writing;

/// <summary>
/// Ends, in the store, the sessions whose deadline has passed by the server clock (up to 1000 rooms a transaction);
/// answers how many rooms it wrote. Reads are exact before it runs: this only makes the store say what reads already show.
/// </summary>
public sealed class ExpireCommand : WriteCommand<int>
{
    internal override int Run(WriteContext context)
    {
        var due = context.Query<(string Team, string Room)>(context.Dialect.DueRoomsSql, new { now = DbTime.Ms(context.Now) })
            .Distinct().Select(d => (Team: new TeamId(Guid.Parse(d.Team)), Room: new RoomId(Guid.Parse(d.Room)))).ToList();
        var versions = context.LockRooms(due);
        foreach (var (team, room) in due)
        {
            var state = RoomRecompute.State(context, team, room, versions[room]);
            if (state.Current is { } current)
            {
                state.MarkTouched(current);
                if (current.DueBy(context.Now) is { } deadline)
                {
                    context.Metrics.SessionEndWritten(context.Now - deadline.At);
                }
            }

            RoomRecompute.WriteTouched(context, team, room, state);
            if (state.CurrentAt(context.Now) is null or { End: not null })
            {
                // Nothing live is left: the room's state is rebuilt from its events when it is next needed.
                context.States.Forget(room);
            }

            context.ChangedTeams.Add(team);
        }

        return due.Count;
    }
}
