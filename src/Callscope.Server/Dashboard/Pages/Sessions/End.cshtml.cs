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
public sealed class EndSessionModel(SessionQueries queries, SessionEnding ending) : ConfirmPage<SessionView>("This session")
{
    public SessionView Session => Subject;

    protected override SessionView? Find(string id) => queries.Find(Team, id);

    public async Task<IActionResult> OnPostAsync(string id, CancellationToken cancellationToken)
    {
        if (!Found(id))
        {
            return Missing();
        }

        var session = Subject;
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
                return Missing();
        }

        return BackTo(ReturnUrl, Links.Session(session.Id));
    }
}
