using System.Data.Common;
using Callscope.Core;
using Callscope.Data.Dialects;
using Dapper;
using static Callscope.Data.Usage.UsageState;

namespace Callscope.Data.Usage;

/// <summary>
/// One read of a team's usage: the stored roll-ups where they are clean, the sessions themselves elsewhere. Times are
/// Unix milliseconds and every stretch is <c>[a, b)</c> with <c>b</c> no later than now.
/// </summary>
internal sealed class UsageRead(
    StoreDialect dialect, DbConnection connection, DbTransaction transaction, string team, UsageState state, DateTimeOffset now,
    HourUnderWay hourUnderWay, StoredRooms storedRooms)
{
    private readonly long nowMs = DbTime.Ms(now);

    /// <summary>The team's counts over <c>[a, b)</c>: stored whole hours, and the rest measured.</summary>
    public UsageCounts Hours(long a, long b)
    {
        var (ha, hb) = Stored(a, b, HourMs, state.CleanHours);
        var counts = ha < hb ? Sum("", ha, hb) : new UsageCounts();
        foreach (var (x, y) in Outside(a, b, ha, hb))
        {
            var until = y;
            if (UnderWay(x, y) is { } current)
            {
                counts.Add(current.Counts);
                until = current.From;
            }

            if (x < until)
            {
                counts.Add(Measure(null, x, until));
            }
        }

        return counts;
    }

    /// <summary>
    /// One room's counts over <c>[a, b)</c>: stored whole days (a marked room's only before the retention horizon), and the
    /// rest measured.
    /// </summary>
    public UsageCounts RoomDays(string room, long a, long b)
    {
        var (da, db) = Stored(a, b, DayMs, state.CleanDays(room));
        var counts = da < db ? Sum(room, da, db) : new UsageCounts();
        foreach (var (x, y) in Outside(a, b, da, db))
        {
            counts.Add(Measure(room, x, y));
        }

        return counts;
    }

    /// <summary>How many rooms had a session start within <c>[a, b)</c>.</summary>
    public int Rooms(long a, long b)
    {
        var (da, db) = Stored(a, b, DayMs, state.DaysUntil);
        var marked = state.Marks.Keys.ToArray();
        var measured = new HashSet<string>(StringComparer.Ordinal);
        var hour = Floor(nowMs, HourMs);
        foreach (var (x, stretchEnd) in Outside(a, b, da, db))
        {
            // A stretch that reaches now: the hour under way from the kept sessions, and the hours before it that are
            // not stored as room days (the day under way) kept too.
            var y = stretchEnd;
            var from = Math.Max(x, hour);
            if (y == nowMs && from < y && hourUnderWay.RoomsStarted(connection, transaction, team, state, now, from) is { } current)
            {
                measured.UnionWith(current);
                y = from;
            }

            if (x >= y)
            {
                continue;
            }

            measured.UnionWith(y == hour && stretchEnd == nowMs
                ? storedRooms.Started(connection, transaction, team, state, x, y)
                : StoredRooms.StartedIn(connection, transaction, team, x, y));
        }

        if (marked.Length > 0 && da < db)
        {
            // Marked rooms' days before the retention horizon are final as stored; after it, their sessions say.
            var horizon = Math.Clamp(state.RetainedFrom, da, db);
            if (da < horizon)
            {
                measured.UnionWith(connection.Query<string>(
                    $"SELECT DISTINCT room_id FROM usage_rollups WHERE team_id = @team AND {dialect.InList("room_id", "marked")} AND at >= @da AND at < @horizon AND sessions > 0",
                    new { team, marked, da, horizon }, transaction));
            }

            measured.UnionWith(connection.Query<string>(
                $"SELECT DISTINCT room_id FROM sessions WHERE {dialect.InList("room_id", "marked")} AND team_id = @team AND start_time >= @horizon AND start_time < @db",
                new { team, marked, horizon, db }, transaction));
        }

        if (da >= db)
        {
            return measured.Count;
        }

        // The stored days count their rooms unless marked (those were measured above); a room counted both ways counts once.
        var stored = storedRooms.Read(connection, transaction, team, state, da, db);
        var storedMarked = marked.Count(stored.Contains);
        var measuredOnly = measured.Count(r => !stored.Contains(r) || state.Marked(r));
        return stored.Count - storedMarked + measuredOnly;
    }

    public List<TimelinePoint> Timeline(long a, long b, UsageInterval interval)
    {
        var points = new SortedDictionary<long, UsageCounts>();
        for (var start = UsageQueries.Align(DbTime.At(a), interval); DbTime.Ms(start) < b; start = UsageQueries.Next(start, interval))
        {
            points[DbTime.Ms(start)] = new UsageCounts();
        }

        long Bucket(long at) => DbTime.Ms(UsageQueries.Align(DbTime.At(at), interval));
        var (ha, hb) = interval == UsageInterval.Minute ? (a, a) : Stored(a, b, HourMs, state.CleanHours);
        if (ha < hb)
        {
            var rows = UsageRows.Query(connection, transaction,
                $"SELECT at, {UsageRows.Columns} FROM usage_rollups WHERE team_id = @team AND room_id = '' AND at >= @ha AND at < @hb",
                new { team, ha, hb }, r => (At: Convert.ToInt64(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), Counts: UsageRows.Read(r, 1)));
            foreach (var (at, counts) in rows)
            {
                points[Bucket(at)].Add(counts);
            }
        }

        foreach (var (x, stretchEnd) in Outside(a, b, ha, hb))
        {
            var y = stretchEnd;
            // Whole hours and days hold the part of the hour under way in one point.
            if (interval != UsageInterval.Minute && UnderWay(x, y) is { } current)
            {
                points[Bucket(current.From)].Add(current.Counts);
                y = current.From;
            }

            if (x >= y)
            {
                continue;
            }

            var (sessions, participants) = Load(null, x, y);
            foreach (var start in points.Keys.Where(p => p < y && DbTime.Ms(UsageQueries.Next(DbTime.At(p), interval)) > x).ToList())
            {
                var end = DbTime.Ms(UsageQueries.Next(DbTime.At(start), interval));
                points[start].Add(UsageSweep.Measure(sessions, participants, Math.Max(x, start), Math.Min(y, end)));
            }
        }

        return [.. points.Select(p => p.Value.Point(DbTime.At(p.Key), UsageQueries.Next(DbTime.At(p.Key), interval)))];
    }

    public List<RoomUsage> TopRooms(long a, long b, int count)
    {
        var (da, db) = Stored(a, b, DayMs, state.DaysUntil);
        var marked = state.Marks.Keys.ToHashSet(StringComparer.Ordinal);
        var rooms = new Dictionary<string, UsageCounts>(StringComparer.Ordinal);
        void Add(string room, UsageCounts counts)
        {
            if (!rooms.TryGetValue(room, out var sum))
            {
                rooms[room] = sum = new UsageCounts();
            }

            sum.Add(counts);
        }

        if (da < db)
        {
            var rows = UsageRows.Query(connection, transaction,
                $"""
                SELECT room_id, {UsageRows.Aggregates} FROM usage_rollups
                WHERE team_id = @team AND at >= @da AND at < @db AND room_id <> '' AND NOT ({dialect.InList("room_id", "marked")}) GROUP BY room_id
                """,
                new { team, da, db, marked = marked.ToArray() }, r => (Room: r.GetString(0), Counts: UsageRows.Read(r, 1)));
            foreach (var (room, counts) in rows)
            {
                Add(room, counts);
            }
        }

        // Marked rooms are measured over the whole period (but for stored days before the retention horizon); the others
        // only where no clean day covers it.
        foreach (var (x, y) in Outside(a, b, da, db))
        {
            var (sessions, participants) = Load(null, x, y);
            foreach (var room in sessions.Where(s => !marked.Contains(s.Room)).GroupBy(s => s.Room))
            {
                Add(room.Key, UsageSweep.Measure(room, participants, x, y));
            }
        }

        foreach (var room in marked)
        {
            Add(room, RoomDays(room, a, b));
        }

        var top = rooms.Where(r => r.Value.TotalMs > 0)
            .OrderByDescending(r => r.Value.TotalMs).ThenBy(r => r.Key, StringComparer.Ordinal)
            .Take(count)
            .ToList();
        if (top.Count == 0)
        {
            return [];
        }

        var names = connection.Query<(string Id, string FriendlyUrl, string? Description, long? DeletedAt)>(
                $"SELECT id, friendly_url, description, deleted_at FROM rooms WHERE team_id = @team AND {dialect.InList("id", "ids")}",
                new { team, ids = top.Select(r => r.Key).ToArray() }, transaction)
            .ToDictionary(r => r.Id, StringComparer.Ordinal);
        return [.. top.Select(r =>
        {
            var known = names.TryGetValue(r.Key, out var n);
            return new RoomUsage(new RoomId(Guid.Parse(r.Key)), known ? n.FriendlyUrl : r.Key, known ? n.Description : null, !known || n.DeletedAt is not null,
                UsageCounts.Minutes(r.Value.TotalMs), (int)r.Value.Sessions);
        })];
    }

    /// <summary>The whole units of <c>[a, b)</c> that lie before <paramref name="clean"/>, or an empty stretch at <c>a</c>.</summary>
    private static (long From, long To) Stored(long a, long b, long unit, long clean)
    {
        var (from, to) = (Ceil(a, unit), Math.Min(Floor(b, unit), Floor(clean, unit)));
        return from < to ? (from, to) : (a, a);
    }

    /// <summary>The parts of <c>[a, b)</c> outside the stored <c>[from, to)</c>.</summary>
    private static IEnumerable<(long From, long To)> Outside(long a, long b, long from, long to)
    {
        if (from >= to)
        {
            yield return (a, b);
            yield break;
        }

        if (a < from)
        {
            yield return (a, from);
        }

        if (to < b)
        {
            yield return (to, b);
        }
    }

    private UsageCounts Sum(string room, long from, long to) =>
        UsageRows.Query(connection, transaction,
            $"SELECT {UsageRows.Aggregates} FROM usage_rollups WHERE team_id = @team AND room_id = @room AND at >= @from AND at < @to",
            new { team, room, from, to }, r => UsageRows.Read(r, 0)).Single();

    /// <summary>
    /// The team's counts over the part of <c>[x, y)</c> that lies within the hour under way, from what
    /// <see cref="HourUnderWay"/> keeps, when the stretch reaches now; null when it does not, or nothing is kept.
    /// </summary>
    private (long From, UsageCounts Counts)? UnderWay(long x, long y)
    {
        if (y != nowMs)
        {
            return null;
        }

        var from = Math.Max(x, Floor(nowMs, HourMs));
        return from < y && hourUnderWay.Measure(connection, transaction, team, state, now, from) is { } counts ? (from, counts) : null;
    }

    private UsageCounts Measure(string? room, long from, long to)
    {
        var (sessions, participants) = Load(room, from, to);
        return UsageSweep.Measure(sessions, participants, from, to);
    }

    private (List<UsageSession> Sessions, ILookup<string, UsageParticipant> Participants) Load(string? room, long from, long to) =>
        UsageSource.Load(connection, transaction, team, room, from, to, state.Longest, now);
}
