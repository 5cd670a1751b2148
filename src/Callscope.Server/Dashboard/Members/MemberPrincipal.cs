using System.Security.Claims;
using Callscope.Core;
using Callscope.Data.Teams;
using Callscope.Server.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Callscope.Server.Dashboard.Members;

/// <summary>The claims of a signed-in member, and their check against the store on every request.</summary>
public static class MemberPrincipal
{
    public const string MemberId = ClaimTypes.NameIdentifier;

    public static ClaimsPrincipal For(Member member) => new(new ClaimsIdentity(
        [
            new Claim(MemberId, member.Id.ToString()),
            new Claim(ClaimTypes.Name, member.Name ?? member.Email),
            new Claim(ClaimTypes.Email, member.Email),
            new Claim(TeamClaims.Team, member.TeamId.ToString()),
            new Claim(ClaimTypes.Role, member.Role),
            new Claim(TeamClaims.Actor, member.Email),
        ],
        CookieAuthenticationDefaults.AuthenticationScheme));

    public static Guid? MemberIdOf(ClaimsPrincipal user) => Guid.TryParse(user.FindFirstValue(MemberId), out var id) ? id : null;

    /// <summary>A removed member is signed out; a changed role or name is taken into the cookie at once.</summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var user = context.Principal;
        var member = user is not null && MemberIdOf(user) is { } id && Guid.TryParse(user.FindFirstValue(TeamClaims.Team), out var team)
            ? context.HttpContext.RequestServices.GetRequiredService<TeamStore>().FindMember(new TeamId(team), id)
            : null;
        if (member is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return;
        }

        if (!user!.IsInRole(member.Role) || user.FindFirstValue(ClaimTypes.Name) != (member.Name ?? member.Email))
        {
            context.ReplacePrincipal(For(member));
            context.ShouldRenew = true;
        }
    }
}
