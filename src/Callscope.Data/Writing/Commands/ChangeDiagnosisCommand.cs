using Callscope.Core;
using Callscope.Data.Diagnosis;

namespace Callscope.Data.Writing;

/// <summary>
/// Changes a team's detector thresholds. Every room of the team with participants is marked for diagnosis over its
/// whole history, so the kept issues follow the new thresholds. Answers whether the team exists.
/// </summary>
public sealed class ChangeDiagnosisCommand(TeamId team, DiagnosisSettings settings) : ReplacingCommand<bool, DiagnosisSettings>
{
    internal override bool Run(WriteContext context)
    {
        var teamText = team.ToString();
        var before = IssueQueries.Settings(context.Connection, teamText, context.Transaction);
        if (context.Execute("UPDATE teams SET diagnosis = @diagnosis WHERE id = @teamText", new { diagnosis = DiagnosisSettings.Store(settings), teamText }) == 0)
        {
            return false;
        }

        Replaced = before;

        foreach (var room in context.Query<string>("SELECT DISTINCT room_id FROM participants WHERE team_id = @teamText", new { teamText }))
        {
            context.MarkForDiagnosis(team, new RoomId(Guid.Parse(room)), 0, long.MaxValue);
        }

        context.ChangedTeams.Add(team);
        return true;
    }
}
