namespace Callscope.Core.Law;

/// <summary>
/// A session as the store keeps it: what the law decided at the session's last event, including the deadline it set
/// then (<see cref="SessionRecord.Deadline"/>). Nothing is written between events, so whoever reads a stored session
/// applies the end-by-deadline rule (<see cref="At"/>): a session whose deadline has passed has ended, at its deadline
/// and for its deadline's reason, whether or not the writer has written that end yet. It is the rule by which
/// <see cref="RoomSweep.CurrentAt"/> ends the law's live session; Callscope.Data's <c>SessionLiveness</c> states it in
/// SQL for queries that filter on it.
/// </summary>
public readonly record struct StoredSession(
    DateTimeOffset? End,
    string? EndReason,
    DateTimeOffset? Deadline,
    string? DeadlineReason,
    int ActiveConnections,
    DateTimeOffset? LastParticipantLeftAt)
{
    /// <summary>A deadline has passed from its own instant on: a session due at t has ended at t.</summary>
    public static bool HasPassed(DateTimeOffset deadline, DateTimeOffset now) => deadline <= now;

    /// <summary>When a stored session ended, as of <paramref name="now"/>: its written end, or its deadline once that has passed.</summary>
    public static DateTimeOffset? EndAt(DateTimeOffset? end, DateTimeOffset? deadline, DateTimeOffset now) =>
        end ?? (deadline is { } due && HasPassed(due, now) ? due : null);

    /// <summary>An ended session is ended; an open one is live while a connection keeps it alive, and ending soon otherwise.</summary>
    public static SessionStatus StatusOf(bool ended, int activeConnections) =>
        ended ? SessionStatus.Ended : activeConnections > 0 ? SessionStatus.Live : SessionStatus.EndingSoon;

    /// <summary>Its deadline has passed and no end is written yet: the writer's expiry is still to end it in the store.</summary>
    public bool IsDueAt(DateTimeOffset now) => End is null && Deadline is { } due && HasPassed(due, now);

    /// <summary>The session as it stands at <paramref name="now"/>.</summary>
    public SessionAt At(DateTimeOffset now)
    {
        if (IsDueAt(now))
        {
            // The law ends it at the deadline and closes the connections still open there, so the last one left then.
            return new SessionAt(Deadline, DeadlineReason, ActiveConnections > 0 ? Deadline : LastParticipantLeftAt, SessionStatus.Ended, EndingAt: null);
        }

        var status = StatusOf(End is not null, ActiveConnections);
        return new SessionAt(End, EndReason, LastParticipantLeftAt, status, status == SessionStatus.EndingSoon ? Deadline : null);
    }
}

/// <summary>A stored session as it stands at one instant (see <see cref="StoredSession.At"/>).</summary>
/// <param name="EndingAt">When an ending-soon session ends if nobody joins; null in any other status.</param>
public readonly record struct SessionAt(
    DateTimeOffset? End,
    string? EndReason,
    DateTimeOffset? LastParticipantLeftAt,
    SessionStatus Status,
    DateTimeOffset? EndingAt)
{
    public bool Ended => Status == SessionStatus.Ended;
}
