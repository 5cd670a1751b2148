using Callscope.Core;
using Callscope.Core.Diagnosis;
using System.Data.Common;
using Callscope.Data.Dialects;
using Callscope.Data.Sessions;
using Dapper;

namespace Callscope.Data.Diagnosis;

/// <summary>
/// Reads the kept issues (written by <see cref="DiagnosisWorker"/>), and the team's detector settings. Nothing here
/// diagnoses: lists and records read what the worker stored.
/// </summary>
public sealed class IssueQueries(CallscopeDatabase database)
{
    private const string IssueSelect =
        """
        SELECT i.id AS Id, i.participant_id AS ParticipantId, i.session_id AS SessionId, i.room_id AS RoomId, p.name AS ParticipantName,
            p.external_id AS ParticipantExternalId, i.kind AS Kind, i.severity AS Severity, i.started_at AS StartedAt, i.ended_at AS EndedAt,
            i.connection_id AS ConnectionId, i.evidence AS Evidence, i.summary AS Summary, p.leave_time AS ParticipantLeftAt
        FROM issues i JOIN participants p ON p.id = i.participant_id
        """;

    /// <summary>The participant's issues, in the order they started.</summary>
    public IReadOnlyList<IssueView> ForParticipant(TeamId team, ParticipantView participant)
    {
        using var connection = database.Open();
        var rows = connection.Query<IssueRow>(
            $"{IssueSelect} WHERE i.participant_id = @id AND i.team_id = @team ORDER BY i.started_at, i.kind, i.connection_id",
            new { id = participant.Id.ToString(), team = team.ToString() });
        return [.. rows.Select(r => r.ToView(participant.Live ? null : participant.LeaveTime))];
    }

    /// <summary>The session's issues, every participant's, in the order they started.</summary>
    public IReadOnlyList<IssueView> ForSession(TeamId team, SessionView session)
    {
        using var connection = database.Open();
        var rows = connection.Query<IssueRow>(
            $"{IssueSelect} WHERE i.session_id = @id AND i.team_id = @team ORDER BY i.started_at, i.kind, i.participant_id, i.connection_id",
            new { id = session.Id.ToString(), team = team.ToString() });
        // In a session that has ended everyone has left, at the latest when it ended.
        return [.. rows.Select(r => r.ToView(session.End is { } end ? DbTime.At(r.ParticipantLeftAt) ?? end : DbTime.At(r.ParticipantLeftAt)))];
    }

    /// <summary>The team's detector settings.</summary>
    public DiagnosisSettings Settings(TeamId team)
    {
        using var connection = database.Open();
        return Settings(connection, team.ToString());
    }

    internal static DiagnosisSettings Settings(DbConnection connection, string team, DbTransaction? transaction = null) =>
        DiagnosisSettings.Load(connection.QuerySingleOrDefault<string?>("SELECT diagnosis FROM teams WHERE id = @team", new { team }, transaction));

    /// <summary>How many rooms wait for their participants to be diagnosed again, for health and tests.</summary>
    public int Pending()
    {
        using var connection = database.Open();
        return connection.ExecuteScalar<int>("SELECT COUNT(*) FROM diagnosis_queue WHERE version > done");
    }

    private sealed record IssueRow(string Id, string ParticipantId, string SessionId, string RoomId, string? ParticipantName,
        string? ParticipantExternalId, string Kind, long Severity, long StartedAt, long? EndedAt, string? ConnectionId, string Evidence,
        string Summary, long? ParticipantLeftAt)
    {
        /// <param name="leftAt">When the participant left for good, or null while it is in the call.</param>
        public IssueView ToView(DateTimeOffset? leftAt) => new(
            Id, new ParticipantId(Guid.Parse(ParticipantId)), new SessionId(Guid.Parse(SessionId)), new RoomId(Guid.Parse(RoomId)),
            ParticipantName, ParticipantExternalId, Kind, (IssueSeverity)Severity, DbTime.At(StartedAt),
            DbTime.At(EndedAt) ?? (leftAt is { } left ? Max(left, DbTime.At(StartedAt)) : null), ConnectionId, EvidenceJson.Read(Evidence), Summary);

        private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
    }
}

/// <summary>Sessions' and participants' issue counts, and the SQL of the filters on them.</summary>
internal static class IssueSql
{
    /// <summary>The issue counts of the sessions or participants (by <paramref name="column"/>) with these ids; those without issues are absent.</summary>
    public static Dictionary<string, IssueCounts> Counts(DbConnection connection, StoreDialect dialect, string column, string[] ids)
    {
        var counts = new Dictionary<string, IssueCounts>(StringComparer.Ordinal);
        if (ids.Length == 0)
        {
            return counts;
        }

        foreach (var (id, severity, n) in connection.Query<(string, long, long)>(
            $"SELECT {column}, severity, COUNT(*) FROM issues WHERE {dialect.InList(column, "ids")} GROUP BY {column}, severity", new { ids }))
        {
            var c = counts.GetValueOrDefault(id, IssueCounts.None);
            counts[id] = severity == (long)IssueSeverity.Error ? c with { Errors = (int)n } : c with { Warnings = (int)n };
        }

        return counts;
    }

    public static string Exists(string column, string id, bool has) =>
        $"{(has ? "" : "NOT ")}EXISTS (SELECT 1 FROM issues i WHERE i.{column} = {id})";
}
