using Callscope.Core;
using Callscope.Server.Auth;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Callscope.Server.Dashboard;

/// <summary>The base of every signed-in page: the member's team and role, and the answers pages share.</summary>
public abstract class DashboardPage : PageModel
{
    public const string FlashKey = "flash";

    /// <summary>Sent by the page's script when it fetches the page again for a live update: such a fetch shows no flash.</summary>
    public const string LiveRefreshHeader = "X-Live-Refresh";

    public TeamId Team => User.TeamOf();

    public bool IsAdmin => User.IsAdmin();

    public override void OnPageHandlerExecuting(PageHandlerExecutingContext context)
    {
        if (User.Identity?.IsAuthenticated == true)
        {
            HttpContext.RequestServices.GetRequiredService<DashboardRequest>().CaptureVersion(Team);
        }
    }

    /// <summary>A note shown once on the next page, after a redirect.</summary>
    protected void Flash(string message) => TempData[FlashKey] = message;

    /// <summary>A 404 page inside the dashboard's frame.</summary>
    protected PartialViewResult Missing(string what)
    {
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Partial("_Missing", what);
    }

    protected IActionResult BackTo(string? returnUrl, string fallback) =>
        LocalRedirect(!string.IsNullOrEmpty(returnUrl) && Url.IsLocalUrl(returnUrl) ? returnUrl : fallback);
}
