using System.Data.Common;
using Callscope.Core;
using Dapper;

namespace Callscope.Data.LiveKit;

/// <summary>A team's LiveKit server: the key its webhook tokens carry, the secret (protected) and where its API is.</summary>
public sealed record LiveKitIntegration(
    TeamId TeamId,
    string ApiKey,
    string ProtectedSecret,
    string? ServerUrl,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public enum IntegrationSaved
{
    Saved,

    /// <summary>Another team has connected a LiveKit server with this API key.</summary>
    KeyTaken,
}

/// <summary>The LiveKit room behind a Callscope session: its id here and its name on the LiveKit server.</summary>
public sealed record LiveKitRoomTarget(RoomId RoomId, string Name);

/// <summary>LiveKit integrations, one per team. The secret arrives and leaves protected; this store never sees it in clear.</summary>
public sealed class LiveKitIntegrationStore(CallscopeDatabase database)
{
    /// <summary>The marker the webhook ingest puts in the data of every event it stores (<c>"_source": "livekit"</c>).</summary>
    public const string SourceValue = "livekit";

    /// <summary>Event data is compact JSON text in every store, so the marker is found the same way in each.</summary>
    private const string SourceMarkerPattern = "%\"\\_source\":\"" + SourceValue + "\"%";

    private const string Columns =
        "SELECT team_id AS TeamId, api_key AS ApiKey, api_secret_protected AS ProtectedSecret, server_url AS ServerUrl, created_at AS CreatedAt, updated_at AS UpdatedAt FROM livekit_integrations";

    public LiveKitIntegration? ForTeam(TeamId team)
    {
        using var connection = database.Open();
        return connection.QuerySingleOrDefault<Row>(Columns + " WHERE team_id = @team", new { team = team.ToString() })?.ToIntegration();
    }

    public LiveKitIntegration? ForApiKey(string apiKey)
    {
        using var connection = database.Open();
        return connection.QuerySingleOrDefault<Row>(Columns + " WHERE api_key = @apiKey", new { apiKey })?.ToIntegration();
    }

    /// <summary>Creates or replaces the team's integration; created_at survives a replacement.</summary>
    public IntegrationSaved Save(LiveKitIntegration integration)
    {
        using var connection = database.Open();
        try
        {
            connection.Execute(
                """
                INSERT INTO livekit_integrations (team_id, api_key, api_secret_protected, server_url, created_at, updated_at)
                VALUES (@team, @ApiKey, @ProtectedSecret, @ServerUrl, @created, @updated)
                ON CONFLICT (team_id) DO UPDATE SET api_key = excluded.api_key, api_secret_protected = excluded.api_secret_protected,
                    server_url = excluded.server_url, updated_at = excluded.updated_at
                """,
                new
                {
                    team = integration.TeamId.ToString(), integration.ApiKey, integration.ProtectedSecret, integration.ServerUrl,
                    created = DbTime.Ms(integration.CreatedAt), updated = DbTime.Ms(integration.UpdatedAt),
                });
            return IntegrationSaved.Saved;
        }
        catch (DbException error) when (database.IsUniqueViolation(error))
        {
            return IntegrationSaved.KeyTaken;
        }
    }

    public bool Delete(TeamId team)
    {
        using var connection = database.Open();
        return connection.Execute("DELETE FROM livekit_integrations WHERE team_id = @team", new { team = team.ToString() }) > 0;
    }

    /// <summary>
    /// The room of a session (or of a session merged into another) when LiveKit webhooks created its history; null for
    /// rooms fed only by other sources, which no LiveKit server knows.
    /// </summary>
    public LiveKitRoomTarget? LiveKitRoomOfSession(TeamId team, string sessionId)
    {
        using var connection = database.Open();
        var row = connection.QuerySingleOrDefault<(string Id, string Name)?>(
            $"""
            SELECT r.id, r.friendly_url FROM sessions s JOIN rooms r ON r.id = s.room_id
            WHERE s.team_id = @team
              AND s.id = COALESCE((SELECT session_id FROM session_aliases WHERE alias_id = @sessionId AND team_id = @team), @sessionId)
              AND EXISTS (SELECT 1 FROM {database.EventsOfRoom("r.id")} e WHERE e.room_id = r.id AND e.data LIKE @marker ESCAPE '\')
            """,
            new { team = team.ToString(), sessionId, marker = SourceMarkerPattern });
        return row is { } found ? new LiveKitRoomTarget(new RoomId(Guid.Parse(found.Id)), found.Name) : null;
    }

    internal sealed record Row(string TeamId, string ApiKey, string ProtectedSecret, string? ServerUrl, long CreatedAt, long UpdatedAt)
    {
        public LiveKitIntegration ToIntegration() => new(new TeamId(Guid.Parse(TeamId)), ApiKey, ProtectedSecret, ServerUrl,
            DbTime.At(CreatedAt), DbTime.At(UpdatedAt));
    }
}
