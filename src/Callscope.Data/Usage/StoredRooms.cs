using System.Collections.Concurrent;
using System.Data.Common;
using Dapper;

namespace Callscope.Data.Usage;

/// <summary>
/// The rooms with a session in a stretch of stored days, kept between reads: a distinct count over every stored room
/// day of a month is the costliest part of <c>rooms</c>, and the stored days change only when the usage worker stores
/// (<see cref="UsageState.Generation"/>). A few stretches are kept per team, each for the generation it was read at.
/// </summary>
internal sealed class StoredRooms
{
    /// <summary>Stretches kept per team; past this many, the team's are forgotten.</summary>
    public const int StretchesKept = 8;

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<(long From, long To), (long Generation, HashSet<string> Rooms)>> teams =
        new(StringComparer.Ordinal);

    /// <summary>The rooms that have a stored day within <c>[from, to)</c> with a session started in it.</summary>
    public HashSet<string> Read(DbConnection connection, DbTransaction transaction, string team, UsageState state, long from, long to)
    {
        if (teams.Count > HourUnderWay.TeamsKept)
        {
            teams.Clear();
        }

        var kept = teams.GetOrAdd(team, _ => new());
        if (kept.TryGetValue((from, to), out var entry) && entry.Generation == state.Generation)
        {
            return entry.Rooms;
        }

        var rooms = connection.Query<string>(
                "SELECT DISTINCT room_id FROM usage_rollups WHERE team_id = @team AND at >= @from AND at < @to AND room_id <> '' AND sessions > 0",
                new { team, from, to }, transaction)
            .ToHashSet(StringComparer.Ordinal);
        if (kept.Count >= StretchesKept)
        {
            kept.Clear();
        }

        // A read from an older snapshot than the kept one is answered but not kept.
        if (entry.Rooms is null || state.Generation > entry.Generation)
        {
            kept[(from, to)] = (state.Generation, rooms);
        }

        return rooms;
    }
}
