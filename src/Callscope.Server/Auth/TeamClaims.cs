using System.Security.Claims;
using Callscope.Core;

namespace Callscope.Server.Auth;

/// <summary>Who is calling: the team, the role, and the name recorded when they end a session.</summary>
public static class TeamClaims
{
    public const string Team = "callscope:team";
    public const string Actor = "callscope:actor";
    public const string AdminPolicy = "admin";

    public static TeamId TeamOf(this ClaimsPrincipal user) => new(Guid.Parse(user.FindFirstValue(Team)!));

    public static string ActorOf(this ClaimsPrincipal user) => user.FindFirstValue(Actor) ?? "api";

    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(Data.Teams.Roles.Admin);
}
