using System.Text.Json;
using Callscope.Core;
using Callscope.Core.Diagnosis;

namespace Callscope.Data.Diagnosis;

/// <summary>How many of a session's or participant's issues are warnings and how many errors.</summary>
public sealed record IssueCounts(int Warnings, int Errors)
{
    public static readonly IssueCounts None = new(0, 0);

    public int Total => Warnings + Errors;

    /// <summary>The worst severity among the issues, or null when there are none.</summary>
    public IssueSeverity? Worst => Errors > 0 ? IssueSeverity.Error : Warnings > 0 ? IssueSeverity.Warning : null;
}

/// <summary>
/// A kept issue as the API and the dashboard show it, with the participant it belongs to. An issue the diagnosis left
/// open ends when its participant left: a participant who is gone has no ongoing problem.
/// </summary>
public sealed record IssueView(
    string Id,
    ParticipantId ParticipantId,
    SessionId SessionId,
    RoomId RoomId,
    string? ParticipantName,
    string? ParticipantExternalId,
    string Kind,
    IssueSeverity Severity,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    string? ConnectionId,
    IssueEvidence Evidence,
    string Summary)
{
    public bool Ongoing => EndedAt is null;
}

/// <summary>The stored form of an issue's evidence: the JSON the API serves under <c>evidence</c>.</summary>
internal static class EvidenceJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never,
    };

    public static string Write(IssueEvidence evidence) => JsonSerializer.Serialize(evidence, Options);

    public static IssueEvidence Read(string json) =>
        JsonSerializer.Deserialize<IssueEvidence>(json, Options) ?? new IssueEvidence("unknown", null, null, 0, []);
}
