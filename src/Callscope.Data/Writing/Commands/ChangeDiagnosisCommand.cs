using Callscope.Core;
using Callscope.Data.Audit;
using Callscope.Data.Diagnosis;

namespace Callscope.Data.Writing;

/// <summary>
/// Changes a team's detector thresholds. Every room of the team with participants is marked for diagnosis over its
/// whole history, so the kept issues follow the new thresholds. Answers whether the team exists.
/// </summary>
public sealed class ChangeDiagnosisCommand(TeamId team, DiagnosisSettings settings) : WriteCommand<bool>
{
    private DiagnosisSettings? before;

    /// <summary>
    /// The audit entry of the change, given the team's thresholds before it as read in the command's own transaction, so
    /// the entry compares against what the change replaced; not asked when there is no such team. It is the command's
    /// <see cref="WriteCommand{T}.Audit"/>.
    /// </summary>
    public Func<DiagnosisSettings, AuditEntry?>? AuditChange
    {
        get;
        init
        {
            field = value;
            Audit = value is null ? null : changed => changed ? value(before!) : null;
        }
    }

    internal override bool Run(WriteContext context)
    {
        var teamText = team.ToString();
        before = IssueQueries.Settings(context.Connection, teamText, context.Transaction);
        if (context.Execute("UPDATE teams SET diagnosis = @diagnosis WHERE id = @teamText", new { diagnosis = DiagnosisSettings.Store(settings), teamText }) == 0)
        {
            return false;
        }

        foreach (var room in context.Query<string>("SELECT DISTINCT room_id FROM participants WHERE team_id = @teamText", new { teamText }))
        {
            context.MarkForDiagnosis(team, new RoomId(Guid.Parse(room)), 0, long.MaxValue);
        }

        context.ChangedTeams.Add(team);
        return true;
    }
}
