using System.Runtime.InteropServices;

namespace Callscope.Core.Law;

/// <summary>
/// Late events: events that sort before the cursor. The law is a sweep in time order, so nothing before the first
/// instant a late event changes can change, and once the sweep is between sessions again with the same memory of
/// every key that appears later, nothing after that can change either. A late event is therefore applied by
/// replaying only the window between those two session boundaries and putting the result in place.
/// </summary>
public sealed partial class RoomSweep
{
    /// <summary>What the sweep remembers of one connection key.</summary>
    private struct KeyHistory
    {
        /// <summary>The time of the key's first event (join, inferred join or leave).</summary>
        public DateTimeOffset First;

        /// <summary>The time of its last event.</summary>
        public DateTimeOffset Last;

        /// <summary>The time of its last join that was not inferred.</summary>
        public DateTimeOffset? LastRealJoin;
    }

    /// <summary>A join inferred from a leave that carries its join time, and the leave's time once it is applied.</summary>
    private sealed class InferredJoin(LawEvent join)
    {
        public LawEvent Join { get; } = join;

        public DateTimeOffset LeaveTime { get; set; } = DateTimeOffset.MaxValue;
    }

    /// <summary>When a session started and, once it has, ended.</summary>
    private readonly record struct SessionSpan(DateTimeOffset Start, DateTimeOffset? End);

    /// <summary>Whether <see cref="TryInsertLate"/> can be exact; false once the policy changed while sessions existed.</summary>
    public bool CanInsertLate => !policyChangedMidway;

    /// <summary>
    /// Appends, in the law's order, the events that can be appended, and returns the others: the late events, for
    /// <see cref="TryInsertLate"/> once what was appended is stored.
    /// </summary>
    public IReadOnlyList<LawEvent> AppendInOrder(IEnumerable<LawEvent> events)
    {
        List<LawEvent> late = [];
        foreach (var e in events.DistinctBy(e => e.Id, StringComparer.Ordinal).OrderBy(e => e.Order))
        {
            if (CanAppend(e))
            {
                Append(e);
            }
            else
            {
                late.Add(e);
            }
        }

        return late;
    }

    /// <summary>
    /// Applies events that sort before <see cref="Cursor"/> (or whose inferred join does), with the result
    /// <see cref="RoomLaw.Replay"/> of every event gives, by replaying only the window of history from the session
    /// boundary before the first instant they change to the first later boundary where the sweep's memory agrees
    /// again (or to the end).
    /// </summary>
    /// <param name="late">Events this sweep has not applied, in any order.</param>
    /// <param name="loadWindow">
    /// The room's law events whose time <c>t</c> is <c>from &lt;= t &lt; until</c> (no upper bound when <c>until</c> is
    /// null): those this sweep applied, and optionally <paramref name="late"/>. Any order; duplicates are ignored.
    /// </param>
    /// <returns>
    /// What changed, or null when only a replay of the whole room is exact (<see cref="CanInsertLate"/> is false);
    /// the sweep is then unchanged.
    /// </returns>
    public LateInsertion? TryInsertLate(IEnumerable<LawEvent> late, Func<DateTimeOffset, DateTimeOffset?, IEnumerable<LawEvent>> loadWindow)
    {
        if (policyChangedMidway)
        {
            return null;
        }

        var distinct = late.DistinctBy(e => e.Id, StringComparer.Ordinal).ToList();
        return distinct.Count == 0 ? LateInsertion.Nothing : InsertLate(distinct, loadWindow);
    }

    private LateInsertion InsertLate(List<LawEvent> late, Func<DateTimeOffset, DateTimeOffset?, IEnumerable<LawEvent>> loadWindow)
    {
        var (earliest, latest, noLongerInferred) = Reach(late);
        var lateKeys = late.Where(e => e.Kind is LawKind.Join or LawKind.Leave).Select(e => e.ConnectionKey).ToHashSet(StringComparer.Ordinal);
        var lateIds = late.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);

