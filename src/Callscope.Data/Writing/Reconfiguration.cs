using Callscope.Core;

namespace Callscope.Data.Writing;

/// <summary>
/// A team's or room's grace period or session length changed: the live sessions (of the room, or of every room of the
/// team) follow the new setting at once, in the transaction that stores it; sessions that start later take it too.
/// The commands that change settings call this after writing them, so the policy it reads is the new one.
/// </summary>
internal static class Reconfiguration
{
    public static void Apply(WriteContext context, TeamId team, RoomId? only)
    {
        var rooms = context.Query<string>(
            "SELECT DISTINCT room_id FROM sessions WHERE team_id = @team AND end_time IS NULL AND (@room IS NULL OR room_id = @room)",
            new { team = team.ToString(), room = only?.ToString() }).Select(r => new RoomId(Guid.Parse(r))).ToHashSet();
        rooms.UnionWith(context.States.OfTeam(team).Where(r => only is null || r == only));

        // Locked in one statement, in one order, as every writer locks rooms: two writers never wait on each other in a cycle.
        var versions = context.LockRooms([.. rooms.Select(room => (team, room))]);
        foreach (var room in rooms.Where(versions.ContainsKey).OrderBy(r => r.Value))
        {
            var state = RoomRecompute.State(context, team, room, versions[room]);
            state.Reconfigure(RoomRecompute.LoadPolicy(context, room), context.Now);
            RoomRecompute.WriteTouched(context, team, room, state);
            context.BumpVersion(team, room, state);
        }

        context.ChangedTeams.Add(team);
    }
}
