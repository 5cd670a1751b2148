using Microsoft.AspNetCore.Mvc;

namespace Callscope.Server.Dashboard;

/// <summary>
/// A page that asks before it acts on one thing of the team (a session, a room): the menus post to it after their
/// confirmation dialog, and without script its GET shows the same question as a page. The thing is looked up by its id
/// on both; an id that is not a UUID, or not the team's, is a 404 inside the dashboard.
/// </summary>
public abstract class ConfirmPage<T>(string what) : DashboardPage
    where T : class
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>What the page is about, once <see cref="Found"/> said yes.</summary>
    protected T Subject { get; private set; } = null!;

    public IActionResult OnGet(string id) => Found(id) ? Page() : Missing(what);

    /// <summary>The team's thing of this id, or null.</summary>
    protected abstract T? Find(string id);

    /// <summary>Looks the thing up and keeps it as <see cref="Subject"/>.</summary>
    protected bool Found(string id)
    {
        if (!Guid.TryParse(id, out _) || Find(id) is not { } found)
        {
            return false;
        }

        Subject = found;
        return true;
    }

    /// <summary>The 404 of an id that is not the team's.</summary>
    protected PartialViewResult Missing() => Missing(what);
}
