using System.Runtime.InteropServices;

namespace Callscope.Core.Law;

/// <summary>
/// The session law as a state machine over one room's events taken in <see cref="LawOrder"/>. Appending an event
/// that comes after everything seen so far is the fast path; anything else needs <see cref="RoomLaw.Compute"/>
/// over the whole event set, or <see cref="TryInsertLate"/>, which replays a window of it. All go through
/// <see cref="Append"/>'s steps, so they cannot disagree.
/// </summary>
public sealed partial class RoomSweep(RoomPolicy policy)
{
    private readonly Dictionary<string, Open> open = new(StringComparer.Ordinal);

    // What the law remembers of each connection key across sessions: whether the key was seen (a leave of a key
    // seen before closes nothing new), and the last real join (whether a leave's join time needs a join inferred).
    private readonly Dictionary<string, KeyHistory> keys = new(StringComparer.Ordinal);

    // Joins inferred from leaves that carry their join time, by the leave's id.
    private readonly Dictionary<string, InferredJoin> inferredJoins = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ParticipantRecord> currentParticipants = new(StringComparer.Ordinal);
    private readonly Dictionary<ParticipantRecord, int> openPerParticipant = new(ReferenceEqualityComparer.Instance);
    private readonly List<SessionRecord> sessions = [];

    // Every session's span, released ones included: where a window replay may start and stop.
    private readonly List<SessionSpan> spans = [];
    private readonly HashSet<SessionRecord> touched = new(ReferenceEqualityComparer.Instance);

    // Leaves that found their connection not open, by connection key. Leaves sort before joins at the same instant,
    // so a join of the same key at the leave's instant is the connection that leave closes (joined and left within
    // the timestamps' resolution): it must not stay open for ever.
    private readonly Dictionary<string, UnmatchedLeave> unmatchedLeaves = new(StringComparer.Ordinal);

    // A replay of a window of the room's history starts after events it does not see: which keys they had seen.
    private Func<string, bool>? seenBeforeWindow;

    // Set when the policy changed while sessions existed: the sessions are no longer those one replay under one
    // policy gives, so a window replay could not be spliced in exactly.
    private bool policyChangedMidway;

    private sealed record Open(ParticipantRecord Participant, ConnectionRecord Connection);

    /// <summary>A leave that closed nothing, with the zero-length connection it made, if it made one.</summary>
    private sealed record UnmatchedLeave(LawEvent Leave, ParticipantRecord? Participant, ConnectionRecord? Orphan);

    public RoomPolicy Policy { get; private set; } = policy;

    public SessionRecord? Current { get; private set; }

    /// <summary>The last event applied; only events after it can take the fast path.</summary>
    public LawOrder? Cursor { get; private set; }

    /// <summary>Every session this sweep has produced that has not been released.</summary>
    public IReadOnlyList<SessionRecord> Sessions => sessions;

    public bool CanAppend(LawEvent e)
    {
        if (Cursor is not { } cursor)
        {
            return true;
        }

        if (e.Order <= cursor)
        {
            return false;
        }

        return !NeedsSyntheticJoin(e) || SyntheticJoinFor(e).Order > cursor;
    }

    /// <summary>Applies one event that comes after <see cref="Cursor"/>.</summary>
    public void Append(LawEvent e)
    {
        if (Cursor is { } cursor && e.Order <= cursor)
        {
            throw new InvalidOperationException($"Event {e.Id} is not after the sweep's cursor; recompute the room instead.");
        }

        if (NeedsSyntheticJoin(e))
        {
            Apply(SyntheticJoinFor(e));
        }

        Apply(e);
    }

    /// <summary>
    /// A setting changed at <paramref name="now"/>: it applies to the live session and to sessions that start
    /// later. A session whose deadline had already passed ended then, and keeps its history.
    /// </summary>
    public void Reconfigure(RoomPolicy newPolicy, DateTimeOffset now)
    {
        Expire(now);
        policyChangedMidway |= spans.Count > 0 && newPolicy != Policy;
        Policy = newPolicy;
        if (Current is { } current)
        {
            current.GracePeriod = newPolicy.GracePeriod;
            current.SessionLength = newPolicy.SessionLength;
            touched.Add(current);
        }
    }

    /// <summary>The sessions as they stand at <paramref name="now"/>, without changing the sweep.</summary>
    public IReadOnlyList<SessionRecord> ViewAt(DateTimeOffset now) => [.. sessions.Select(s => ReferenceEquals(s, Current) ? CurrentAt(now)! : s)];

    /// <summary>The live session as it stands at <paramref name="now"/> (ended there if its deadline has passed).</summary>
    public SessionRecord? CurrentAt(DateTimeOffset now)
    {
        if (Current is not { } current)
        {
            return null;
        }

        if (current.DueBy(now) is not { } due)
        {
            return current;
        }

        var copy = current.Clone();
        Seal(copy, due.At, due.Reason, endedBy: null);
        return copy;
    }

