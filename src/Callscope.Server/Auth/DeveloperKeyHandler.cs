using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Callscope.Data.Teams;
using Callscope.Server.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Callscope.Server.Auth;

/// <summary>
/// The REST and ingest APIs authenticate with the team's developer key: <c>Bearer KEY</c>, or HTTP Basic with the
/// team id as user name and the key as password. A developer key acts as an admin of its team.
/// </summary>
public sealed class DeveloperKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, TeamStore teams)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "DeveloperKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var team = BearerTeam(teams, header);
        if (team is null && header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) && DecodeBasic(header["Basic ".Length..].Trim()) is var (user, key))
        {
            team = FindByKey(teams, key);
            if (team is not null && !string.Equals(team.Id.ToString(), user, StringComparison.OrdinalIgnoreCase))
            {
                team = null;
            }
        }

        if (team is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("The developer key is not valid."));
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(TeamClaims.Team, team.Id.ToString()),
                new Claim(ClaimTypes.Role, Roles.Admin),
                new Claim(TeamClaims.Actor, "api"),
            ],
            SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer, Basic realm=\"callscope\"";
        await Problems.Unauthorized().ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        await Problems.Forbidden("This needs an admin of the team.").ExecuteAsync(Context);

    /// <summary>The team whose developer key an <c>Authorization: Bearer KEY</c> header carries; null for any other header.</summary>
    internal static Team? BearerTeam(TeamStore teams, string header) =>
        header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? FindByKey(teams, header["Bearer ".Length..].Trim()) : null;

    private static Team? FindByKey(TeamStore teams, string key) => key.Length is > 0 and <= 200 ? teams.FindByKey(key) : null;

    private static (string User, string Key)? DecodeBasic(string encoded)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            return colon > 0 ? (text[..colon], text[(colon + 1)..]) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
