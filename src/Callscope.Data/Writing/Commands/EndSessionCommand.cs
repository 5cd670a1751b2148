using System.Text.Json;
using Callscope.Core;
using Callscope.Core.Events;
using Callscope.Core.Ingest;
using Callscope.Core.Law;

namespace Callscope.Data.Writing;

public enum EndOutcome
{
    Ended,
    NotLive,
    NotFound,
}

/// <summary>
/// Ends a live session for a team member or a developer key (rule 5). The end is stored as a <c>session_ended</c>
/// event of the room, so a recomputation keeps it; a session that is not live is a <see cref="EndOutcome.NotLive"/>.
/// </summary>
public sealed class EndSessionCommand(TeamId team, string sessionId, string endedBy) : WriteCommand<EndOutcome>
{
    internal override EndOutcome Run(WriteContext context)
    {
        var found = context.Single<(string Id, string RoomId)?>(
            """
            SELECT s.id, s.room_id FROM sessions s
            WHERE s.team_id = @team AND s.id = COALESCE((SELECT session_id FROM session_aliases WHERE alias_id = @sessionId AND team_id = @team), @sessionId)
            """,
            new { team = team.ToString(), sessionId });
        if (found is not { } row)
        {
            return EndOutcome.NotFound;
        }

        var room = new RoomId(Guid.Parse(row.RoomId));
        var state = RoomRecompute.State(context, team, room);
        if (state.CurrentAt(context.Now) is not { End: null, Id: { } live } || live.ToString() != row.Id)
        {
            return EndOutcome.NotLive;
        }

        EndLive(context, team, room, endedBy);
        return EndOutcome.Ended;
    }

    /// <summary>Ends the room's live session now, by the API, as a stored <c>session_ended</c> event.</summary>
    internal static void EndLive(WriteContext context, TeamId team, RoomId room, string endedBy)
    {
        var now = context.Now;
        // The log keeps "_source": "api" in the data, as it always has; the law reads the flag.
        var end = new IncomingEvent(
            "api-end-" + Guid.CreateVersion7(now).ToString("N"), EventTypes.SessionEnded, now, now, null, new RoomRef(room, null), null,
            $$"""{"_source":"api","ended_by":{{JsonSerializer.Serialize(endedBy)}}}""")
        {
            Facts = new LawFacts(LawFlags.ApiEnd) { EndedBy = endedBy },
        };
        EventRows.Insert(context, team, [room], [end]);
        RoomRecompute.Apply(context, team, room, [end.ToLaw()!]);
        context.ChangedTeams.Add(team);
    }
}
