using System.Text.Json;
using System.Text.Json.Serialization;
using Callscope.Data.Webhooks;
using Callscope.Data.Writing;
using Callscope.Server.Api;
using Callscope.Server.Audit;
using Callscope.Server.Auth;
using Callscope.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Callscope.Server.Webhooks;

/// <summary>
/// Digital Samba's webhook, with Callscope's own members after its: whether it is enabled (and why not), since when
/// it has been failing, and, in the answer that creates it or rotates it only, its signing secret.
/// <c>authorization_header</c> is write-only: it reads as <see cref="WebhookEndpoints.Mask"/> when set.
/// </summary>
public sealed record WebhookItem(
    string Id, string Endpoint, string? AuthorizationHeader, string? Name, IReadOnlyList<string> Events, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt, bool Enabled, string? DisabledReason, DateTimeOffset? FailingSince)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SigningSecret { get; init; }

    public static WebhookItem From(Webhook w) => new(w.Id, w.Endpoint, w.ProtectedAuthorization is null ? null : WebhookEndpoints.Mask, w.Name,
        w.Events, w.CreatedAt, w.UpdatedAt, w.Enabled, w.DisabledReason, w.FailingSince);
}

/// <summary>One try of a delivery, as the delivery log shows it.</summary>
public sealed record AttemptItem(int Attempt, DateTimeOffset StartedAt, int DurationMs, int? Status, string? Error, string? Response, string? Node)
{
    public static AttemptItem From(DeliveryAttempt a) => new(a.Attempt, a.StartedAt, a.DurationMs, a.Status, a.Error, a.Response, a.Node);
}

/// <summary>A delivery with its message and every try: <c>id</c> is the <c>webhook-id</c> the receiver saw.</summary>
public sealed record DeliveryItem(
    string Id, string WebhookId, string EventType, string? RoomId, string? SessionId, string State, int AttemptCount, DateTimeOffset CreatedAt,
    DateTimeOffset? NextAttemptAt, DateTimeOffset? FinishedAt, int? LastStatus, string? LastError, JsonElement Payload, IReadOnlyList<AttemptItem> Attempts)
{
    public static DeliveryItem From(Delivery d) => new(d.Id, d.WebhookId, d.EventType, d.RoomId, d.SessionId, d.State, d.Attempts, d.CreatedAt,
        d.NextAttemptAt, d.FinishedAt, d.LastStatus, d.LastError, JsonDocument.Parse(d.Payload).RootElement.Clone(), [.. d.Tries.Select(AttemptItem.From)]);
}

/// <summary>
/// <c>/api/v1/webhooks</c>: Digital Samba's webhook management, and Callscope's delivery log, replay, test message and
/// key rotation (docs/webhooks.md). Admins only: a webhook carries secrets and sends the team's data out.
/// </summary>
public static class WebhookEndpoints
{
    /// <summary>What a set <c>authorization_header</c> reads as; sending it back in a PATCH keeps the token as it is.</summary>
    public const string Mask = "********";

    private const int MaxBody = 64 * 1024;

