namespace Callscope.Server.Dashboard.Pages;

/// <summary>Where a signed-in member lands when the page or action needs the admin role: a 403 that says why.</summary>
public sealed class DeniedModel : DashboardPage
{
    public void OnGet() => Response.StatusCode = StatusCodes.Status403Forbidden;
}
