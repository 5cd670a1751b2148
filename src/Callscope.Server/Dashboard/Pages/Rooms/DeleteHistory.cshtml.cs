using Callscope.Data.Audit;
using Callscope.Data.Rooms;
using Callscope.Data.Writing;
using Callscope.Server.Audit;
using Microsoft.AspNetCore.Mvc;

namespace Callscope.Server.Dashboard.Pages.Rooms;

/// <summary>
/// Deleting a room's history from the dashboard (admins only, by the page's authorization convention), as
/// <c>DELETE /api/v1/rooms/{room}/resources</c> does; refused while the room has a live session.
/// </summary>
public sealed class DeleteRoomHistoryModel(RoomStore rooms, IngestPipeline pipeline) : ConfirmPage<Room>("This room")
{
    public Room Room => Subject;

    protected override Room? Find(string id) => rooms.Find(Team, id);

    public async Task<IActionResult> OnPostAsync(string id, CancellationToken cancellationToken)
    {
        if (!Found(id))
        {
            return Missing();
        }

        var room = Subject;
        var result = await pipeline.SendAsync(EraseHistoryCommand.OfRoom(Team, room.Id, AuditLog.Erasure(HttpContext, AuditTarget.Room(room.Id))), cancellationToken);
        Flash(result.Outcome == ErasureOutcome.Live
            ? $"{room.FriendlyUrl} has a live session: its history can be deleted once that session has ended."
            : $"The history of {room.FriendlyUrl} was deleted: {DeleteHistoryText.Participants(result.Counts.Participants)} anonymised.");
        return BackTo(ReturnUrl, Links.RoomSessions(room.Id));
    }
}
