using System.Text.Json;
using Callscope.Data.Writing;
using Callscope.Data.Teams;
using Callscope.Server.Api;
using Callscope.Server.Audit;
using Callscope.Server.Auth;
using Callscope.Server.Browser;
using Callscope.Server.Participants;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Callscope.Server.Teams;

/// <summary>
/// The team's settings; <c>allowed_origins</c> are the origins whose pages may send browser events
/// (docs/browser-sdk.md); <c>period_start_day</c> is the day of the month its usage period starts (docs/statistics.md);
/// <c>retention_days</c> is how long history is kept after a session ends, null for ever (docs/operations.md).
/// </summary>
public sealed record TeamItem(string Id, string Name, int? MaxSessions, int GracePeriod, int? SessionLength, IReadOnlyList<string> AllowedOrigins, int PeriodStartDay,
    int? RetentionDays)
{
    public static TeamItem From(Team t, IReadOnlyList<string> allowedOrigins) =>
        new(t.Id.ToString(), t.Name, t.MaxSessions, t.GracePeriod, t.SessionLength, allowedOrigins, t.PeriodStartDay, t.RetentionDays);
}

public static class TeamEndpoints
{
    public static RouteGroupBuilder MapTeamRoutes(this RouteGroupBuilder api)
    {
        api.MapGet("/team", (HttpContext c, TeamStore teams, BrowserAccessStore access) =>
                TypedResults.Ok(TeamItem.From(teams.Find(c.User.TeamOf())!, access.Origins(c.User.TeamOf()))))
            .WithTags("Team").WithName("GetTeam").WithSummary("The team's settings");
        api.MapPatch("/team", UpdateAsync).WithTags("Team").WithName("UpdateTeam").WithSummary("Change the team's settings")
            .RequireAuthorization(TeamClaims.AdminPolicy);
        // Digital Samba answers GET /events with the names of its webhook events, as a bare array; the types the event
        // ingest knows are at /event-types, in a list envelope.
        api.MapGet("/events", () => TypedResults.Ok(Callscope.Data.Webhooks.WebhookEvents.All))
            .WithTags("Webhooks").WithName("ListEvents").WithSummary("The events webhooks can be sent, as Digital Samba lists them (a bare array of names)");
        api.MapGet("/event-types", EventTypeList).WithTags("Events").WithName("ListEventTypes")
            .WithSummary("The event types the event ingest knows, in a list envelope").WithQueryParameters(QueryDocs.Paging);
        return api;
    }

    /// <summary>The vocabulary as a list like every other: the same paging checks, the cursor being a type's name.</summary>
    private static Results<Ok<ListResponse<string>>, ProblemHttpResult> EventTypeList(HttpContext context)
    {
        var query = new QueryReader(context.Request.Query);
        var paging = query.Paging();
        if (!query.Valid)
        {
            return Problems.Validation(query.Errors);
        }

        // In the vocabulary's own order unless asked otherwise: it has no times to sort by.
        var all = context.Request.Query["order"] == "desc" ? ParticipantEndpoints.KnownTypes.Reverse().ToList() : [.. ParticipantEndpoints.KnownTypes];
        var start = 0;
        if (paging.After is { } after)
        {
            start = all.IndexOf(after) + 1;
            if (start == 0)
            {
                return QueryReader.UnknownCursor();
            }
        }

        return TypedResults.Ok(new ListResponse<string>(all.Count, [.. all.Skip(start + paging.Offset).Take(paging.Limit)]));
    }

    private static async Task<Results<Ok<TeamItem>, ProblemHttpResult>> UpdateAsync(
        HttpContext context, TeamStore teams, BrowserAccessStore access, IngestPipeline pipeline, AuditLog audit, CancellationToken cancellationToken)
    {
        var (read, problem) = await BodyReader.ReadObjectAsync(context.Request, 64 * 1024, cancellationToken);
        if (read is not { } fields)
        {
            return problem!;
        }

        using var owner = fields;

        var current = teams.Find(context.User.TeamOf())!;
        var settings = current.Settings with
        {
            Name = fields.Has("name") ? fields.Text("name", 200, required: true) ?? current.Name : current.Name,
            MaxSessions = fields.Has("max_sessions") ? fields.Number("max_sessions", 1, 1_000_000) : current.MaxSessions,
            GracePeriod = fields.Has("grace_period") ? fields.Number("grace_period", 0, 86_400) ?? Required(fields, "grace_period", "seconds from 0 to 86400") : current.GracePeriod,
            SessionLength = fields.Has("session_length") ? fields.Number("session_length", 1, 10_080) : current.SessionLength,
            PeriodStartDay = fields.Has("period_start_day")
                ? fields.Number("period_start_day", 1, TeamSettings.LastPeriodStartDay) ?? Required(fields, "period_start_day", "from 1 to 28 (the day of the month)")
                : current.PeriodStartDay,
            RetentionDays = fields.Has("retention_days")
                ? fields.Number("retention_days", TeamSettings.MinRetentionDays, TeamSettings.MaxRetentionDays)
                : current.RetentionDays,
        };
        var origins = fields.Has("allowed_origins") ? AllowedOrigins(fields) : null;
        if (!fields.Valid)
        {
            return Problems.Validation(fields.Errors);
        }

        var stored = await pipeline.SendAsync(AuditLog.ChangeTeam(context, current.Id, settings), cancellationToken);
        if (origins is not null)
        {
            await audit.ChangeOriginsAsync(context, access, current.Id, origins, cancellationToken);
        }

        return TypedResults.Ok(TeamItem.From(stored!, access.Origins(current.Id)));
    }

    /// <summary>The origins as given (null or an array of origin texts), normalised and without repeats.</summary>
    private static List<string>? AllowedOrigins(BodyReader fields)
    {
        var value = fields.Root.GetProperty("allowed_origins");
        if (value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > BrowserOrigins.MaxOrigins)
        {
            fields.Errors.Add(new FieldError("allowed_origins", $"'allowed_origins' must be an array of at most {BrowserOrigins.MaxOrigins} origins, such as [\"https://app.example.com\"]."));
            return null;
        }

        var (origins, problems) = BrowserOrigins.NormalizeAll(value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : null));
        fields.Errors.AddRange(problems.Select(p => new FieldError("allowed_origins", p)));
        return origins;
    }

    /// <summary>A setting that cannot be cleared was sent as null: the error says what it takes.</summary>
    private static int Required(BodyReader fields, string name, string rule)
    {
        if (!fields.Errors.Any(e => e.Field == name))
        {
            fields.Errors.Add(new FieldError(name, $"'{name}' must be a whole number {rule}."));
        }

        return 0;
    }
}
