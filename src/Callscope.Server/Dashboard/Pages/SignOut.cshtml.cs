using Callscope.Data.Teams;
using Callscope.Server.Dashboard.Members;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

namespace Callscope.Server.Dashboard.Pages;

/// <summary>
/// Signing out is a POST (with the anti-forgery token), so no link on another site can sign a member out. It ends
/// every sign-in of the member, on every browser, and any copy of the cookie with them.
/// </summary>
public sealed class SignOutModel(TeamStore teams) : DashboardPage
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (MemberPrincipal.MemberIdOf(User) is { } member)
        {
            teams.EndSignIns(member);
        }

        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return LocalRedirect(Links.SignIn);
    }
}
