using Callscope.Core;

namespace Callscope.Data.Usage;

/// <summary>
/// The usage computed the slow way, straight from every stored session that may overlap the period and nothing else:
/// what <see cref="UsageQueries"/> must answer whatever its roll-ups hold (the usage property tests compare the two).
/// </summary>
internal sealed class UsageReference(CallscopeDatabase database, TimeProvider clock)
{
    public UsageFigures Team(TeamId team, DateTimeOffset from, DateTimeOffset to) => Figures(team, null, from, to);

    public UsageFigures Room(TeamId team, RoomId room, DateTimeOffset from, DateTimeOffset to) => Figures(team, room, from, to);

    public IReadOnlyList<TimelinePoint> Timeline(TeamId team, DateTimeOffset from, DateTimeOffset to, UsageInterval interval)
    {
        var (sessions, participants, a, b) = Load(team, null, from, to);
        var points = new List<TimelinePoint>();
        if (b <= a)
        {
            return points;
        }

        for (var start = UsageQueries.Align(from, interval); DbTime.Ms(start) < b; start = UsageQueries.Next(start, interval))
        {
            var end = UsageQueries.Next(start, interval);
            points.Add(UsageSweep.Measure(sessions, participants, Math.Max(a, DbTime.Ms(start)), Math.Min(b, DbTime.Ms(end))).Point(start, end));
        }

        return points;
    }

    /// <summary>Each room's participation minutes and sessions started, for the rooms with minutes.</summary>
    public IReadOnlyDictionary<RoomId, (double Minutes, int Sessions)> Rooms(TeamId team, DateTimeOffset from, DateTimeOffset to)
    {
        var (sessions, participants, a, b) = Load(team, null, from, to);
        return sessions.GroupBy(s => s.Room)
            .Select(g => (Room: new RoomId(Guid.Parse(g.Key)), Counts: UsageSweep.Measure(g, participants, a, b)))
            .Where(r => r.Counts.TotalMs > 0)
            .ToDictionary(r => r.Room, r => (UsageCounts.Minutes(r.Counts.TotalMs), (int)r.Counts.Sessions));
    }

    private UsageFigures Figures(TeamId team, RoomId? room, DateTimeOffset from, DateTimeOffset to)
    {
        var (sessions, participants, a, b) = Load(team, room, from, to);
        var rooms = sessions.Where(s => s.Start >= a && s.Start < b).Select(s => s.Room).Distinct().Count();
        return UsageSweep.Measure(sessions, participants, a, b).Figures(from, to, rooms);
    }

    private (List<UsageSession> Sessions, ILookup<string, UsageParticipant> Participants, long A, long B) Load(TeamId team, RoomId? room, DateTimeOffset from, DateTimeOffset to)
    {
        var now = clock.GetUtcNow();
        var (a, b) = (DbTime.Ms(from), Math.Min(DbTime.Ms(to), DbTime.Ms(now)));
        if (b <= a)
        {
            return ([], Array.Empty<UsageParticipant>().ToLookup(p => p.Session), a, a);
        }

        using var connection = database.Open();
        var (sessions, participants) = UsageSource.Load(connection, null, team.ToString(), room?.ToString(), a, b, longest: null, now);
        return (sessions, participants, a, b);
    }
}
