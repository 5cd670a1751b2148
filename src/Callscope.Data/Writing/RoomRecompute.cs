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

    /// <summary>
    /// Events that come after everything the room has seen are appended; late ones are put in by replaying only the
    /// window of the room's history they change, which rewrites only the sessions that change. A room not in memory,
    /// or whose policy changed while it was, is recomputed from its stored events.
    /// </summary>
    public static void Apply(WriteContext context, TeamId team, RoomId room, List<LawEvent> law, long? lockedVersion = null)
    {
        context.TouchedRooms.Add(room);
        context.ChangedTeams.Add(team);
        law.Sort((a, b) => a.Order.CompareTo(b.Order));
        var version = lockedVersion ?? context.LockRoom(team, room);
        if (context.States.TryGet(room, version, out var sweep))
        {
            var late = sweep.AppendInOrder(law);
            if (late.Count > 0)
            {
                context.Metrics.LateReplay(window: sweep.CanInsertLate);
            }

            if (late.Count == 0 || sweep.CanInsertLate)
            {
                WriteTouched(context, team, room, sweep);
                if (late.Count > 0)
                {
                    InsertLate(context, team, room, sweep, late);
                }

                context.BumpVersion(team, room, sweep);
                return;
            }
        }

        // Rebuilding reads the events this transaction has just stored, so it includes them. Nothing before the earliest
        // of them can change: the law is a sweep in time order.
        var rebuilt = Rebuild(context, team, room);
        var since = law.Min(e => e.JoinedAt is { } j && j < e.Time ? j : e.Time);
        RewriteFrom(context, team, room, rebuilt, since);
        context.BumpVersion(team, room, rebuilt);
    }

    /// <summary>
    /// Replays the room from its stored events after they were rewritten in place (an erasure), and stores its sessions
    /// from <paramref name="since"/> on again; the room must be locked by the caller. What is in memory is dropped first.
    /// </summary>
    public static void Recompute(WriteContext context, TeamId team, RoomId room, DateTimeOffset since)
    {
        context.TouchedRooms.Add(room);
        context.ChangedTeams.Add(team);
        context.States.Forget(room);
        var rebuilt = Rebuild(context, team, room);
        RewriteFrom(context, team, room, rebuilt, since);
        context.BumpVersion(team, room, rebuilt);
    }

    /// <summary>
    /// Puts late events into the room's sweep, reading back only the window of events they change, and stores the
    /// sessions of that window whose stored form changes: a session keeps the id of the oldest stored session it
    /// overlaps, stored sessions it absorbed become aliases of it, and stored sessions that no longer exist go.
    /// </summary>
    private static void InsertLate(WriteContext context, TeamId team, RoomId room, RoomSweep sweep, IReadOnlyList<LawEvent> late)
    {
        // The window is read from the store and its ids matched against it: both must include what this command wrote.
        context.Held.Flush(context);
        var horizon = RoomHistory.From(context, team, room);
        var insertion = sweep.TryInsertLate(late, (from, until) => LawEvents(context, team, room, horizon, from, until))
            ?? throw new InvalidOperationException("A sweep that can insert late events returned no insertion.");
        var stored = StoredSpans(context, team, room, insertion.From, insertion.Until);
        if (stored.Count > 0)
        {
            context.MarkUsage(team, room, DbTime.Ms(stored.Min(s => s.Start)));
        }

        var writes = insertion.Identify(stored);
        WriteAliases(context, team, writes.Aliases);

        // Rewritten sessions get their participants anew (one may have lost some); removed ones lose theirs and their row.
        var storedIds = stored.Select(s => s.Id).ToHashSet();
        var cleared = writes.Removed.Concat(writes.Write.Select(s => s.Id!.Value).Where(storedIds.Contains))
            .Distinct().Select(id => id.ToString()).ToArray();
        if (cleared.Length > 0)
        {
            context.Execute($"DELETE FROM participants WHERE {context.Dialect.InList("session_id", "ids")}", new { ids = cleared });
        }

        if (writes.Removed.Count > 0)
        {
            context.Execute($"DELETE FROM sessions WHERE team_id = @team AND {context.Dialect.InList("id", "ids")}",
                new { team = team.ToString(), ids = writes.Removed.Select(id => id.ToString()).ToArray() });
        }

        foreach (var s in writes.Write)
        {
            context.Held.Add(team, room, ReferenceEquals(s, sweep.Current) ? sweep.CurrentAt(context.Now)! : s);
        }

        WriteTouched(context, team, room, sweep);
    }

    /// <summary>
    /// A room's law events from its history's start (<paramref name="horizon"/>, see <see cref="RoomHistory"/>), or those
    /// with <paramref name="from"/> &lt;= time &lt; <paramref name="until"/> (each bound only when given).
    /// </summary>
    private static IEnumerable<LawEvent> LawEvents(WriteContext context, TeamId team, RoomId room, long? horizon, DateTimeOffset? from = null, DateTimeOffset? until = null)
    {
        // Events before the horizon may still be stored while retention deletes them in steps: the law no longer sees them.
        var lower = horizon is { } h && (from is null || DbTime.Ms(from.Value) < h) ? h : DbTime.Ms(from);
        return context.Query<(string Id, string Type, long Ts, long Flags, string? ExternalId, string? ConnectionId, string? Name, string? Role, string? Data)>(
                context.Dialect.LawEventsSql + (lower is null ? "" : " AND ts >= @from") + (until is null ? "" : " AND ts < @until"),
                new { team = team.ToString(), room = room.ToString(), from = lower, until = DbTime.Ms(until) })
            .Select(r => RoomHistory.Clip(LawMapping.Map(r.Id, r.Type, DbTime.At(r.Ts), r.ExternalId, r.ConnectionId, r.Name, r.Role,
                LawFacts.Parse(r.Type, r.Data, (LawFlags)r.Flags))!, horizon));
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
        var law = LawEvents(context, team, room, RoomHistory.From(context, team, room));
        var sweep = RoomLaw.Replay(law, LoadPolicy(context, room));
        var (aliases, _) = SessionIdentity.Assign(sweep.Sessions, StoredSpans(context, team, room));
        WriteAliases(context, team, aliases);
        return sweep;
    }

    /// <summary>Absorbed ids resolve to the session that absorbed them, and so do the ids that resolved to them.</summary>
    private static void WriteAliases(WriteContext context, TeamId team, IEnumerable<SessionAlias> aliases)
    {
        foreach (var alias in aliases)
        {
            var ids = new { from = alias.Absorbed.ToString(), team = team.ToString(), to = alias.Survivor.ToString() };
            context.Execute("UPDATE session_aliases SET session_id = @to WHERE team_id = @team AND session_id = @from", ids);
            context.Execute(
                "INSERT INTO session_aliases (team_id, alias_id, session_id) VALUES (@team, @from, @to) ON CONFLICT (team_id, alias_id) DO UPDATE SET session_id = excluded.session_id",
                ids);
        }
    }

    /// <summary>The room's stored sessions, or those starting from <paramref name="from"/> and before <paramref name="until"/>.</summary>
    private static List<StoredSpan> StoredSpans(WriteContext context, TeamId team, RoomId room, DateTimeOffset? from = null, DateTimeOffset? until = null) =>
        [.. context.Query<(string Id, long Start, long? End)>(
                "SELECT id, start_time, end_time FROM sessions WHERE team_id = @team AND room_id = @room"
                + (from is null ? "" : " AND start_time >= @from") + (until is null ? "" : " AND start_time < @until"),
                new { team = team.ToString(), room = room.ToString(), from = DbTime.Ms(from), until = DbTime.Ms(until) })
            .Select(s => new StoredSpan(new SessionId(Guid.Parse(s.Id)), DbTime.At(s.Start), DbTime.At(s.End)))];

    /// <summary>
    /// Writes a recomputed room from <paramref name="since"/> on: sessions stored as ended before it are final and
    /// stay as they are; every other stored session of the room is replaced by what the law computes now.
    /// </summary>
    private static void RewriteFrom(WriteContext context, TeamId team, RoomId room, RoomSweep sweep, DateTimeOffset since)
    {
        var spans = StoredSpans(context, team, room);
        var final = spans.Where(s => s.End is { } end && end < since).Select(s => s.Id).ToHashSet();
        if (spans.Where(s => !final.Contains(s.Id)).Select(s => (DateTimeOffset?)s.Start).Min() is { } earliest)
        {
            // The sessions about to go may have covered more than the ones that replace them.
            context.MarkUsage(team, room, DbTime.Ms(earliest));
        }

        var roomText = room.ToString();
        var cutoff = DbTime.Ms(since);
        context.Execute(
            // Session ids are unique across teams; naming the team here would lead the planner to walk all its participants.
            "DELETE FROM participants WHERE session_id IN (SELECT id FROM sessions WHERE team_id = @team AND room_id = @roomText AND (end_time IS NULL OR end_time >= @cutoff))",
            new { team = team.ToString(), roomText, cutoff });
        context.Execute("DELETE FROM sessions WHERE team_id = @team AND room_id = @roomText AND (end_time IS NULL OR end_time >= @cutoff)",
            new { team = team.ToString(), roomText, cutoff });
        var stored = spans.Select(s => s.Id).ToHashSet();
        bool? trimmed = null;
        foreach (var s in sweep.Sessions)
        {
            s.Id ??= SessionId.New(s.Start);

            // In a room whose older history was deleted, a session the replay makes that ended before the new events and
            // is not stored comes only from what the law no longer sees (a leave whose join was deleted): it is not written.
            if (s.End is { } end && end < since && !stored.Contains(s.Id.Value) && (trimmed ??= RoomHistory.From(context, team, room) is not null))
            {
                final.Add(s.Id.Value);
            }
        }

        foreach (var s in sweep.ViewAt(context.Now).Where(s => !final.Contains(s.Id!.Value)).OrderBy(s => s.Start))
        {
            context.Held.Add(team, room, s);
        }

        sweep.TakeTouched();
        sweep.ReleaseEnded();
    }
}
