using Callscope.Data.Diagnosis;
using Callscope.Data.Sessions;
using Callscope.Server.Dashboard.Pictures;
using Microsoft.AspNetCore.Mvc;

namespace Callscope.Server.Dashboard.Pages.Sessions;

/// <summary>A session's record: its details, the problems found in it, the timeline picture and its participants.</summary>
public sealed class SessionRecordModel(SessionQueries queries, IssueQueries issues, TimeProvider clock) : DashboardPage
{
    public const int MaxParticipants = 500;

    public SessionView Session { get; private set; } = null!;

    public IReadOnlyList<ParticipantView> Participants { get; private set; } = [];

    public int ParticipantCount { get; private set; }

    public SessionTimeline Timeline { get; private set; } = null!;

    /// <summary>Every participant's problems, errors first, then in the order they started.</summary>
    public IReadOnlyList<IssueView> Problems { get; private set; } = [];

    public DateTimeOffset Now { get; private set; }

    public double ParticipationMinutes { get; private set; }

    public IActionResult OnGet(string id)
    {
        if (!Guid.TryParse(id, out _) || queries.Find(Team, id) is not { } session)
        {
            return Missing("This session");
        }

        // A session absorbed by an earlier one (a late event merged them) answers under the surviving id.
        if (!string.Equals(session.Id.ToString(), id, StringComparison.OrdinalIgnoreCase))
        {
            return LocalRedirect(Links.Session(session.Id));
        }

        Now = clock.GetUtcNow();
        Session = session;
        var page = queries.Participants(Team, new ParticipantFilter(SessionId: session.Id), new Paging(Limit: MaxParticipants, Descending: false));
        Participants = page.Data;
        ParticipantCount = page.TotalCount;
        ParticipationMinutes = Math.Round(Participants.Sum(p => p.ParticipationMinutesAt(Now)), 1);
        Problems = IssueDisplay.WorstFirst(issues.ForSession(Team, session));
        Timeline = SessionTimeline.Build(session, Participants, Problems, Now);
        return Page();
    }
}
