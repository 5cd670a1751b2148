using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
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

    /// <summary>The member's security stamp when the cookie was issued; see <see cref="Member.SecurityStamp"/>.</summary>
    public const string Stamp = "callscope:stamp";

    public static ClaimsPrincipal For(Member member) => new(new ClaimsIdentity(
        [
            new Claim(MemberId, member.Id.ToString()),
            new Claim(ClaimTypes.Name, member.Name ?? member.Email),
            new Claim(ClaimTypes.Email, member.Email),
            new Claim(TeamClaims.Team, member.TeamId.ToString()),
            new Claim(ClaimTypes.Role, member.Role),
            new Claim(TeamClaims.Actor, member.Email),
            new Claim(Stamp, member.SecurityStamp),
        ],
        CookieAuthenticationDefaults.AuthenticationScheme));

    public static Guid? MemberIdOf(ClaimsPrincipal user) => Guid.TryParse(user.FindFirstValue(MemberId), out var id) ? id : null;

    /// <summary>
    /// Checked on every request that carries the cookie, on the dashboard and on the API: a removed member, and a
    /// sign-in issued before the member's stamp last changed (sign-out, a new password, a new role), are signed out. A
    /// changed name is taken into the cookie at once.
    /// </summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var user = context.Principal;
        var member = user is not null && MemberIdOf(user) is { } id && Guid.TryParse(user.FindFirstValue(TeamClaims.Team), out var team)
            ? context.HttpContext.RequestServices.GetRequiredService<TeamStore>().FindMember(new TeamId(team), id)
            : null;
        if (member is null || !StampMatches(user!, member))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return;
        }

        // A new role always comes with a new stamp (TeamStore.SetRole), so only the name can differ here.
        if (user!.FindFirstValue(ClaimTypes.Name) != (member.Name ?? member.Email))
        {
            context.ReplacePrincipal(For(member));
            context.ShouldRenew = true;
        }
    }

    private static bool StampMatches(ClaimsPrincipal user, Member member) =>
        user.FindFirstValue(Stamp) is { } stamp
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(stamp), Encoding.UTF8.GetBytes(member.SecurityStamp));
}