        var start = BoundaryAtOrBefore(earliest);
        var before = WindowFrom(start);
        var after = WindowFrom(start);
        var from = start;
        var next = CleanStartAfter(latest, 0);
        var stride = 1;
        DateTimeOffset? until;
        while (true)
        {
            until = next < spans.Count ? spans[next].Start : null;
            var (chunkFrom, chunkUntil) = (from, until);
            bool InChunk(DateTimeOffset t) => t >= chunkFrom && (chunkUntil is not { } u || t < u);

            var stored = loadWindow(from, until)
                .Where(e => InChunk(e.Time) && !lateIds.Contains(e.Id))
                .DistinctBy(e => e.Id, StringComparer.Ordinal)
                .ToList();
            var inferred = inferredJoins.Where(i => InChunk(i.Value.Join.Time)).ToList();
            before.ApplyInOrder([.. stored, .. inferred.Select(i => i.Value.Join)]);

            List<LawEvent> now = [.. stored, .. inferred.Where(i => !noLongerInferred.Contains(i.Key)).Select(i => i.Value.Join)];
            if (from == start)
            {
                now.AddRange(late);
                now.AddRange(JoinsToInfer(late, now));
            }

            after.ApplyInOrder(now);
            if (until is not { } boundary)
            {
                break;
            }

            var settled = after.SettleBefore(boundary) & before.SettleBefore(boundary);
            if (settled && lateKeys.All(key => RemembersAlike(key, boundary)))
            {
                break;
            }

            // Not there yet: the next try reaches twice as many sessions further, so that a window spanning many
            // sessions (a merge of all of them) costs a few reads, not one a session.
            from = boundary;
            for (var step = 0; step < stride && next < spans.Count; step++)
            {
                next = CleanStartAfter(spans[next].Start, next + 1);
            }

            stride *= 2;
        }

