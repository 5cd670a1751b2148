using Callscope.Data.Audit;
using Callscope.Data.Sessions;
using Callscope.Data.Writing;
using Callscope.Server.Audit;
using Callscope.Server.Auth;
using Callscope.Server.Sessions;
using Microsoft.AspNetCore.Mvc;

namespace Callscope.Server.Dashboard.Pages.Sessions;

/// <summary>
/// Ending a session from the dashboard (admins only, by the page's authorization convention). The menus post here
/// after their confirmation dialog; without script, the GET shows the same question as a page.
/// </summary>
public sealed class EndSessionModel(SessionQueries queries, SessionEnding ending) : DashboardPage
{
    public SessionView Session { get; private set; } = null!;

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public IActionResult OnGet(string id)
    {
        if (!Guid.TryParse(id, out _) || queries.Find(Team, id) is not { } session)
        {
            return Missing("This session");
        }

        Session = session;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string id, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out _) || queries.Find(Team, id) is not { } session)
        {
            return Missing("This session");
        }

        var outcome = await ending.EndAsync(Team, session.Id.ToString(), User.ActorOf(),
            AuditLog.Entry(HttpContext, AuditActions.SessionEnded, AuditTarget.Session(session.Id.ToString()), new() { ["room_id"] = session.RoomId.ToString() }),
            cancellationToken);
        switch (outcome)
        {
            case EndOutcome.Ended:
                Flash($"The session in {session.RoomFriendlyUrl} was ended.");
                break;
            case EndOutcome.NotLive:
                Flash($"The session in {session.RoomFriendlyUrl} had already ended.");
                break;
            case EndOutcome.NotFound:
                return Missing("This session");
        }

        return BackTo(ReturnUrl, Links.Session(session.Id));
    }
}