    /// <summary>Sessions changed since the last call, for the store to write.</summary>
    public IReadOnlyList<SessionRecord> TakeTouched()
    {
        var list = touched.ToList();
        touched.Clear();
        return list;
    }

    public void MarkTouched(SessionRecord session) => touched.Add(session);

    /// <summary>Forgets ended sessions that have been written, so that a long-lived room costs little memory.</summary>
    public void ReleaseEnded() => sessions.RemoveAll(s => !ReferenceEquals(s, Current) && !touched.Contains(s));

    internal bool NeedsSyntheticJoin(LawEvent e) =>
        e.Kind == LawKind.Leave
        && e.JoinedAt is { } joinedAt && joinedAt < e.Time
        && !inferredJoins.ContainsKey(e.Id)
        && !(keys.TryGetValue(e.ConnectionKey, out var history) && history.LastRealJoin >= joinedAt);

    internal static LawEvent SyntheticJoinFor(LawEvent leave) => leave with
    {
        Id = leave.Id + "/join",
        Kind = LawKind.Join,
        Time = leave.JoinedAt!.Value,
        JoinedAt = null,
        Reason = null,
        SyntheticFor = leave.Id,
    };

    private void Apply(LawEvent e)
    {
        Expire(e.Time);
        switch (e.Kind)
        {
            case LawKind.Join:
                ApplyJoin(e);
                break;
            case LawKind.Leave:
                ApplyLeave(e);
                break;
            case LawKind.SessionEnd:
                if (Current is { } live)
                {
                    Seal(live, e.Time, e.EndReason ?? EndReasons.Moderator, e.EndedBy);
                }

                break;
            case LawKind.RoomClosed:
                foreach (var key in open.Keys.ToList())
                {
                    Close(key, e.Time, LeaveReasons.RoomClosed);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(e), e.Kind, "Unknown law kind.");
        }

        Cursor = e.Order;
    }

    private void ApplyJoin(LawEvent e)
    {
        var key = e.ConnectionKey;
        See(key, e.Time, realJoin: e.SyntheticFor is null);
        if (e.SyntheticFor is { } leaveId)
        {
            inferredJoins[leaveId] = new InferredJoin(e);
        }

        if (open.ContainsKey(key))
        {
            Close(key, e.Time, LeaveReasons.Network);
        }

        if (Current is null && e.Passive)
        {
            return;
        }

        var session = Current ?? StartSession(e.Time);
        var participant = ParticipantFor(session, e);
        var connection = new ConnectionRecord
        {
            OpenEventId = e.SyntheticFor ?? e.Id, ConnectionId = e.ConnectionId, JoinTime = e.Time, Passive = e.Passive,
        };
        participant.Connections.Add(connection);
        open[key] = new Open(participant, connection);
        if (!e.Passive)
        {
            session.ActiveConnections++;
            var count = openPerParticipant.GetValueOrDefault(participant) + 1;
            openPerParticipant[participant] = count;
            if (count == 1)
            {
                var liveNow = openPerParticipant.Count(p => p.Value > 0);
                session.MaxConcurrentParticipants = Math.Max(session.MaxConcurrentParticipants, liveNow);
            }
        }

        touched.Add(session);
        CloseAtOnceIfLeftAtTheSameInstant(key, e, session);
    }

    private void CloseAtOnceIfLeftAtTheSameInstant(string key, LawEvent join, SessionRecord session)
    {
        if (!unmatchedLeaves.Remove(key, out var unmatched) || unmatched.Leave.Time != join.Time)
        {
            return;
        }

        // The zero-length connection the leave made stands for this one now (unless a session end at the same
        // instant put the leave in the previous session).
        if (unmatched is { Participant: { } owner, Orphan: { } orphan } && session.Participants.Contains(owner))
        {
            owner.Connections.Remove(orphan);
            if (owner.Connections.Count == 0)
            {
                session.Participants.Remove(owner);
                currentParticipants.Remove(owner.Key);
            }
        }

        Close(key, join.Time, unmatched.Leave.Reason ?? LeaveReasons.Left);
    }

