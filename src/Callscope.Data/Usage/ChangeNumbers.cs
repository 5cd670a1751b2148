using System.Data.Common;
using Dapper;

namespace Callscope.Data.Usage;

/// <summary>
/// Reads of <c>usage_changes</c> (see <c>Writing/UsageChanges</c>): the team's number, which goes up with every
/// transaction that changes its sessions, and the rooms changed after a number a reader kept.
/// </summary>
internal static class ChangeNumbers
{
    /// <summary>Past this many rooms changed since a kept read, the whole team is read again instead.</summary>
    public const int RoomsReadAlone = 200;

    public static long Team(DbConnection connection, DbTransaction transaction, string team) =>
        connection.ExecuteScalar<long?>("SELECT version FROM usage_changes WHERE team_id = @team AND room_id = ''", new { team }, transaction) ?? 0;

    /// <summary>The rooms changed after <paramref name="seen"/>, or null when there are more than <see cref="RoomsReadAlone"/>.</summary>
    public static string[]? RoomsSince(DbConnection connection, DbTransaction transaction, string team, long seen)
    {
        var rooms = connection.Query<string>(
            "SELECT room_id FROM usage_changes WHERE team_id = @team AND room_id <> '' AND version > @seen", new { team, seen }, transaction).ToArray();
        return rooms.Length > RoomsReadAlone ? null : rooms;
    }
}
