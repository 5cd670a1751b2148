namespace Callscope.Core.Law;

/// <summary>A session as the store knows it, for keeping ids stable across a recomputation.</summary>
public readonly record struct StoredSpan(SessionId Id, DateTimeOffset Start, DateTimeOffset? End);

/// <summary>An id that no longer names a session of its own and resolves to the session that absorbed it.</summary>
public readonly record struct SessionAlias(SessionId Absorbed, SessionId Survivor);

public static class SessionIdentity
{
    /// <summary>
    /// Gives each recomputed session the id of the oldest stored session it overlaps; other stored sessions it
    /// overlaps become aliases of it. Sessions overlapping nothing get a new id.
    /// </summary>
    /// <returns>The aliases, and the stored ids that name nothing any more.</returns>
    public static (IReadOnlyList<SessionAlias> Aliases, IReadOnlyList<SessionId> Vanished) Assign(
        IReadOnlyList<SessionRecord> computed, IReadOnlyList<StoredSpan> stored)
    {
        var taken = new HashSet<SessionId>();
        var aliases = new List<SessionAlias>();
        foreach (var session in computed.OrderBy(s => s.Start))
        {
            var overlapping = stored
                .Where(s => !taken.Contains(s.Id) && Overlaps(s.Start, s.End, session.Start, session.End))
                .OrderBy(s => s.Start).ThenBy(s => s.Id.Value)
                .ToList();
            if (overlapping.Count == 0)
            {
                session.Id = SessionId.New(session.Start);
                continue;
            }

            session.Id = overlapping[0].Id;
            foreach (var span in overlapping)
            {
                taken.Add(span.Id);
                if (span.Id != session.Id)
                {
                    aliases.Add(new SessionAlias(span.Id, session.Id.Value));
                }
            }
        }

        var vanished = stored.Select(s => s.Id).Where(id => !taken.Contains(id)).ToList();
        return (aliases, vanished);
    }

    private static bool Overlaps(DateTimeOffset aStart, DateTimeOffset? aEnd, DateTimeOffset bStart, DateTimeOffset? bEnd) =>
        aStart < (bEnd ?? DateTimeOffset.MaxValue) && bStart < (aEnd ?? DateTimeOffset.MaxValue)
        || aStart == bStart;
}