    private void ApplyLeave(LawEvent e)
    {
        var key = e.ConnectionKey;
        var firstSight = See(key, e.Time, realJoin: false);
        if (inferredJoins.TryGetValue(e.Id, out var inferred))
        {
            inferred.LeaveTime = e.Time;
        }

        if (open.ContainsKey(key))
        {
            Close(key, e.Time, e.Reason ?? LeaveReasons.Left);
            return;
        }

        if (!firstSight)
        {
            // A leave for a connection that is already closed (by a session end, or a second leave): log only,
            // unless it says its connection began at this very instant and that join is still to come.
            if (e.JoinedAt == e.Time)
            {
                unmatchedLeaves[key] = new UnmatchedLeave(e, null, null);
            }

            return;
        }

        if (e.Passive && Current is null)
        {
            unmatchedLeaves[key] = new UnmatchedLeave(e, null, null);
            return;
        }

        var session = Current ?? StartSession(e.Time);
        var participant = ParticipantFor(session, e);
        var orphan = new ConnectionRecord
        {
            OpenEventId = e.Id, ConnectionId = e.ConnectionId, JoinTime = e.Time, LeaveTime = e.Time,
            LeaveReason = e.Reason ?? LeaveReasons.Left, JoinMissing = e.JoinedAt != e.Time, Passive = e.Passive,
        };
        participant.Connections.Add(orphan);
        unmatchedLeaves[key] = new UnmatchedLeave(e, participant, orphan);
        if (session.ActiveConnections == 0 && !e.Passive)
        {
            session.LastParticipantLeftAt = e.Time;
            session.MaxConcurrentParticipants = Math.Max(session.MaxConcurrentParticipants, 1);
        }

        touched.Add(session);
    }

    /// <summary>Records an event of <paramref name="key"/>; true when the key had never been seen before.</summary>
    private bool See(string key, DateTimeOffset at, bool realJoin)
    {
        ref var history = ref CollectionsMarshal.GetValueRefOrAddDefault(keys, key, out var known);
        if (!known)
        {
            history.First = at;
        }

        history.Last = at;
        if (realJoin)
        {
            history.LastRealJoin = at;
        }

        return !known && seenBeforeWindow?.Invoke(key) != true;
    }

    private SessionRecord StartSession(DateTimeOffset at)
    {
        var session = new SessionRecord { Start = at, GracePeriod = Policy.GracePeriod, SessionLength = Policy.SessionLength };
        sessions.Add(session);
        spans.Add(new SessionSpan(at, null));
        Current = session;
        currentParticipants.Clear();
        openPerParticipant.Clear();
        touched.Add(session);
        return session;
    }

    private ParticipantRecord ParticipantFor(SessionRecord session, LawEvent e)
    {
        var key = e.ExternalId is { } x ? ParticipantRecord.KeyOf(x) : "e:" + (e.SyntheticFor ?? e.Id);
        if (!currentParticipants.TryGetValue(key, out var participant))
        {
            participant = new ParticipantRecord { Key = key, ExternalId = e.Erased ? null : e.ExternalId, Erased = e.Erased };
            currentParticipants[key] = participant;
            session.Participants.Add(participant);
        }

        participant.Name = e.Erased ? ParticipantRecord.ErasedName : e.Name ?? participant.Name;
        participant.Role = e.Role ?? participant.Role;
        participant.Client = e.Client ?? participant.Client;
        return participant;
    }

    private void Close(string key, DateTimeOffset at, string reason)
    {
        var entry = open[key];
        open.Remove(key);
        entry.Connection.LeaveTime = at;
        entry.Connection.LeaveReason = reason;
        if (Current is not { } session)
        {
            return;
        }

        // A passive connection's leave changes nothing of the session's occupancy, but its participant must be stored again.
        touched.Add(session);
        if (entry.Connection.Passive)
        {
            return;
        }

        openPerParticipant[entry.Participant]--;
        session.ActiveConnections--;
        if (session.ActiveConnections == 0)
        {
            session.LastParticipantLeftAt = at;
        }
    }

    private void Expire(DateTimeOffset until)
    {
        if (Current is { } session && session.DueBy(until) is { } due)
        {
            Seal(session, due.At, due.Reason, endedBy: null);
        }
    }

    /// <summary>Ends a session at <paramref name="at"/>, closing every connection still open.</summary>
    private void Seal(SessionRecord session, DateTimeOffset at, string reason, string? endedBy)
    {
        var wasActive = false;
        foreach (var connection in session.Participants.SelectMany(p => p.Connections).Where(c => c.LeaveTime is null))
        {
            connection.LeaveTime = at;
            connection.LeaveReason = LeaveReasons.SessionEnded;
            wasActive |= !connection.Passive;
        }

        if (wasActive)
        {
            session.LastParticipantLeftAt = at;
        }

        session.ActiveConnections = 0;
        session.End = at;
        session.EndReason = reason;
        session.EndedBy = endedBy;
        if (!ReferenceEquals(session, Current))
        {
            return;
        }

        foreach (var key in open.Where(o => session.Participants.Contains(o.Value.Participant)).Select(o => o.Key).ToList())
        {
            open.Remove(key);
        }

        spans[^1] = spans[^1] with { End = at };
        Current = null;
        touched.Add(session);
    }
}
