using System.Data.Common;
using Dapper;

namespace Callscope.Data.Usage;

/// <summary>
/// How far a team's stored roll-ups can be trusted, read in one go: every team hour before <see cref="CleanHours"/>
/// and every room day before <see cref="DaysUntil"/> (rooms without a mark) is stored as the sessions say it is;
/// the rest is computed from the sessions. A team the worker has not reached yet has nothing clean.
/// </summary>
internal sealed record UsageState(long HoursUntil, long DaysUntil, long LongestMs, IReadOnlyDictionary<string, (long From, long Version)> Marks)
{
    /// <summary>How many times the worker has stored the team's roll-ups: what was read from them holds while this stays.</summary>
    public long Generation { get; init; }

    /// <summary>
    /// The team's number in <c>usage_changes</c> as this snapshot sees it, read once per statistics read for everything
    /// that keeps reads between them (see <see cref="ChangeNumbers"/>); 0 where not read.
    /// </summary>
    public long ChangeNumber { get; init; }

    /// <summary>The longest ended session that started at or after the earliest mark (0 without marks).</summary>
    public long MarkedLongestMs { get; init; }

    public const long HourMs = 3_600_000;
    public const long DayMs = 86_400_000;

    public bool Exists { get; init; } = true;

    /// <summary>
    /// The team's retention horizon (a day boundary; 0 when nothing was deleted): hours and days before it are final as
    /// stored, and marks reach no further back than it.
    /// </summary>
    public long RetainedFrom { get; init; }

    /// <summary>The end of a room's clean days: a marked room's days are clean only before the retention horizon.</summary>
    public long CleanDays(string room) => Marked(room) ? Math.Min(DaysUntil, RetainedFrom) : DaysUntil;

    public long? EarliestMark => Marks.Count == 0 ? null : Marks.Values.Min(m => m.From);

    /// <summary>The end of the team's clean hours.</summary>
    public long CleanHours => EarliestMark is { } mark ? Math.Min(HoursUntil, Floor(mark, HourMs)) : HoursUntil;

    public bool Marked(string room) => Marks.ContainsKey(room);

    /// <summary>
    /// How long before a stretch an ended session that overlaps it can have started: the longest the worker has
    /// measured, or the longest stored since the earliest mark, since a session the worker has not measured yet
    /// started at or after its room's mark (open sessions are read wherever they start).
    /// </summary>
    public long Longest => Math.Max(LongestMs, MarkedLongestMs);

    public static long Floor(long ms, long unit) => ms - (((ms % unit) + unit) % unit);

    public static long Ceil(long ms, long unit) => Floor(ms + unit - 1, unit);

    public static UsageState Read(DbConnection connection, DbTransaction? transaction, string team)
    {
        var row = connection.QuerySingleOrDefault<(long HoursUntil, long DaysUntil, long Longest, long Generation, long RetainedFrom)?>(
            "SELECT hours_until, days_until, longest_ms, generation, retained_from FROM usage_state WHERE team_id = @team", new { team }, transaction);
        var retainedFrom = row?.RetainedFrom ?? 0;
        // A change before the retention horizon is not measured again: the sessions it would be measured from may be gone.
        var marks = connection.Query<(string Room, long From, long Version)>(
                "SELECT room_id, from_ts, version FROM usage_marks WHERE team_id = @team", new { team }, transaction)
            .ToDictionary(m => m.Room, m => (Math.Max(m.From, retainedFrom), m.Version), StringComparer.Ordinal);
        // Read once here rather than bounding by the mark's age, which made every hour of a look read back to the mark.
        var markedLongest = marks.Count == 0 ? 0 : connection.ExecuteScalar<long?>(
            "SELECT MAX(end_time - start_time) FROM sessions WHERE team_id = @team AND start_time >= @from AND end_time IS NOT NULL",
            new { team, from = marks.Values.Min(m => m.Item1) }, transaction) ?? 0;
        return row is { } r
            ? new UsageState(r.HoursUntil, r.DaysUntil, r.Longest, marks) { MarkedLongestMs = markedLongest, Generation = r.Generation, RetainedFrom = retainedFrom }
            : new UsageState(0, 0, 0, marks) { Exists = false, MarkedLongestMs = markedLongest };
    }
}
