using System.Collections.Concurrent;
using System.Data.Common;
using Callscope.Data.Dialects;
using Dapper;

namespace Callscope.Data.Usage;

/// <summary>
/// The rooms with a session in a stretch of stored days, kept between reads: a distinct count over every stored room
/// day of a month is the costliest part of <c>rooms</c>, and the stored days change only when the usage worker stores
/// (<see cref="UsageState.Generation"/>). A few stretches are kept per team, each for the generation it was read at.
/// The same is done for the hours of the day under way before the hour under way, which are not stored as room days:
/// their rooms are kept with the team's change number, and only rooms written since are looked at again.
/// </summary>
internal sealed class StoredRooms(StoreDialect dialect)
{
    /// <summary>Stretches kept per team; past this many, the team's are forgotten.</summary>
    public const int StretchesKept = 8;

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<(long From, long To), (long Generation, HashSet<string> Rooms)>> teams =
        new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<(string Team, long From, long To), (long Version, HashSet<string> Rooms)> started = new();

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

    /// <summary>The rooms with a session that started within <c>[from, to)</c>, a stretch that ends before the hour under way.</summary>
    public HashSet<string> Started(DbConnection connection, DbTransaction transaction, string team, UsageState state, long from, long to)
    {
        if (started.Count > HourUnderWay.TeamsKept)
        {
            started.Clear();
        }

        var version = state.ChangeNumber;
        var found = started.TryGetValue((team, from, to), out var entry);
        if (found && entry.Version == version)
        {
            return entry.Rooms;
        }

        HashSet<string> rooms;
        if (found && version > entry.Version && ChangeNumbers.RoomsSince(connection, transaction, team, entry.Version) is { } changed)
        {
            // Only the rooms written since can have gained or lost a session in the stretch.
            rooms = [.. entry.Rooms.Except(changed, StringComparer.Ordinal)];
            rooms.UnionWith(connection.Query<string>(
                $"SELECT DISTINCT room_id FROM sessions WHERE team_id = @team AND {dialect.InList("room_id", "changed")} AND start_time >= @from AND start_time < @to",
                new { team, changed, from, to }, transaction));
        }
        else
        {
            rooms = [.. StartedIn(connection, transaction, team, from, to)];
        }

        if (!found || version > entry.Version)
        {
            started[(team, from, to)] = (version, rooms);
        }

        return rooms;
    }

    /// <summary>The rooms with a session that started within <c>[from, to)</c>, read from the sessions.</summary>
    public static IEnumerable<string> StartedIn(DbConnection connection, DbTransaction transaction, string team, long from, long to) =>
        connection.Query<string>(
            "SELECT DISTINCT room_id FROM sessions WHERE team_id = @team AND start_time >= @from AND start_time < @to", new { team, from, to }, transaction);
}
