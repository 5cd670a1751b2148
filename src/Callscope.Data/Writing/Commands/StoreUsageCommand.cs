using Callscope.Core;
using Callscope.Data.Usage;

namespace Callscope.Data.Writing;

/// <summary>A roll-up row: the team's hour (room "") or a room's day, starting at <c>At</c> (Unix milliseconds).</summary>
internal sealed record UsageRow(string Room, long At, UsageCounts Counts);

/// <summary>What becomes of a mark the worker read: gone (null) or moved on to <c>From</c>, unless it was raised since.</summary>
internal sealed record UsageMarkStep(string Room, long Version, long? From);

/// <summary>
/// Stores what the usage worker measured for a team: the team hours and room days it measured replace the stored
/// ones (empty ones are simply gone), the team's reach moves on, and the marks it read are cleared or moved on. A
/// result computed from a reach that is no longer the stored one (another node stored first) is dropped; a mark that
/// was raised after the worker read it stays, so what changed meanwhile is measured again.
/// </summary>
internal sealed class StoreUsageCommand(TeamId team, (long Hours, long Days)? expected, long hoursUntil, long daysUntil, long longest,
    IReadOnlyList<long> teamHours, IReadOnlyList<long> wholeDays, IReadOnlyList<(string Room, long Day)> roomDays,
    IReadOnlyList<UsageRow> rows, IReadOnlyList<UsageMarkStep> marks) : WriteCommand<bool>
{
    internal override bool Run(WriteContext context)
    {
        var teamText = team.ToString();

        // Taking the team's row first also serializes two nodes storing the same team.
        var taken = expected is { } before
            ? context.Execute(
                $"""
                UPDATE usage_state SET hours_until = @hoursUntil, days_until = @daysUntil, longest_ms = {context.Dialect.Larger("longest_ms", "@longest")},
                    generation = generation + 1
                WHERE team_id = @teamText AND hours_until = @hours AND days_until = @days
                """,
                new { teamText, hoursUntil, daysUntil, longest, hours = before.Hours, days = before.Days })
            : context.Execute(
                "INSERT INTO usage_state (team_id, hours_until, days_until, longest_ms, generation) VALUES (@teamText, @hoursUntil, @daysUntil, @longest, 1) ON CONFLICT (team_id) DO NOTHING",
                new { teamText, hoursUntil, daysUntil, longest });
        if (taken == 0)
        {
            return false;
        }

        context.Execute("DELETE FROM usage_rollups WHERE team_id = @teamText AND room_id = '' AND at = @at", teamHours.Select(at => new { teamText, at }));
        context.Execute("DELETE FROM usage_rollups WHERE team_id = @teamText AND room_id <> '' AND at = @at", wholeDays.Select(at => new { teamText, at }));
        context.Execute("DELETE FROM usage_rollups WHERE team_id = @teamText AND room_id = @Room AND at = @Day", roomDays.Select(d => new { teamText, d.Room, d.Day }));
        context.Execute(
            $"""
            INSERT INTO usage_rollups (team_id, room_id, at, {UsageRows.Columns})
            VALUES (@teamText, @room, @at, @m0, @m1, @m2, @m3, @m4, @j0, @j1, @j2, @j3, @j4, @sessions, @peakSessions, @peakParticipants, @peakPerSession)
            """,
            rows.Select(r => new
            {
                teamText, room = r.Room, at = r.At,
                m0 = r.Counts.Ms[0], m1 = r.Counts.Ms[1], m2 = r.Counts.Ms[2], m3 = r.Counts.Ms[3], m4 = r.Counts.Ms[4],
                j0 = r.Counts.Joined[0], j1 = r.Counts.Joined[1], j2 = r.Counts.Joined[2], j3 = r.Counts.Joined[3], j4 = r.Counts.Joined[4],
                sessions = r.Counts.Sessions, peakSessions = r.Counts.PeakSessions, peakParticipants = r.Counts.PeakParticipants,
                peakPerSession = r.Counts.PeakPerSession,
            }));
        foreach (var mark in marks)
        {
            var args = new { teamText, mark.Room, mark.Version, mark.From };
            context.Execute(mark.From is null
                ? "DELETE FROM usage_marks WHERE team_id = @teamText AND room_id = @Room AND version = @Version"
                : "UPDATE usage_marks SET from_ts = @From WHERE team_id = @teamText AND room_id = @Room AND version = @Version", args);
        }

        return true;
    }
}
