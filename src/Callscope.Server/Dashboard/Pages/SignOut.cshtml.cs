using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

namespace Callscope.Server.Dashboard.Pages;

/// <summary>Signing out is a POST (with the anti-forgery token), so no link on another site can sign a member out.</summary>
public sealed class SignOutModel : DashboardPage
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return LocalRedirect(Links.SignIn);
    }
}
