using System.Text.Json.Nodes;
using Callscope.Data.Audit;
using Callscope.Data.Sessions;
using Callscope.Server.Api;
using Callscope.Server.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Callscope.Server.Audit;

/// <summary>Who did it: <c>kind</c> (member, developer_key, livekit, system or visitor), with a member's id and e-mail address.</summary>
public sealed record AuditActorItem(string Kind, string? Id, string? Email);

/// <summary>What it was done to.</summary>
public sealed record AuditTargetItem(string Type, string? Id);

/// <summary>One entry of the audit log.</summary>
public sealed record AuditItem(string Id, DateTimeOffset CreatedAt, AuditActorItem Actor, string Action, AuditTargetItem Target, JsonObject Details, string? ClientIp)
{
    public static AuditItem From(AuditRecord r) => new(
        r.Id, r.At, new AuditActorItem(r.Actor.Kind, r.Actor.MemberId?.ToString(), r.Actor.Email), r.Action, new AuditTargetItem(r.Target.Type, r.Target.Id),
        r.Details, r.ClientIp);
}

/// <summary><c>GET /api/v1/audit</c> (ext): the team's audit log, for admins (docs/api.md).</summary>
public static class AuditEndpoints
{
    public static readonly (string Name, string Description)[] Filters =
    [
        ("action", "An action's name (e.g. session.ended) or a group's (e.g. webhook.*)."),
        ("actor", "member, developer_key, livekit, system or visitor; or a member's id; or an e-mail address (any case)."),
        ("date_start", "YYYY-MM-DD or RFC 3339: from this time."),
        ("date_end", "YYYY-MM-DD (whole day) or RFC 3339: until this time."),
        .. QueryDocs.Paging,
    ];

    public static RouteGroupBuilder MapAuditRoutes(this RouteGroupBuilder api)
    {
        api.MapGet("/audit", List).RequireAuthorization(TeamClaims.AdminPolicy).WithTags("Audit").WithName("ListAuditEntries")
            .WithSummary("The team's audit log: who did what, newest first (admins only)").WithQueryParameters(Filters);
        return api;
    }

    /// <summary>Reads the filters and the paging strictly, as the API takes them; errors name the query parameter.</summary>
    public static (AuditFilter Filter, Paging Paging) Read(QueryReader query) => (ReadFilter(query), query.Paging());

    /// <summary>Reads the filters strictly, as the API and the dashboard both take them; errors name the query parameter.</summary>
    public static AuditFilter ReadFilter(QueryReader query)
    {
        var action = query.Text("action", 60);
        if (!string.IsNullOrEmpty(action) && !AuditActions.All.Contains(action)
            && !(action.EndsWith(".*", StringComparison.Ordinal) && AuditActions.Groups.Contains(action[..^2])))
        {
            query.Errors.Add(new FieldError("action", "'action' must be an action's name (see docs/api.md) or a group's such as webhook.*."));
        }

        var actor = query.Text("actor", AuditActor.MaxEmailLength);
        var from = query.Date("date_start", endOfDay: false);
        var to = query.Date("date_end", endOfDay: true);
        if (from is { } f && to is { } t && f > t)
        {
            query.Errors.Add(new FieldError("date_end", "'date_end' must not be before 'date_start'."));
        }

        return new AuditFilter(NullIfEmpty(action), NullIfEmpty(actor?.Trim()), from, to);
    }

    private static Results<Ok<ListResponse<AuditItem>>, ProblemHttpResult> List(HttpContext context, AuditStore store)
    {
        var query = new QueryReader(context.Request.Query);
        var (filter, paging) = Read(query);
        if (!query.Valid)
        {
            return Problems.Validation(query.Errors);
        }

        var page = store.List(context.User.TeamOf(), filter, paging);
        return page.UnknownCursor
            ? QueryReader.UnknownCursor()
            : TypedResults.Ok(new ListResponse<AuditItem>(page.TotalCount, [.. page.Data.Select(AuditItem.From)]));
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