    public static RouteGroupBuilder MapWebhookRoutes(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/webhooks").WithTags("Webhooks").RequireAuthorization(TeamClaims.AdminPolicy);
        group.MapGet("/", List).WithName("ListWebhooks").WithSummary("The team's webhooks").WithQueryParameters(QueryDocs.Paging);
        group.MapPost("/", CreateAsync).WithName("CreateWebhook").WithSummary("Create a webhook; the answer carries its signing secret, shown this once")
            .WithDescription(
                "Body: endpoint (http(s) URL, 3 to 100 characters, a public address unless the operator allows private networks), " +
                "events (names from GET /api/v1/events), name (3 to 100 characters, or null), authorization_header (a bearer token sent as " +
                "Authorization; write-only).")
            .Accepts<JsonElement>("application/json");
        group.MapGet("/{webhook}", Get).WithName("GetWebhook").WithSummary("Get a webhook");
        group.MapPatch("/{webhook}", UpdateAsync).WithName("UpdateWebhook")
            .WithSummary("Change a webhook; enabled: true enables a disabled one again and sends what it held")
            .Accepts<JsonElement>("application/json");
        group.MapDelete("/{webhook}", DeleteAsync).WithName("DeleteWebhook").WithSummary("Delete a webhook, with its deliveries");
        group.MapPost("/{webhook}/rotate-secret", RotateAsync).WithName("RotateWebhookSecret")
            .WithSummary("A new signing secret, shown this once; the old one keeps signing beside it for 24 hours");
        group.MapPost("/{webhook}/test", SendTest).WithName("TestWebhook").WithSummary("Queue a webhook_test message for this webhook");
        group.MapGet("/{webhook}/deliveries", Deliveries).WithName("ListWebhookDeliveries")
            .WithSummary("The webhook's deliveries, newest first, each with its tries (state: pending, delivered or failed)")
            .WithQueryParameters(QueryDocs.Paging);
        group.MapGet("/{webhook}/deliveries/{delivery}", GetDelivery).WithName("GetWebhookDelivery").WithSummary("One delivery with its tries");
        group.MapPost("/{webhook}/deliveries/{delivery}/replay", Replay).WithName("ReplayWebhookDelivery")
            .WithSummary("Send a delivery again now, with the same webhook-id and a fresh schedule of tries");
        group.MapPost("/{webhook}/deliveries/replay", ReplayFailedAsync).WithName("ReplayFailedWebhookDeliveries")
            .WithSummary("Send again every failed delivery created since a time (body: since, RFC 3339)")
            .Accepts<JsonElement>("application/json");
        return api;
    }

    private static Results<Ok<ListResponse<WebhookItem>>, ProblemHttpResult> List(HttpContext context, WebhookStore store)
    {
        var query = new QueryReader(context.Request.Query);
        var paging = query.Paging();
        if (!query.Valid)
        {
            return Problems.Validation(query.Errors);
        }

        var page = store.List(context.User.TeamOf(), paging.Limit, paging.Offset, paging.Descending, paging.After);
        return page.UnknownCursor
            ? QueryReader.UnknownCursor()
            : TypedResults.Ok(new ListResponse<WebhookItem>(page.TotalCount, [.. page.Data.Select(WebhookItem.From)]));
    }

    private static Results<Ok<WebhookItem>, ProblemHttpResult> Get(string webhook, HttpContext context, WebhookStore store) =>
        store.Find(context.User.TeamOf(), webhook) is { } found ? TypedResults.Ok(WebhookItem.From(found)) : NotFound();

    private static async Task<Results<Created<WebhookItem>, ProblemHttpResult>> CreateAsync(
        HttpContext context, WebhookStore store, WebhookSecrets secrets, IOptions<CallscopeOptions> options, TimeProvider clock,
        AuditLog audit, CancellationToken cancellationToken)
    {
        var (read, problem) = await BodyReader.ReadObjectAsync(context.Request, MaxBody, cancellationToken);
        if (read is not { } fields)
        {
            return problem!;
        }

        using var owner = fields;
        var endpoint = Endpoint(fields, options.Value.Outbound.AllowPrivateNetworks, required: true);
        var name = Name(fields);
        var events = Events(fields, required: true);
        var token = Token(fields);
        if (!fields.Valid)
        {
            return Problems.Validation(fields.Errors);
        }

        var (webhook, secret) = WebhookChanges.Create(secrets, context.User.TeamOf(), endpoint!, name, events!, token, clock.GetUtcNow());
        store.Create(webhook);
        await WebhookAudit.CreatedAsync(audit, context, webhook, cancellationToken);
        return TypedResults.Created($"/api/v1/webhooks/{webhook.Id}", WebhookItem.From(webhook) with { SigningSecret = secret });
    }

