using System.Text;
using Callscope.Core;
using Callscope.Core.Diagnosis;
using Callscope.Data.Diagnosis;
using Callscope.Data.Dialects;

namespace Callscope.Data.Writing;

/// <summary>The issues found for one participant of a room.</summary>
public sealed record ParticipantIssues(ParticipantId Participant, SessionId Session, IReadOnlyList<DiagnosedIssue> Issues);

/// <summary>
/// Keeps what the diagnosis found for a room's participants at a version of the room's <c>diagnosis_queue</c> row:
/// their issues replace the ones kept for them, issues of participants the law no longer has go, and the room is done
/// up to that version. A result for a version older than one already stored (another node was quicker, or newer
/// events came in) is dropped. Answers whether it changed any kept issue.
/// </summary>
public sealed class StoreIssuesCommand(TeamId team, RoomId room, long version, IReadOnlyList<ParticipantIssues> found) : WriteCommand<bool>
{
    internal override bool Run(WriteContext context)
    {
        var roomText = room.ToString();
        // Taking the queue row first also serializes two nodes storing the same room.
        if (context.Execute("UPDATE diagnosis_queue SET done = @version WHERE room_id = @roomText AND done < @version", new { version, roomText }) == 0)
        {
            return false;
        }

        var teamText = team.ToString();
        var participants = found.Select(f => f.Participant.ToString()).ToArray();
        var kept = KeptIssues(context.Dialect);
        var rows = found.SelectMany(f => Rows(teamText, roomText, f)).ToList();
        var before = context.Query<IssueRow>(
            $"""
            SELECT team_id AS Team, id AS Id, participant_id AS Participant, session_id AS Session, room_id AS Room, kind AS Kind, severity AS Severity,
                started_at AS StartedAt, ended_at AS EndedAt, connection_id AS ConnectionId, evidence AS Evidence, summary AS Summary
            {kept}
            """,
            new { participants }).ToHashSet();

        // Most looks at a busy room find what is kept already: then nothing is rewritten.
        var changed = !before.SetEquals(rows);
        if (changed)
        {
            context.Execute($"DELETE {kept}", new { participants });
            if (rows.Count > 0)
            {
                context.Execute(
                    """
                    INSERT INTO issues (team_id, id, participant_id, session_id, room_id, kind, severity, started_at, ended_at, connection_id, evidence, summary)
                    VALUES (@Team, @Id, @Participant, @Session, @Room, @Kind, @Severity, @StartedAt, @EndedAt, @ConnectionId, @Evidence, @Summary)
                    """,
                    rows);
            }

            var known = before.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var r in rows.Where(r => !known.Contains(r.Id)))
            {
                context.Outbox.Issue(team, room, r.Session, r.Participant, r.Id, r.Kind, r.Severity, DbTime.At(r.StartedAt), r.Summary);
            }
        }

        // Participants a law rewrite removed (a late event moved them to another session) take their issues with them.
        var orphans = context.Execute(
            "DELETE FROM issues WHERE room_id = @roomText AND participant_id NOT IN (SELECT id FROM participants WHERE room_id = @roomText)",
            new { roomText });
        context.Execute("UPDATE diagnosis_queue SET from_ts = NULL, to_ts = NULL WHERE room_id = @roomText AND version = @version", new { roomText, version });

        // Dashboards refresh when the set of issues or an end changed, not for every sample added to an open issue's evidence.
        if (orphans > 0 || !before.Select(r => (r.Id, r.EndedAt)).ToHashSet().SetEquals(rows.Select(r => (r.Id, r.EndedAt))))
        {
            context.ChangedTeams.Add(team);
        }

        return changed || orphans > 0;
    }

    /// <summary>
    /// The issues kept for the participants named in <c>@participants</c>, after <c>SELECT ...</c> or <c>DELETE</c>. They
    /// are found by participant alone: a participant's id is its team's only (it is derived from its session's), and
    /// naming the team as well leads SQLite's planner, which has no statistics, to the table's key and so through every
    /// issue of the team, for each room stored.
    /// </summary>
    internal static string KeptIssues(StoreDialect dialect) => $"FROM issues WHERE {dialect.InList("participant_id", "participants")}";

    private static IEnumerable<IssueRow> Rows(string team, string room, ParticipantIssues f)
    {
        var participant = f.Participant.ToString();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var issue in f.Issues)
        {
            var key = $"{participant}|{issue.Kind}|{issue.ConnectionId}|{DbTime.Ms(issue.StartedAt)}";
            seen[key] = seen.TryGetValue(key, out var n) ? n + 1 : 0;
            yield return new IssueRow(team, IdOf(key + "|" + seen[key]), participant, f.Session.ToString(), room, issue.Kind, (long)issue.Severity,
                DbTime.Ms(issue.StartedAt), DbTime.Ms(issue.EndedAt), issue.ConnectionId, EvidenceJson.Write(issue.Evidence), issue.Summary);
        }
    }

    /// <summary>An issue's id: the same problem, found again, keeps its id (a UUID from a digest of what identifies it).</summary>
    private static string IdOf(string key) => DerivedId.From(Encoding.UTF8.GetBytes(key)).ToString();

    private sealed record IssueRow(string Team, string Id, string Participant, string Session, string Room, string Kind, long Severity,
        long StartedAt, long? EndedAt, string? ConnectionId, string Evidence, string Summary);
}
