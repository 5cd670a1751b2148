using Callscope.Core;
using Callscope.Core.Law;
using Callscope.Data.Sessions;

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
            context.ChangedTeams.Add(team);
            if (!context.States.Contains(room) && EndEmpty(context, team, room))
            {
                continue;
            }

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
        }

        return due.Count;
    }

    /// <summary>
    /// A due session of a room the writer does not hold, with no one connected (passive connections included): the law
    /// ends it at its stored deadline for the stored reason and changes nothing else, so it is ended from its row
    /// without replaying the room. False when someone is connected (the end closes their connections): the room is
    /// then rebuilt.
    /// </summary>
    private static bool EndEmpty(WriteContext context, TeamId team, RoomId room)
    {
        var rows = context.Query<(string Id, long Start, long? LastLeft, long Total, long MaxConcurrent, long Grace, long Deadline, string Reason)>(
            "SELECT s.id, s.start_time, s.last_left_at, s.participants_total, s.max_concurrent, s.grace_period, s.deadline, s.deadline_reason " +
            $"FROM sessions s WHERE s.team_id = @team AND s.room_id = @room AND s.participants_live = 0 AND {SessionLiveness.Due}",
            new { team = team.ToString(), room = room.ToString(), now = DbTime.Ms(context.Now) }).ToList();
        if (rows is not [var row])
        {
            return false;
        }

        var ended = new SessionRecord
        {
            Id = new SessionId(Guid.Parse(row.Id)),
            Start = DbTime.At(row.Start),
            End = DbTime.At(row.Deadline),
            EndReason = row.Reason,
            LastParticipantLeftAt = DbTime.At(row.LastLeft),
            MaxConcurrentParticipants = (int)row.MaxConcurrent,
            GracePeriod = TimeSpan.FromSeconds(row.Grace),
        };
        context.Held.AddEnded(team, room, ended, (int)row.Total);
        context.Metrics.SessionEndWritten(context.Now - ended.End.Value);
        return true;
    }
}
