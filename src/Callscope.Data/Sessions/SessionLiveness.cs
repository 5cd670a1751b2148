using Callscope.Core.Law;

namespace Callscope.Data.Sessions;

/// <summary>
/// The SQL form of Core's end-by-deadline rule (<see cref="StoredSession"/>): a session whose deadline has passed has
/// ended, whether or not the writer has written that end yet. Every query that asks whether a session is live, ended or
/// due takes its condition from here, and every row it reads goes through <see cref="StoredSession.At"/>.
/// </summary>
/// <remarks>
/// Each condition reads the sessions table under the alias <c>s</c> and the instant as <c>@now</c>, in the store's
/// milliseconds (<see cref="DbTime.Ms(DateTimeOffset)"/>). Flooring the instant to a millisecond changes no answer:
/// deadlines are whole milliseconds, and a whole millisecond is at or before an instant exactly when it is at or
/// before that instant's millisecond. A stored session with an end has no deadline (<see cref="SessionRecord.Deadline"/>).
/// </remarks>
public static class SessionLiveness
{
    /// <summary>Its deadline, if any, still ahead of <c>@now</c>.</summary>
    private const string DeadlineAhead = "(s.deadline IS NULL OR s.deadline > @now)";

    /// <summary>Live at <c>@now</c>: no end written, and its deadline (if any) still ahead.</summary>
    public const string Live = "(s.end_time IS NULL AND " + DeadlineAhead + ")";

    /// <summary>
    /// <see cref="Live"/> for a session reached by its id from another table's row. The end is tested as
    /// <c>s.end_time + 0</c>, which does not imply the predicate of <c>sessions_live</c>, so each session is read by its
    /// id. Otherwise PostgreSQL, whose statistics may date from a time with few calls live, can choose to scan every
    /// live session for each row (74 ms for a page of participants against 2,000 live sessions, where reading each
    /// session by id takes a few).
    /// </summary>
    public const string LiveById = "(s.end_time + 0 IS NULL AND " + DeadlineAhead + ")";

    /// <summary>Ended at <c>@now</c>: an end written, or a deadline that has passed.</summary>
    public const string Ended = "NOT " + Live;

    /// <summary>
    /// Ended by its deadline at <c>@now</c> with no end written yet (<see cref="StoredSession.IsDueAt"/>): what the
    /// sweeper looks for and the writer's expiry ends in the store. It matches the partial index <c>sessions_due</c>.
    /// </summary>
    public const string Due = "(s.end_time IS NULL AND s.deadline <= @now)";

    /// <summary>
    /// Two columns over live sessions: how many have someone in them, and how many are empty and ending soon (the grace
    /// period), as BIGINT on both stores.
    /// </summary>
    public const string ActiveAndEndingSoon =
        "CAST(COALESCE(SUM(CASE WHEN s.active_connections > 0 THEN 1 ELSE 0 END), 0) AS BIGINT), "
        + "CAST(COALESCE(SUM(CASE WHEN s.active_connections = 0 THEN 1 ELSE 0 END), 0) AS BIGINT)";
}