    private static async Task<Results<Ok<WebhookItem>, ProblemHttpResult>> UpdateAsync(
        string webhook, HttpContext context, WebhookStore store, WebhookSecrets secrets, IOptions<CallscopeOptions> options, TimeProvider clock,
        AuditLog audit, CancellationToken cancellationToken)
    {
        if (store.Find(context.User.TeamOf(), webhook) is not { } current)
        {
            return NotFound();
        }

        var (read, problem) = await BodyReader.ReadObjectAsync(context.Request, MaxBody, cancellationToken);
        if (read is not { } fields)
        {
            return problem!;
        }

        using var owner = fields;
        var endpoint = fields.Has("endpoint") ? Endpoint(fields, options.Value.Outbound.AllowPrivateNetworks, required: true) : current.Endpoint;
        var name = fields.Has("name") ? Name(fields) : current.Name;
        var events = fields.Has("events") ? Events(fields, required: true) : current.Events;
        var authorization = current.ProtectedAuthorization;
        if (fields.Has("authorization_header"))
        {
            var token = Token(fields);
            authorization = token switch
            {
                Mask => current.ProtectedAuthorization,
                null or "" => null,
                _ => secrets.ProtectAuthorization(token),
            };
        }

        var enabled = current.Enabled;
        if (fields.Has("enabled"))
        {
            if (fields.Root.GetProperty("enabled").ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                enabled = fields.Root.GetProperty("enabled").GetBoolean();
            }
            else
            {
                fields.Errors.Add(new FieldError("enabled", "'enabled' must be true or false."));
            }
        }

        if (!fields.Valid)
        {
            return Problems.Validation(fields.Errors);
        }

        var now = clock.GetUtcNow();
        var changed = WebhookChanges.SetEnabled(current, enabled, now) with
        {
            Endpoint = endpoint!,
            Name = name,
            Events = events!,
            ProtectedAuthorization = authorization,
            UpdatedAt = now,
        };
        if (!store.Update(changed))
        {
            return NotFound();
        }

        await WebhookAudit.ChangedAsync(audit, context, current, changed, cancellationToken);
        return TypedResults.Ok(WebhookItem.From(changed));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string webhook, HttpContext context, WebhookStore store, AuditLog audit, CancellationToken cancellationToken)
    {
        if (store.Find(context.User.TeamOf(), webhook) is not { } current || !store.Delete(context.User.TeamOf(), webhook))
        {
            return NotFound();
        }

        await WebhookAudit.DeletedAsync(audit, context, current, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<WebhookItem>, ProblemHttpResult>> RotateAsync(
        string webhook, HttpContext context, WebhookStore store, WebhookSecrets secrets, TimeProvider clock, AuditLog audit,
        CancellationToken cancellationToken)
    {
        if (store.Find(context.User.TeamOf(), webhook) is not { } current)
        {
            return NotFound();
        }

        var (rotated, secret) = WebhookChanges.Rotate(secrets, current, clock.GetUtcNow());
        if (!store.Update(rotated))
        {
            return NotFound();
        }

        await WebhookAudit.RotatedAsync(audit, context, rotated, cancellationToken);
        return TypedResults.Ok(WebhookItem.From(rotated) with { SigningSecret = secret });
    }

    private static Results<Accepted<DeliveryItem>, ProblemHttpResult> SendTest(
        string webhook, HttpContext context, WebhookStore store, TimeProvider clock, IngestPipeline pipeline)
    {
        var team = context.User.TeamOf();
        if (store.Find(team, webhook) is not { } found)
        {
            return NotFound();
        }

        var id = store.QueueTest(found, clock.GetUtcNow());
        pipeline.AnnounceDeliveries();
        var delivery = store.Delivery(team, webhook, id)!;
        return TypedResults.Accepted($"/api/v1/webhooks/{webhook}/deliveries/{id}", DeliveryItem.From(delivery));
    }

    private static Results<Ok<ListResponse<DeliveryItem>>, ProblemHttpResult> Deliveries(string webhook, HttpContext context, WebhookStore store)
    {
        var team = context.User.TeamOf();
        if (store.Find(team, webhook) is null)
        {
            return NotFound();
        }

        var query = new QueryReader(context.Request.Query);
        var paging = query.Paging();
        var state = query.Text("state", 20);
        if (state is not (null or DeliveryStates.Pending or DeliveryStates.Delivered or DeliveryStates.Failed))
        {
            query.Errors.Add(new FieldError("state", "'state' must be pending, delivered or failed."));
        }

        if (paging.After is not null)
        {
            query.Errors.Add(new FieldError("after", "Deliveries are paged by limit and offset."));
        }

        if (!query.Valid)
        {
            return Problems.Validation(query.Errors);
        }

        var page = store.Deliveries(team, webhook, state, paging.Limit, paging.Offset, paging.Descending);
        return TypedResults.Ok(new ListResponse<DeliveryItem>(page.TotalCount, [.. page.Data.Select(DeliveryItem.From)]));
    }

    private static Results<Ok<DeliveryItem>, ProblemHttpResult> GetDelivery(string webhook, string delivery, HttpContext context, WebhookStore store) =>
        store.Delivery(context.User.TeamOf(), webhook, delivery) is { } found ? TypedResults.Ok(DeliveryItem.From(found)) : Problems.NotFound("The delivery");

    private static Results<Accepted<DeliveryItem>, ProblemHttpResult> Replay(
        string webhook, string delivery, HttpContext context, WebhookStore store, TimeProvider clock, IngestPipeline pipeline)
    {
        var team = context.User.TeamOf();
        if (!store.Replay(team, webhook, delivery, clock.GetUtcNow()))
        {
            return Problems.NotFound("The delivery");
        }

        pipeline.AnnounceDeliveries();
        return TypedResults.Accepted($"/api/v1/webhooks/{webhook}/deliveries/{delivery}", DeliveryItem.From(store.Delivery(team, webhook, delivery)!));
    }

    /// <summary>The answer to a replay of failed deliveries: how many were queued again.</summary>
    public sealed record ReplayedItem(int Replayed);

    private static async Task<Results<Accepted<ReplayedItem>, ProblemHttpResult>> ReplayFailedAsync(
        string webhook, HttpContext context, WebhookStore store, TimeProvider clock, IngestPipeline pipeline, CancellationToken cancellationToken)
    {
        var team = context.User.TeamOf();
        if (store.Find(team, webhook) is null)
        {
            return NotFound();
        }

        var (read, problem) = await BodyReader.ReadObjectAsync(context.Request, MaxBody, cancellationToken);
        if (read is not { } fields)
        {
            return problem!;
        }

        using var owner = fields;
        var text = fields.Text("since", 40, required: true);
        if (!fields.Valid)
        {
            return Problems.Validation(fields.Errors);
        }

        if (!DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var since)
            || !text!.Contains('T', StringComparison.Ordinal))
        {
            return Problems.Validation("since", "'since' must be an RFC 3339 time, e.g. 2026-12-01T00:00:00Z.");
        }

        var replayed = store.ReplayFailed(team, webhook, since, clock.GetUtcNow());
        if (replayed > 0)
        {
            pipeline.AnnounceDeliveries();
        }

        return TypedResults.Accepted($"/api/v1/webhooks/{webhook}/deliveries?state=pending", new ReplayedItem(replayed));
    }

    private static ProblemHttpResult NotFound() => Problems.NotFound("The webhook");

    private static string? Endpoint(BodyReader fields, bool allowPrivateNetworks, bool required) =>
        Checked(fields, "endpoint", fields.Text("endpoint", WebhookRules.MaxEndpointLength, required), text => WebhookRules.EndpointProblem(text, allowPrivateNetworks));

    private static string? Name(BodyReader fields) => Checked(fields, "name", fields.Text("name", WebhookRules.MaxNameLength), WebhookRules.NameProblem);

    private static IReadOnlyList<string>? Events(BodyReader fields, bool required) =>
        Checked(fields, "events", fields.Strings("events", 50, 100, required), WebhookRules.EventsProblem) is { } events ? [.. events.Distinct()] : null;

    /// <summary>The bearer token exactly as given (not trimmed), never echoed in an error; "" or null removes it.</summary>
    private static string? Token(BodyReader fields)
    {
        if (!fields.Root.TryGetProperty("authorization_header", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var token = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        if (token is null || WebhookRules.TokenProblem(token) is not null)
        {
            fields.Errors.Add(new FieldError("authorization_header", WebhookRules.TokenMessage));
            return null;
        }

        return token;
    }

    /// <summary>A field's value once read, unless its rule finds a problem (then the error is added and null answered).</summary>
    private static T? Checked<T>(BodyReader fields, string field, T? value, Func<T, string?> rule)
        where T : class
    {
        if (value is not null && rule(value) is { } problem)
        {
            fields.Errors.Add(new FieldError(field, problem));
            return null;
        }

        return value;
    }
}
