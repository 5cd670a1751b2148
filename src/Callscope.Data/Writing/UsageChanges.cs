using System.Globalization;
using Callscope.Core;

namespace Callscope.Data.Writing;

/// <summary>
/// The rooms whose usage a transaction marked, numbered once at its end in <c>usage_changes</c>: the team's row
/// (<c>room_id = ''</c>) goes up by one and each room's row takes that number. The team's row is locked only then,
/// after every room lock the transaction takes, so writers never wait on each other in a cycle, and the numbers of a
/// team follow the order its transactions commit. A reader that remembers the number it last saw therefore finds
/// every room changed since by reading the rooms above it (see <c>Usage/HourUnderWay</c>).
/// </summary>
internal sealed class UsageChanges
{
    private readonly SortedDictionary<string, SortedSet<string>> teams = new(StringComparer.Ordinal);

    public void Add(TeamId team, RoomId room)
    {
        var key = team.ToString();
        if (!teams.TryGetValue(key, out var rooms))
        {
            teams[key] = rooms = new SortedSet<string>(StringComparer.Ordinal);
        }

        rooms.Add(room.ToString());
    }

    public void Write(WriteContext context)
    {
        if (teams.Count == 0)
        {
            return;
        }

        var counter = context.Statement(
            """
            INSERT INTO usage_changes (team_id, room_id, version) VALUES (@team, '', 1)
            ON CONFLICT (team_id, room_id) DO UPDATE SET version = usage_changes.version + 1
            RETURNING version
            """,
            "team");
        // Teams in one order, as every writer takes them.
        foreach (var (team, rooms) in teams)
        {
            var version = Convert.ToInt64(WriterStatements.Bind(counter, team).ExecuteScalar(), CultureInfo.InvariantCulture);
            context.Dialect.NumberUsageChanges(context, team, rooms, version);
        }

        teams.Clear();
    }

    /// <summary>The upsert that gives rooms their team's change number, its rows (team, room, number) from <paramref name="rows"/>.</summary>
    public static string Number(string rows) =>
        $"INSERT INTO usage_changes (team_id, room_id, version) {rows} ON CONFLICT (team_id, room_id) DO UPDATE SET version = excluded.version";
}
