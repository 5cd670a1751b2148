using Callscope.Core;

namespace Callscope.Data.Writing;

/// <summary>
/// A team's or room's grace period or session length changed: the live sessions (of the room, or of every room of the
/// team) follow the new setting at once; sessions that start later take it too.
/// </summary>
public sealed class ReconfigureCommand(TeamId team, RoomId? only) : WriteCommand<bool>
{
    internal override bool Run(WriteContext context)
    {
        var rooms = context.Query<string>(
            "SELECT DISTINCT room_id FROM sessions WHERE team_id = @team AND end_time IS NULL AND (@room IS NULL OR room_id = @room)",
            new { team = team.ToString(), room = only?.ToString() }).Select(r => new RoomId(Guid.Parse(r))).ToList();
        foreach (var cached in context.States.OfTeam(team).Where(r => only is null || r == only))
        {
            if (!rooms.Contains(cached))
            {
                rooms.Add(cached);
            }
        }

        foreach (var room in rooms)
        {
            var state = RoomRecompute.State(context, team, room);
            state.Reconfigure(RoomRecompute.LoadPolicy(context, room), context.Now);
            RoomRecompute.WriteTouched(context, team, room, state);
            context.BumpVersion(team, room, state);
        }

        context.ChangedTeams.Add(team);
        return true;
    }
}
