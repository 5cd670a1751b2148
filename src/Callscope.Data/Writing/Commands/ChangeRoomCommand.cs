using System.Data.Common;
using Callscope.Core;
using Callscope.Data.Rooms;

namespace Callscope.Data.Writing;

/// <summary>
/// Changes a live room's fields and settings. When its grace period or session length changes, its live session follows
/// in the same transaction, so no reader sees the new setting with the old deadline. A name another live room holds
/// (even one stored meanwhile) is a <see cref="RoomOutcome.NameTaken"/> and changes nothing.
/// </summary>
public sealed class ChangeRoomCommand(TeamId team, RoomId room, RoomSettings settings) : WriteCommand<RoomResult>
{
    private const string Rename = "room_name";

    internal override RoomResult Run(WriteContext context)
    {
        if (RoomStore.Find(context.Connection, context.Transaction, team, room.ToString()) is not { DeletedAt: null } current)
        {
            return new RoomResult(RoomOutcome.NotFound);
        }

        // The unique index on live names decides, so that a name taken by another node's uncommitted room counts too.
        context.Transaction.Save(Rename);
        try
        {
            context.Execute(
                """
                UPDATE rooms SET friendly_url = @FriendlyUrl, description = @Description, external_id = @ExternalId, grace_period = @GracePeriod,
                    session_length = @SessionLength, max_participants = @MaxParticipants, webhooks = @webhooks, updated_at = @now
                WHERE id = @id AND team_id = @team
                """,
                new
                {
                    settings.FriendlyUrl, settings.Description, settings.ExternalId, settings.GracePeriod, settings.SessionLength,
                    settings.MaxParticipants, webhooks = settings.WebhooksJson, now = DbTime.Ms(context.Now), id = room.ToString(), team = team.ToString(),
                });
            context.Transaction.Release(Rename);
        }
        catch (DbException error) when (context.Dialect.IsUniqueViolation(error))
        {
            context.Transaction.Rollback(Rename);
            return new RoomResult(RoomOutcome.NameTaken);
        }

        if (settings.GracePeriod != current.GracePeriod || settings.SessionLength != current.SessionLength)
        {
            Reconfiguration.Apply(context, team, room);
        }

        context.ChangedTeams.Add(team);
        return new RoomResult(RoomOutcome.Stored, RoomStore.Find(context.Connection, context.Transaction, team, room.ToString()));
    }
}