        return Splice(start, until, before, after, noLongerInferred);
    }

    /// <summary>
    /// The first and last instants late events change: their own times, the joins inferred for their leaves, and
    /// the inferred joins that their joins make unnecessary (a real join between a leave's join time and the leave).
    /// </summary>
    private (DateTimeOffset Earliest, DateTimeOffset Latest, HashSet<string> NoLongerInferred) Reach(List<LawEvent> late)
    {
        var earliest = DateTimeOffset.MaxValue;
        var latest = DateTimeOffset.MinValue;
        var noLongerInferred = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in late)
        {
            var first = e is { Kind: LawKind.Leave, JoinedAt: { } joinedAt } && joinedAt < e.Time ? joinedAt : e.Time;
            earliest = first < earliest ? first : earliest;
            latest = e.Time > latest ? e.Time : latest;
            if (e is not { Kind: LawKind.Join, SyntheticFor: null })
            {
                continue;
            }

            var key = e.ConnectionKey;
            foreach (var (leaveId, inferred) in inferredJoins)
            {
                if (inferred.Join.Time <= e.Time && e.Time < inferred.LeaveTime && inferred.Join.ConnectionKey == key)
                {
                    noLongerInferred.Add(leaveId);
                    earliest = inferred.Join.Time < earliest ? inferred.Join.Time : earliest;
                }
            }
        }

        return (earliest, latest, noLongerInferred);
    }

    /// <summary>
    /// The latest instant at or before <paramref name="at"/> that no session spans: every session that started
    /// before it ended before it, so the sweep is between sessions there.
    /// </summary>
    private DateTimeOffset BoundaryAtOrBefore(DateTimeOffset at)
    {
        var j = LastSpanStartingBefore(at);
        if (j < 0 || spans[j].End < at)
        {
            return at;
        }

        while (j > 0 && !(spans[j - 1].End < spans[j].Start))
        {
            j--;
        }

        return spans[j].Start;
    }

    private int LastSpanStartingBefore(DateTimeOffset at)
    {
        var (low, high) = (0, spans.Count);
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (spans[middle].Start < at)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low - 1;
    }

    /// <summary>The first session from index <paramref name="from"/> on that starts after <paramref name="at"/> with its predecessor ended before.</summary>
    private int CleanStartAfter(DateTimeOffset at, int from)
    {
        for (var m = Math.Max(from, LastSpanStartingBefore(at) + 1); m < spans.Count; m++)
        {
            if (spans[m].Start > at && (m == 0 || spans[m - 1].End < spans[m].Start))
            {
                return m;
            }
        }

        return spans.Count;
    }

    /// <summary>
    /// Whether the sweep with and without the late events remembers <paramref name="key"/> alike at
    /// <paramref name="boundary"/>, as far as events from there on can tell: they only ask whether it was seen.
    /// </summary>
    private bool RemembersAlike(string key, DateTimeOffset boundary) =>
        !keys.TryGetValue(key, out var history) || history.Last < boundary || history.First < boundary;

    /// <summary>A sweep for replaying the room's history from <paramref name="start"/>, where no session is live.</summary>
    private RoomSweep WindowFrom(DateTimeOffset start) => new(Policy)
    {
        seenBeforeWindow = key => keys.TryGetValue(key, out var history) && history.First < start,
    };

    /// <summary>The joins the law infers for late leaves, decided as <see cref="RoomLaw.Replay"/> decides them.</summary>
    private static IEnumerable<LawEvent> JoinsToInfer(List<LawEvent> late, List<LawEvent> window) =>
        late.Where(leave => leave is { Kind: LawKind.Leave, JoinedAt: { } joinedAt } && joinedAt < leave.Time
                && !window.Exists(j => j is { Kind: LawKind.Join, SyntheticFor: null } && j.Time >= joinedAt && j.Time < leave.Time
                    && j.ConnectionKey == leave.ConnectionKey))
            .Select(SyntheticJoinFor);

    /// <summary>Applies a window's events (inferred joins included) in the law's order.</summary>
    private void ApplyInOrder(List<LawEvent> events)
    {
        events.Sort((a, b) => a.Order.CompareTo(b.Order));
        foreach (var e in events.DistinctBy(e => e.Id, StringComparer.Ordinal))
        {
            Apply(e);
        }
    }

    /// <summary>
    /// Ends the live session if its deadline falls before <paramref name="boundary"/> (the next event, at or after the
    /// boundary, would end it there); true when no session is live then.
    /// </summary>
    private bool SettleBefore(DateTimeOffset boundary)
    {
        if (Current is { Deadline: { } due } && due.At < boundary)
        {
            Expire(due.At);
        }

        return Current is null;
    }

    /// <summary>Puts the window's replay in place of the sessions and memory it recomputed.</summary>
    private LateInsertion Splice(DateTimeOffset start, DateTimeOffset? until, RoomSweep before, RoomSweep after, HashSet<string> noLongerInferred)
    {
        bool InWindow(DateTimeOffset t) => t >= start && (until is not { } u || t < u);

        // A replaced session with changes not yet taken must be written even where the late events left it alone.
        var replaced = sessions.Where(s => InWindow(s.Start)).ToList();
        var pending = replaced.Where(touched.Contains).Select(s => s.Start).ToHashSet();
        touched.ExceptWith(replaced);
        sessions.RemoveAll(s => InWindow(s.Start));
        sessions.InsertRange(IndexAfter(sessions, s => s.Start < start), after.sessions);
        spans.RemoveAll(s => InWindow(s.Start));
        spans.InsertRange(IndexAfter(spans, s => s.Start < start), after.spans);

        if (until is null)
        {
            // The window reaches the last event: the live session and what it holds are the replay's.
            Current = after.Current;
            Replace(open, after.open);
            Replace(currentParticipants, after.currentParticipants);
            Replace(openPerParticipant, after.openPerParticipant);
            foreach (var key in after.keys.Keys)
            {
                unmatchedLeaves.Remove(key);
            }

            foreach (var (key, leave) in after.unmatchedLeaves)
            {
                unmatchedLeaves[key] = leave;
            }

            Cursor = Cursor is { } cursor && after.Cursor is { } last && cursor > last ? cursor : after.Cursor ?? Cursor;
        }

        MergeKeys(start, until, after);
        foreach (var leaveId in noLongerInferred)
        {
            inferredJoins.Remove(leaveId);
        }

        foreach (var (leaveId, inferred) in after.inferredJoins)
        {
            inferredJoins.TryAdd(leaveId, inferred);
        }

        var changed = after.sessions
            .Where(s => pending.Contains(s.Start) || !before.sessions.Exists(b => b.Start == s.Start && SessionForm.Same(b, s)))
            .ToList();
        return new LateInsertion(start, until, [.. before.sessions], [.. after.sessions], changed);
    }

    /// <summary>
    /// What the sweep remembers of the keys the window saw: the earliest and latest events outside the window still
    /// count, the window's own replace those the window held.
    /// </summary>
    private void MergeKeys(DateTimeOffset start, DateTimeOffset? until, RoomSweep after)
    {
        foreach (var (key, seen) in after.keys)
        {
            ref var history = ref CollectionsMarshal.GetValueRefOrAddDefault(keys, key, out var known);
            if (!known)
            {
                history = seen;
                continue;
            }

            if (history.First >= start)
            {
                history.First = seen.First;
            }

            if (until is not { } u || history.Last < u)
            {
                history.Last = seen.Last;
            }

            if (seen.LastRealJoin > history.LastRealJoin || history.LastRealJoin is null)
            {
                history.LastRealJoin = seen.LastRealJoin;
            }
        }
    }

    private static int IndexAfter<T>(List<T> list, Predicate<T> before)
    {
        var index = list.FindIndex(x => !before(x));
        return index < 0 ? list.Count : index;
    }

    private static void Replace<TKey, TValue>(Dictionary<TKey, TValue> target, Dictionary<TKey, TValue> source)
        where TKey : notnull
    {
        target.Clear();
        foreach (var (key, value) in source)
        {
            target[key] = value;
        }
    }
}
