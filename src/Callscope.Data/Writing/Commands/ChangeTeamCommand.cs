using Callscope.Core;
using Callscope.Data.Teams;

namespace Callscope.Data.Writing;

/// <summary>
/// Changes a team's settings (its retention is carried out later, by the retention worker). When its grace period or session length changes, the live session of every room that
/// takes the team's setting follows in the same transaction. Answers the team as stored, or null when there is no
/// such team.
/// </summary>
public sealed class ChangeTeamCommand(TeamId team, TeamSettings settings) : ReplacingCommand<Team?, TeamSettings>
{
    internal override Team? Run(WriteContext context)
    {
        if (TeamStore.Find(context.Connection, context.Transaction, team) is not { } current)
        {
            return null;
        }

        Replaced = current.Settings;
        context.Execute(
            "UPDATE teams SET name = @Name, max_sessions = @MaxSessions, grace_period = @GracePeriod, session_length = @SessionLength, period_start_day = @PeriodStartDay, retention_days = @RetentionDays WHERE id = @id",
            new { settings.Name, settings.MaxSessions, settings.GracePeriod, settings.SessionLength, settings.PeriodStartDay, settings.RetentionDays, id = team.ToString() });
        if (settings.GracePeriod != current.GracePeriod || settings.SessionLength != current.SessionLength)
        {
            Reconfiguration.Apply(context, team, null);
        }

        context.ChangedTeams.Add(team);
        return current with { Name = settings.Name, MaxSessions = settings.MaxSessions, GracePeriod = settings.GracePeriod, SessionLength = settings.SessionLength, PeriodStartDay = settings.PeriodStartDay,
            RetentionDays = settings.RetentionDays };
    }
}
