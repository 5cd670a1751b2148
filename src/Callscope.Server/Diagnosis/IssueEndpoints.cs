using System.Text.Json;
using Callscope.Core.Diagnosis;
using Callscope.Data.Diagnosis;
using Callscope.Data.Sessions;
using Callscope.Data.Writing;
using Callscope.Server.Api;
using Callscope.Server.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Callscope.Server.Diagnosis;

/// <summary>How many issues a session or participant has, and the worst of them (null when none).</summary>
public sealed record IssueCountsItem(int Warnings, int Errors, string? Worst)
{
    public static IssueCountsItem From(IssueCounts counts) =>
        new(counts.Warnings, counts.Errors, counts.Worst is { } worst ? IssueKinds.Name(worst) : null);
}

public sealed record EvidenceSampleItem(string EventId, DateTimeOffset At, double? Value, string? Detail);

public sealed record EvidenceItem(string Metric, double? Threshold, double? Worst, int Count, IReadOnlyList<EvidenceSampleItem> Samples);

/// <summary>A kept issue: what went wrong, for whom, when (<c>ended_at</c> null while it goes on), and the evidence.</summary>
public sealed record IssueItem(
    string Id,
    string Kind,
    string Severity,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    bool Ongoing,
    string? ConnectionId,
    string ParticipantId,
    string? ParticipantName,
    string? ParticipantExternalId,
    string SessionId,
    string RoomId,
    string Summary,
    EvidenceItem Evidence)
{
    public static IssueItem From(IssueView i) => new(
        i.Id, i.Kind, IssueKinds.Name(i.Severity), i.StartedAt, i.EndedAt, i.Ongoing, i.ConnectionId, i.ParticipantId.ToString(), i.ParticipantName,
        i.ParticipantExternalId, i.SessionId.ToString(), i.RoomId.ToString(), i.Summary,
        new EvidenceItem(i.Evidence.Metric, i.Evidence.Threshold, i.Evidence.Worst, i.Evidence.Count,
            [.. i.Evidence.Samples.Select(s => new EvidenceSampleItem(s.EventId, s.At, s.Value, s.Detail))]));
}

/// <summary>
/// The issues the diagnosis keeps for a session and for a participant (docs/diagnosis.md), and the team's detector
/// thresholds.
/// </summary>
public static class IssueEndpoints
{
    private static readonly (string Name, string Description)[] IssueFilters =
    [
        ("severity", "Only issues of this severity: warning or error."),
        ("kind", "Comma-separated issue kinds (high_rtt, high_packet_loss, reconnect_storm, …)."),
        .. QueryDocs.Paging.Where(p => p.Name != "order"),
        ("order", "asc (default: in the order they started) or desc."),
    ];

    public static RouteGroupBuilder MapIssueRoutes(this RouteGroupBuilder api)
    {
        api.MapGet("/sessions/{id}/issues", SessionIssues).WithTags("Sessions").WithName("ListSessionIssues")
            .WithSummary("The problems the diagnosis found in a session, every participant's").WithQueryParameters(IssueFilters);
        api.MapGet("/participants/{id}/issues", ParticipantIssues).WithTags("Participants").WithName("ListParticipantIssues")
            .WithSummary("The problems the diagnosis found for a participant").WithQueryParameters(IssueFilters);
        api.MapGet("/team/diagnosis", (HttpContext c, IssueQueries issues) => TypedResults.Ok(issues.Settings(c.User.TeamOf())))
            .WithTags("Team").WithName("GetDiagnosisSettings").WithSummary("The thresholds the team's detectors use");
        api.MapPatch("/team/diagnosis", UpdateSettingsAsync).WithTags("Team").WithName("UpdateDiagnosisSettings")
            .WithSummary("Change the thresholds the team's detectors use; issues are found again under the new ones")
            .RequireAuthorization(TeamClaims.AdminPolicy);
        return api;
    }

