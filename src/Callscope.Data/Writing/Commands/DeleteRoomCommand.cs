using Callscope.Core;

namespace Callscope.Data.Writing;

/// <summary>
/// Deletes a room: its live session ends first (by whoever deleted it); a room with history is kept as deleted so
/// its sessions still read, one without is removed. With <paramref name="deleteHistory"/> its participants are erased
/// first, as <see cref="EraseHistoryCommand.OfRoom"/> does. False when the team has no such room.
/// </summary>
public sealed class DeleteRoomCommand(TeamId team, RoomId room, string deletedBy, bool deleteHistory = false) : WriteCommand<bool>
{
    internal override bool Run(WriteContext context)
    {
        if (context.Single<string>("SELECT id FROM rooms WHERE id = @id AND team_id = @team AND deleted_at IS NULL",
                new { id = room.ToString(), team = team.ToString() }) is null)
        {
            return false;
        }

        if (RoomRecompute.State(context, team, room).CurrentAt(context.Now) is { End: null })
        {
            EndSessionCommand.EndLive(context, team, room, deletedBy);
            // The ended session is stored and the room's version bumped before the room goes.
            context.Finish();
        }

        if (deleteHistory && new Erasure(context, team).Room(room).Outcome != ErasureOutcome.Erased)
        {
            throw new InvalidOperationException("The room's session was ended in this command, yet the room is still live.");
        }

        var history = context.Scalar<long>($"SELECT COUNT(*) FROM {context.Dialect.EventsOfRoom("@id")} e WHERE e.room_id = @id", new { id = room.ToString() });
        context.Execute(
            history > 0 ? "UPDATE rooms SET deleted_at = @now, updated_at = @now WHERE id = @id" : "DELETE FROM rooms WHERE id = @id",
            new { id = room.ToString(), now = DbTime.Ms(context.Now) });
        context.States.Forget(room);
        context.ChangedTeams.Add(team);
        return true;
    }
}
