using Callscope.Data.Audit;
using Callscope.Data.Sessions;
using Callscope.Data.Writing;
using Callscope.Server.Audit;
using Microsoft.AspNetCore.Mvc;

namespace Callscope.Server.Dashboard.Pages.Sessions;

/// <summary>
/// Deleting a session's history from the dashboard (admins only, by the page's authorization convention), as
/// <c>DELETE /api/v1/sessions/{id}/resources</c> does. The session's menu posts here after its confirmation dialog;
/// without script, the GET shows the same question as a page.
/// </summary>
public sealed class DeleteSessionHistoryModel(SessionQueries queries, IngestPipeline pipeline) : ConfirmPage<SessionView>("This session")
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
        var result = await pipeline.SendAsync(EraseHistoryCommand.OfSession(Team, session.Id.ToString(),
            AuditLog.Erasure(HttpContext, AuditTarget.Session(session.Id.ToString()))), cancellationToken);
        switch (result.Outcome)
        {
            case ErasureOutcome.Erased:
                Flash($"The history of the session in {session.RoomFriendlyUrl} was deleted: {DeleteHistoryText.Participants(result.Counts.Participants)} anonymised.");
                break;
            case ErasureOutcome.Live:
                Flash($"The session in {session.RoomFriendlyUrl} is live: its history can be deleted once it has ended.");
                break;
            case ErasureOutcome.NotFound:
                return Missing();
        }

        return BackTo(ReturnUrl, Links.Session(session.Id));
    }
}
