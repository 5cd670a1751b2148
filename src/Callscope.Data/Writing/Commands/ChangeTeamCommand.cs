using Callscope.Core;
using Callscope.Data.Audit;
using Callscope.Data.Teams;

namespace Callscope.Data.Writing;

/// <summary>
/// Changes a team's settings (its retention is carried out later, by the retention worker). When its grace period or session length changes, the live session of every room that
/// takes the team's setting follows in the same transaction. Answers the team as stored, or null when there is no
/// such team.
/// </summary>
public sealed class ChangeTeamCommand(TeamId team, TeamSettings settings) : WriteCommand<Team?>
{
    private TeamSettings? before;

    /// <summary>
    /// The audit entry of the change, given the team's settings before it as read in the command's own transaction, so
    /// the entry compares against what the change replaced; not asked when there is no such team. It is the command's
    /// <see cref="WriteCommand{T}.Audit"/>.
    /// </summary>
    public Func<TeamSettings, AuditEntry?>? AuditChange
    {
        get;
        init
        {
            field = value;
            Audit = value is null ? null : stored => stored is null ? null : value(before!);
        }
    }

    internal override Team? Run(WriteContext context)
    {
        if (TeamStore.Find(context.Connection, context.Transaction, team) is not { } current)
        {
            return null;
        }

        before = current.Settings;
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
