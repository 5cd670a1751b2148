using Callscope.Core;
using Callscope.Core.Ingest;
using Callscope.Core.Law;

namespace Callscope.Data.Writing;

/// <summary>
/// The law, from a room's events to its stored sessions: the fast path that appends events coming after everything
/// the room has seen, the recomputation of a room from its stored events, and the writing of the sessions either
/// one changed. Every command that changes a room's sessions goes through here.
/// </summary>
internal static class RoomRecompute
{
    /// <summary>The room's law state, locked for this transaction; rebuilt from the store when not in memory or stale.</summary>
    /// <param name="version">The room's version when the caller has already locked it.</param>
    public static RoomSweep State(WriteContext context, TeamId team, RoomId room, long? version = null)
    {
        context.TouchedRooms.Add(room);
        version ??= context.LockRoom(team, room);
        if (!context.States.TryGet(room, version.Value, out var sweep))
        {
            sweep = Rebuild(context, team, room);
            sweep.TakeTouched();
            sweep.ReleaseEnded();
            context.States.Put(team, room, sweep, version.Value);
        }

        return sweep;
    }

    /// <summary>The fast path appends events that come after everything the room has seen; otherwise the room is recomputed.</summary>
    public static void Apply(WriteContext context, TeamId team, RoomId room, List<LawEvent> law, long? lockedVersion = null)
    {
        context.TouchedRooms.Add(room);
        context.ChangedTeams.Add(team);
        law.Sort((a, b) => a.Order.CompareTo(b.Order));
        var version = lockedVersion ?? context.LockRoom(team, room);
        if (context.States.TryGet(room, version, out var sweep) && law.TrueForAll(e => TryAppend(sweep, e)))
        {
            WriteTouched(context, team, room, sweep);
            context.BumpVersion(team, room, sweep);
            return;
        }

        // Rebuilding reads the events this transaction has just stored, so it includes them. Nothing before the earliest
        // of them can change: the law is a sweep in time order.
        var rebuilt = Rebuild(context, team, room);
        var since = law.Min(e => e.JoinedAt is { } j && j < e.Time ? j : e.Time);
        RewriteFrom(context, team, room, rebuilt, since);
        context.BumpVersion(team, room, rebuilt);
    }

    private static bool TryAppend(RoomSweep sweep, LawEvent e)
    {
        if (!sweep.CanAppend(e))
        {
            return false;
        }

        sweep.Append(e);
        return true;
    }

    /// <summary>Writes the sessions the sweep touched since the last write, each as it stands now.</summary>
    public static void WriteTouched(WriteContext context, TeamId team, RoomId room, RoomSweep sweep)
    {
        // Oldest first: a session that ended must be stored as ended before its successor is stored as live.
        foreach (var s in sweep.TakeTouched().OrderBy(s => s.Start))
        {
            s.Id ??= SessionId.New(s.Start);
            var view = ReferenceEquals(s, sweep.Current) ? sweep.CurrentAt(context.Now)! : s;
            context.Held.Add(team, room, view);
        }

        sweep.ReleaseEnded();
    }

    /// <summary>The room's grace period and session length: the room's own, else its team's.</summary>
    public static RoomPolicy LoadPolicy(WriteContext context, RoomId room)
    {
        var p = context.Single<(long TeamGrace, long? TeamLength, long? RoomGrace, long? RoomLength)>(
            "SELECT t.grace_period, t.session_length, r.grace_period, r.session_length FROM rooms r JOIN teams t ON t.id = r.team_id WHERE r.id = @room",
            new { room = room.ToString() });
        return RoomPolicy.Resolve((int)p.TeamGrace, (int?)p.TeamLength, (int?)p.RoomGrace, (int?)p.RoomLength);
    }

    /// <summary>Replays a room's stored events; sessions keep the ids they are stored under.</summary>
    private static RoomSweep Rebuild(WriteContext context, TeamId team, RoomId room)
    {
        // What it reads and rewrites must include what this command has written so far.
        context.Held.Flush(context);
        var rows = context.Query<(string Id, string Type, long Ts, long Flags, string? ExternalId, string? ConnectionId, string? Name, string? Role, string? Data)>(
            context.Dialect.LawEventsSql, new { team = team.ToString(), room = room.ToString() });
        var law = rows.Select(r => LawMapping.Map(r.Id, r.Type, DbTime.At(r.Ts), r.ExternalId, r.ConnectionId, r.Name, r.Role,
            LawFacts.Parse(r.Type, r.Data, (LawFlags)r.Flags))!);
        var sweep = RoomLaw.Replay(law, LoadPolicy(context, room));
        var (aliases, _) = SessionIdentity.Assign(sweep.Sessions, StoredSpans(context, team, room));
        foreach (var alias in aliases)
        {
            var ids = new { from = alias.Absorbed.ToString(), team = team.ToString(), to = alias.Survivor.ToString() };
            context.Execute("UPDATE session_aliases SET session_id = @to WHERE team_id = @team AND session_id = @from", ids);
            context.Execute(
                "INSERT INTO session_aliases (team_id, alias_id, session_id) VALUES (@team, @from, @to) ON CONFLICT (team_id, alias_id) DO UPDATE SET session_id = excluded.session_id",
                ids);
        }

        return sweep;
    }

    private static List<StoredSpan> StoredSpans(WriteContext context, TeamId team, RoomId room) => [.. context.Query<(string Id, long Start, long? End)>(
            "SELECT id, start_time, end_time FROM sessions WHERE team_id = @team AND room_id = @room", new { team = team.ToString(), room = room.ToString() })
        .Select(s => new StoredSpan(new SessionId(Guid.Parse(s.Id)), DbTime.At(s.Start), DbTime.At(s.End)))];

    /// <summary>
    /// Writes a recomputed room from <paramref name="since"/> on: sessions stored as ended before it are final and
    /// stay as they are; every other stored session of the room is replaced by what the law computes now.
    /// </summary>
    private static void RewriteFrom(WriteContext context, TeamId team, RoomId room, RoomSweep sweep, DateTimeOffset since)
    {
        var final = StoredSpans(context, team, room).Where(s => s.End is { } end && end < since).Select(s => s.Id).ToHashSet();
        var roomText = room.ToString();
        var cutoff = DbTime.Ms(since);
        context.Execute(
            // Session ids are unique across teams; naming the team here would lead the planner to walk all its participants.
            "DELETE FROM participants WHERE session_id IN (SELECT id FROM sessions WHERE team_id = @team AND room_id = @roomText AND (end_time IS NULL OR end_time >= @cutoff))",
            new { team = team.ToString(), roomText, cutoff });
        context.Execute("DELETE FROM sessions WHERE team_id = @team AND room_id = @roomText AND (end_time IS NULL OR end_time >= @cutoff)",
            new { team = team.ToString(), roomText, cutoff });
        foreach (var s in sweep.Sessions)
        {
            s.Id ??= SessionId.New(s.Start);
        }

        foreach (var s in sweep.ViewAt(context.Now).Where(s => !final.Contains(s.Id!.Value)).OrderBy(s => s.Start))
        {
            context.Held.Add(team, room, s);
        }

        sweep.TakeTouched();
        sweep.ReleaseEnded();
    }
}
