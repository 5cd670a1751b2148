using Callscope.Core;
using Callscope.Data.Webhooks;
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
    DateTimeOffset? DeletedAt,
    IReadOnlyList<string>? Webhooks = null)
{
    public RoomSettings Settings => new(FriendlyUrl, Description, ExternalId, GracePeriod, SessionLength, MaxParticipants, Webhooks);
}

/// <summary>
/// What a room's creator or admin sets; a null grace period or session length takes the team's, and null
/// <paramref name="Webhooks"/> lets every webhook of the team hear of the room (otherwise only the ids listed).
/// </summary>
public sealed record RoomSettings(
    string FriendlyUrl, string? Description, string? ExternalId, int? GracePeriod, int? SessionLength, int? MaxParticipants,
    IReadOnlyList<string>? Webhooks = null)
{
    /// <summary>The webhook list as the rooms table keeps it: a JSON array, or null for all.</summary>
    internal string? WebhooksJson => IdList.Write(Webhooks);
}

public sealed record RoomPage(int TotalCount, IReadOnlyList<Room> Data)
{
    /// <summary>The page's <c>after</c> cursor names no room of the team.</summary>
    public bool UnknownCursor { get; init; }
}

/// <summary>Rooms, as the API and the dashboard read them; rooms are created and changed by the writer's commands.</summary>
public sealed class RoomStore(CallscopeDatabase database)
{
    internal const string Columns = "SELECT id AS Id, team_id AS TeamId, friendly_url AS FriendlyUrl, description AS Description, external_id AS ExternalId, grace_period AS GracePeriod, session_length AS SessionLength, max_participants AS MaxParticipants, created_at AS CreatedAt, updated_at AS UpdatedAt, deleted_at AS DeletedAt, webhooks AS Webhooks FROM rooms";

    /// <summary>Finds a room by id or by friendly_url (live rooms only by name).</summary>
    public Room? Find(TeamId team, string idOrName)
    {
        using var connection = database.Open();
        return Find(connection, null, team, idOrName);
    }

    internal static Room? Find(DbConnection connection, DbTransaction? tx, TeamId team, string idOrName) => Guid.TryParse(idOrName, out var id)
        ? connection.QuerySingleOrDefault<RoomRow>(Columns + " WHERE id = @id AND team_id = @team", new { id = id.ToString(), team = team.ToString() }, tx)?.ToRoom()
        : FindLive(connection, tx, team, idOrName);

    /// <summary>The team's live room of this name, whatever the name looks like.</summary>
    internal static Room? FindLive(DbConnection connection, DbTransaction? tx, TeamId team, string friendlyUrl) => connection.QuerySingleOrDefault<RoomRow>(
        Columns + " WHERE team_id = @team AND friendly_url = @name AND deleted_at IS NULL", new { name = friendlyUrl, team = team.ToString() }, tx)?.ToRoom();

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

    internal sealed record RoomRow(string Id, string TeamId, string FriendlyUrl, string? Description, string? ExternalId,
        long? GracePeriod, long? SessionLength, long? MaxParticipants, long CreatedAt, long UpdatedAt, long? DeletedAt, string? Webhooks)
    {
        public Room ToRoom() => new(new RoomId(Guid.Parse(Id)), new TeamId(Guid.Parse(TeamId)), FriendlyUrl, Description, ExternalId,
            (int?)GracePeriod, (int?)SessionLength, (int?)MaxParticipants, DbTime.At(CreatedAt), DbTime.At(UpdatedAt), DbTime.At(DeletedAt),
            IdList.Read(Webhooks));
    }
}
