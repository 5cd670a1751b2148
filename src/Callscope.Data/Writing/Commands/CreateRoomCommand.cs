using Callscope.Core;
using Callscope.Data.Rooms;

namespace Callscope.Data.Writing;

public enum RoomOutcome
{
    Stored,
    NotFound,
    NameTaken,
}

/// <summary>The answer to creating or changing a room: the room as stored, unless the outcome says why not.</summary>
public sealed record RoomResult(RoomOutcome Outcome, Room? Room = null);

/// <summary>
/// Creates a room for the API or the dashboard. A live room of that name (created meanwhile too, by an event or another
/// node) is a <see cref="RoomOutcome.NameTaken"/>, decided inside the transaction that would store the new one.
/// </summary>
public sealed class CreateRoomCommand(TeamId team, RoomSettings settings) : WriteCommand<RoomResult>
{
    internal override RoomResult Run(WriteContext context)
    {
        var (room, created) = Insert(context, team, settings);
        return created ? new RoomResult(RoomOutcome.Stored, room) : new RoomResult(RoomOutcome.NameTaken);
    }

    /// <summary>
    /// The one place rooms are created, by this command and by the first event that names a room. Answers the team's
    /// live room of that name, and whether it is the one created here (not one that already had the name).
    /// </summary>
    internal static (Room Room, bool Created) Insert(WriteContext context, TeamId team, RoomSettings settings)
    {
        var now = context.Now;
        var id = new RoomId(Guid.CreateVersion7(now));
        // A live room of the name, even one another node is storing right now, makes this insert do nothing.
        context.Execute(
            """
            INSERT INTO rooms (team_id, id, friendly_url, description, external_id, grace_period, session_length, max_participants, webhooks, created_at, updated_at)
            VALUES (@team, @id, @FriendlyUrl, @Description, @ExternalId, @GracePeriod, @SessionLength, @MaxParticipants, @webhooks, @now, @now)
            ON CONFLICT (team_id, friendly_url) WHERE deleted_at IS NULL DO NOTHING
            """,
            new
            {
                team = team.ToString(), id = id.ToString(), settings.FriendlyUrl, settings.Description, settings.ExternalId,
                settings.GracePeriod, settings.SessionLength, settings.MaxParticipants, webhooks = settings.WebhooksJson, now = DbTime.Ms(now),
            });
        var stored = RoomStore.FindLive(context.Connection, context.Transaction, team, settings.FriendlyUrl)!;
        var created = stored.Id == id;
        if (created)
        {
            context.ChangedTeams.Add(team);
        }

        return (stored, created);
    }
}
