using System.Data.Common;
using Callscope.Core;
using Dapper;

namespace Callscope.Data.Teams;

/// <summary>
/// What a team lets browsers do (docs/browser-sdk.md): the origins whose pages may send its events, and the key that
/// signs its client tokens. Neither touches anything the session law derives, so both are written here directly.
/// </summary>
public sealed class BrowserAccessStore(CallscopeDatabase database)
{
    /// <summary>The team's allowed origins, in the order the team gave them.</summary>
    public IReadOnlyList<string> Origins(TeamId team)
    {
        using var connection = database.Open();
        return [.. connection.Query<string>("SELECT origin FROM team_origins WHERE team_id = @team ORDER BY position", new { team = team.ToString() })];
    }

    /// <summary>Replaces the team's allowed origins with these (already checked and normalised, no repeats).</summary>
    public void SetOrigins(TeamId team, IReadOnlyList<string> origins)
    {
        using var connection = database.Open();
        using var tx = connection.BeginTransaction();
        connection.Execute("DELETE FROM team_origins WHERE team_id = @team", new { team = team.ToString() }, tx);
        connection.Execute(
            "INSERT INTO team_origins (team_id, origin, position) VALUES (@team, @origin, @position)",
            origins.Select((origin, position) => new { team = team.ToString(), origin, position }), tx);
        tx.Commit();
    }

    /// <summary>Whether this team allows the origin.</summary>
    public bool Allows(TeamId team, string origin)
    {
        using var connection = database.Open();
        return connection.ExecuteScalar<int>(
            "SELECT COUNT(*) FROM team_origins WHERE team_id = @team AND origin = @origin", new { team = team.ToString(), origin }) > 0;
    }

    /// <summary>
    /// Whether any team allows the origin: a CORS preflight carries no token, so it is granted to an origin some team
    /// allows, and the request that follows is checked against its own token's team.
    /// </summary>
    public bool AnyTeamAllows(string origin)
    {
        using var connection = database.Open();
        return connection.ExecuteScalar<int>("SELECT COUNT(*) FROM team_origins WHERE origin = @origin", new { origin }) > 0;
    }

    /// <summary>The team's client-token key as stored (encrypted), or null when it has none yet.</summary>
    public string? ClientKey(TeamId team)
    {
        using var connection = database.Open();
        return ClientKey(connection, team);
    }

    /// <summary>
    /// The team's stored client-token key, storing <paramref name="candidate"/> first when the team has none, or still
    /// has <paramref name="replacing"/> (a key that can no longer be read). Two nodes making a key at once agree on the
    /// one stored first.
    /// </summary>
    public string EnsureClientKey(TeamId team, string candidate, string? replacing = null)
    {
        using var connection = database.Open();
        connection.Execute(
            "UPDATE teams SET client_key = @candidate WHERE id = @team AND (client_key IS NULL OR client_key = @replacing)",
            new { candidate, team = team.ToString(), replacing });
        return ClientKey(connection, team) ?? candidate;
    }

    private static string? ClientKey(DbConnection connection, TeamId team) =>
        connection.ExecuteScalar<string?>("SELECT client_key FROM teams WHERE id = @team", new { team = team.ToString() });
}
