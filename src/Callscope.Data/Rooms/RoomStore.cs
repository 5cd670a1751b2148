using Callscope.Core;
using Dapper;
using System.Data.Common;

namespace Callscope.Data.Rooms;

public sealed record Room(
    RoomId Id,
    TeamId TeamId,
    string FriendlyUrl,
    string? Description,
    string? ExternalId,
    int? GracePeriod,
    int? SessionLength,
    int? MaxParticipants,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? DeletedAt);

public sealed record RoomPage(int TotalCount, IReadOnlyList<Room> Data)
{
    /// <summary>The page's <c>after</c> cursor names no room of the team.</summary>
    public bool UnknownCursor { get; init; }
}

/// <summary>Rooms: reads for the API and the dashboard, and the writes the writer and the API share.</summary>
public sealed class RoomStore(CallscopeDatabase database)
{
    internal const string Columns = "SELECT id AS Id, team_id AS TeamId, friendly_url AS FriendlyUrl, description AS Description, external_id AS ExternalId, grace_period AS GracePeriod, session_length AS SessionLength, max_participants AS MaxParticipants, created_at AS CreatedAt, updated_at AS UpdatedAt, deleted_at AS DeletedAt FROM rooms";

    /// <summary>Finds a room by id or by friendly_url (live rooms only by name).</summary>
    public Room? Find(TeamId team, string idOrName)
    {
        using var connection = database.Open();
        return Find(connection, null, team, idOrName);
    }

    internal static Room? Find(DbConnection connection, DbTransaction? tx, TeamId team, string idOrName)
    {
        var row = Guid.TryParse(idOrName, out var id)
            ? connection.QuerySingleOrDefault<RoomRow>(Columns + " WHERE id = @id AND team_id = @team", new { id = id.ToString(), team = team.ToString() }, tx)
            : connection.QuerySingleOrDefault<RoomRow>(Columns + " WHERE team_id = @team AND friendly_url = @name AND deleted_at IS NULL", new { name = idOrName, team = team.ToString() }, tx);
        return row?.ToRoom();
    }

    public RoomPage List(TeamId team, int limit, int offset, bool descending, RoomId? after)
    {
        using var connection = database.Open();
        var p = new DynamicParameters(new { team = team.ToString(), limit, offset });
        var where = "team_id = @team AND deleted_at IS NULL";
        var total = connection.ExecuteScalar<int>("SELECT COUNT(*) FROM rooms WHERE " + where, p);
        if (after is { } a)
        {
            if (connection.QuerySingleOrDefault<long?>("SELECT created_at FROM rooms WHERE id = @a AND team_id = @team", new { a = a.ToString(), team = team.ToString() }) is not { } createdAt)
            {
                return new RoomPage(0, []) { UnknownCursor = true };
            }

            where += descending ? " AND (created_at, id) < (@ac, @aid)" : " AND (created_at, id) > (@ac, @aid)";
            p.Add("ac", createdAt);
            p.Add("aid", a.ToString());
        }

        var order = descending ? "DESC" : "ASC";
        var rows = connection.Query<RoomRow>($"{Columns} WHERE {where} ORDER BY created_at {order}, id {order} LIMIT @limit OFFSET @offset", p);
        return new RoomPage(total, [.. rows.Select(r => r.ToRoom())]);
    }

    public bool NameTaken(TeamId team, string friendlyUrl, RoomId? except)
    {
        using var connection = database.Open();
        return connection.ExecuteScalar<long>(
            "SELECT COUNT(*) FROM rooms WHERE team_id = @team AND friendly_url = @friendlyUrl AND deleted_at IS NULL AND id <> @except",
            new { team = team.ToString(), friendlyUrl, except = except?.ToString() ?? string.Empty }) > 0;
    }

    public Room Create(Room room)
    {
        using var connection = database.Open();
        Insert(connection, null, room);
        return room;
    }

    /// <summary>Inserts a room unless a live room of that name exists (created meanwhile by another node).</summary>
    internal static void Insert(DbConnection connection, DbTransaction? tx, Room room) => connection.Execute(
        """
        INSERT INTO rooms (team_id, id, friendly_url, description, external_id, grace_period, session_length, max_participants, created_at, updated_at)
        VALUES (@team, @id, @FriendlyUrl, @Description, @ExternalId, @GracePeriod, @SessionLength, @MaxParticipants, @created, @created)
        ON CONFLICT (team_id, friendly_url) WHERE deleted_at IS NULL DO NOTHING
        """,
        new
        {
            team = room.TeamId.ToString(), id = room.Id.ToString(), room.FriendlyUrl, room.Description, room.ExternalId,
            room.GracePeriod, room.SessionLength, room.MaxParticipants, created = DbTime.Ms(room.CreatedAt),
        },
        tx);

    public void Update(Room room)
    {
        using var connection = database.Open();
        connection.Execute(
            """
            UPDATE rooms SET friendly_url = @FriendlyUrl, description = @Description, external_id = @ExternalId, grace_period = @GracePeriod,
                session_length = @SessionLength, max_participants = @MaxParticipants, updated_at = @updated
            WHERE id = @id AND team_id = @team
            """,
            new
            {
                room.FriendlyUrl, room.Description, room.ExternalId, room.GracePeriod, room.SessionLength, room.MaxParticipants,
                updated = DbTime.Ms(room.UpdatedAt), id = room.Id.ToString(), team = room.TeamId.ToString(),
            });
    }

    internal sealed record RoomRow(string Id, string TeamId, string FriendlyUrl, string? Description, string? ExternalId,
        long? GracePeriod, long? SessionLength, long? MaxParticipants, long CreatedAt, long UpdatedAt, long? DeletedAt)
    {
        public Room ToRoom() => new(new RoomId(Guid.Parse(Id)), new TeamId(Guid.Parse(TeamId)), FriendlyUrl, Description, ExternalId,
            (int?)GracePeriod, (int?)SessionLength, (int?)MaxParticipants, DbTime.At(CreatedAt), DbTime.At(UpdatedAt), DbTime.At(DeletedAt));
    }
}