    private static Results<Ok<ListResponse<IssueItem>>, ProblemHttpResult> SessionIssues(string id, HttpContext context, SessionQueries sessions, IssueQueries issues)
    {
        var team = context.User.TeamOf();
        if (!Guid.TryParse(id, out _) || sessions.Find(team, id) is not { } session)
        {
            return Problems.NotFound("The session");
        }

        return List(context, () => issues.ForSession(team, session));
    }

    private static Results<Ok<ListResponse<IssueItem>>, ProblemHttpResult> ParticipantIssues(
        string id, HttpContext context, SessionQueries sessions, IssueQueries issues)
    {
        var team = context.User.TeamOf();
        if (!Guid.TryParse(id, out _) || sessions.FindParticipant(team, id) is not { } participant)
        {
            return Problems.NotFound("The participant");
        }

        return List(context, () => issues.ForParticipant(team, participant));
    }

    private static Results<Ok<ListResponse<IssueItem>>, ProblemHttpResult> List(HttpContext context, Func<IReadOnlyList<IssueView>> read)
    {
        var query = new QueryReader(context.Request.Query);
        var paging = query.Paging();
        var severity = query.Text("severity", 10);
        if (severity is not null and not "warning" and not "error")
        {
            query.Errors.Add(new FieldError("severity", "'severity' must be warning or error."));
        }

        var kinds = query.Text("kind", 1000)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (kinds?.FirstOrDefault(k => !IssueKinds.All.Contains(k)) is { } unknown)
        {
            query.Errors.Add(new FieldError("kind", $"'{unknown}' is not an issue kind; the kinds are {string.Join(", ", IssueKinds.All)}."));
        }

        if (!query.Valid)
        {
            return Problems.Validation(query.Errors);
        }

        // In the order they started unless asked otherwise: a call's problems read as a story.
        var all = read().Where(i => (severity is null || IssueKinds.Name(i.Severity) == severity) && (kinds is null || kinds.Contains(i.Kind))).ToList();
        if (context.Request.Query["order"] == "desc")
        {
            all.Reverse();
        }

        var start = 0;
        if (paging.After is { } after)
        {
            start = all.FindIndex(i => i.Id == after) + 1;
            if (start == 0)
            {
                return QueryReader.UnknownCursor();
            }
        }

        return TypedResults.Ok(new ListResponse<IssueItem>(all.Count, [.. all.Skip(start + paging.Offset).Take(paging.Limit).Select(IssueItem.From)]));
    }

    /// <summary>Changes the settings named in the body; the others keep their values. Each must be a number in its range.</summary>
    private static async Task<Results<Ok<DiagnosisSettings>, ProblemHttpResult>> UpdateSettingsAsync(
        HttpContext context, IssueQueries issues, IngestPipeline pipeline, CancellationToken cancellationToken)
    {
        var (read, problem) = await BodyReader.ReadObjectAsync(context.Request, 16 * 1024, cancellationToken);
        if (read is not { } fields)
        {
            return problem!;
        }

        using var owner = fields;
        var team = context.User.TeamOf();
        var settings = issues.Settings(team);
        var known = DiagnosisSettings.Ranges.ToDictionary(r => r.Name, StringComparer.Ordinal);
        foreach (var member in fields.Root.EnumerateObject())
        {
            if (!known.TryGetValue(member.Name, out var range))
            {
                fields.Errors.Add(new FieldError(member.Name, $"'{member.Name}' is not a diagnosis setting; the settings are {string.Join(", ", known.Keys)}."));
                continue;
            }

            if (member.Value.ValueKind != JsonValueKind.Number || !member.Value.TryGetDouble(out var value) || !DiagnosisSettingChecks.Allows(range, value))
            {
                fields.Errors.Add(new FieldError(member.Name, DiagnosisSettingChecks.Rule(range)));
                continue;
            }

            settings = settings.With(member.Name, value);
        }

        if (fields.Valid && settings.Problem() is { } wrong)
        {
            fields.Errors.Add(new FieldError("crossings_needed", wrong));
        }

        if (!fields.Valid)
        {
            return Problems.Validation(fields.Errors);
        }

        await pipeline.SendAsync(Audit.AuditLog.ChangeDiagnosis(context, team, settings), cancellationToken);
        return TypedResults.Ok(settings);
    }
}
