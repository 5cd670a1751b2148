namespace Callscope.Core.Law;

/// <summary>
/// What <see cref="RoomSweep.TryInsertLate"/> recomputed: the window of the room's history it replayed (sessions
/// that start at or after <see cref="From"/> and before <see cref="Until"/>), and the window's sessions before and
/// after. Sessions outside the window are exactly as they were.
/// </summary>
/// <param name="Until">Where the window ends; null when it reaches the room's last event.</param>
/// <param name="Before">The window's sessions as they were (recomputed, without ids).</param>
/// <param name="After">The window's sessions now, as the sweep holds them (without ids until <see cref="Identify"/>).</param>
/// <param name="Changed">The sessions of <see cref="After"/> that differ from every session of <see cref="Before"/>.</param>
public sealed record LateInsertion(
    DateTimeOffset From,
    DateTimeOffset? Until,
    IReadOnlyList<SessionRecord> Before,
    IReadOnlyList<SessionRecord> After,
    IReadOnlyList<SessionRecord> Changed)
{
    /// <summary>Nothing was late: every event was appended.</summary>
    public static LateInsertion Nothing { get; } = new(DateTimeOffset.MaxValue, DateTimeOffset.MaxValue, [], [], []);

    /// <summary>Whether a session starting at <paramref name="start"/> lies in the window.</summary>
    public bool Covers(DateTimeOffset start) => start >= From && (Until is not { } until || start < until);

    /// <summary>
    /// Gives the window's sessions their ids from the stored sessions, as <see cref="SessionIdentity.Assign"/> does for
    /// a whole room (sessions outside the window overlap no stored session inside it, nor the reverse), and says
    /// what the store must write: the sessions whose stored form changes or that take another id, and the stored
    /// sessions that no longer exist (absorbed into another, or gone).
    /// </summary>
    /// <param name="stored">The room's stored sessions; those outside the window are ignored.</param>
    public SessionWrites Identify(IReadOnlyList<StoredSpan> stored)
    {
        var inWindow = stored.Where(s => Covers(s.Start)).ToList();
        var (aliases, vanished) = SessionIdentity.Assign(After, inWindow);
        var removed = vanished.Concat(aliases.Select(a => a.Absorbed)).Distinct().ToList();
        var write = After
            .Where(s => Changed.Contains(s) || !inWindow.Exists(p => p.Id == s.Id && p.Start == s.Start && p.End == s.End))
            .ToList();
        return new SessionWrites(write, aliases, removed);
    }
}

/// <summary>What the store writes for a late insertion.</summary>
/// <param name="Write">Sessions to store (with their participants), oldest first.</param>
/// <param name="Aliases">Stored ids that now resolve to the session that absorbed them.</param>
/// <param name="Removed">Stored sessions whose rows go: absorbed or vanished.</param>
public sealed record SessionWrites(IReadOnlyList<SessionRecord> Write, IReadOnlyList<SessionAlias> Aliases, IReadOnlyList<SessionId> Removed);
