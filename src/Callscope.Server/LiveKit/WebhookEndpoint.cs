using System.Text.Json;
using Callscope.Data.Writing;
using Callscope.Data.Audit;
using Callscope.Server.Api;
using Callscope.Server.Audit;
using Callscope.Server.Ingestion;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Callscope.Server.LiveKit;

/// <summary><c>POST /api/v1/ingest/livekit</c>: LiveKit server webhooks, authenticated by their own signed token.</summary>
public static partial class WebhookEndpoint
{
    /// <summary>A webhook with a full room and participant is a few kilobytes; egress results are the largest.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    public const string ContentType = "application/webhook+json";

    public const string Path = "/api/v1/ingest/livekit";

    public static IEndpointRouteBuilder MapLiveKitWebhook(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, ReceiveAsync)
            .AllowAnonymous()
            .WithName("IngestLiveKitWebhook")
            .WithSummary("Receive a LiveKit server webhook")
            .WithDescription(
                "Point a LiveKit server's webhook.urls here. The Authorization header carries LiveKit's HS256 token (bare, or after 'Bearer '); " +
                "it must be signed with the secret of an API key connected at /api/v1/integrations/livekit and carry the SHA-256 of the body. " +
                "202 once the event is durably stored (or was already); 401 and nothing stored when the token does not hold; " +
                "400 validation-failed and nothing stored when the event breaks the rules native ingest applies (names, identities, type).")
            .Accepts<JsonElement>(ContentType, "application/json")
            .WithTags("Ingest");
        return app;
    }

    private static async Task<Results<Accepted<IngestEndpoints.IngestResponse>, ProblemHttpResult>> ReceiveAsync(
        HttpContext context, WebhookVerifier verifier, IngestPipeline pipeline, TimeProvider clock, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        if (await ReadBodyAsync(context.Request, cancellationToken) is not { } body)
        {
            return Problems.Create(StatusCodes.Status413PayloadTooLarge, "payload-too-large", $"The body must be at most {MaxBodyBytes / 1024} KiB.");
        }

        var check = await verifier.VerifyAsync(context.Request.Headers.Authorization.ToString(), body);
        if (check.Integration is not { } integration)
        {
            return Problems.Create(StatusCodes.Status401Unauthorized, "unauthorized",
                "The webhook's token is missing, expired, not signed with the secret of a connected LiveKit API key, or not for this body.");
        }

        WebhookEvent? webhook;
        try
        {
            webhook = JsonSerializer.Deserialize(body.Span, LiveKitJsonContext.Default.WebhookEvent);
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException or FormatException or OverflowException)
        {
            // The body is the sender's (a signed one, still): whatever it does to the reader, it is not a LiveKit event.
            webhook = null;
        }

        if (webhook is null)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "malformed-json", "The body is not a LiveKit webhook event.");
        }

        // LiveKit retries send byte-identical bodies, so the body's hash is a stable id should an event come without one.
        var fallbackId = "livekit-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body.Span))[..32];
        var batch = WebhookMapper.Read(new WebhookDelivery(webhook, fallbackId), clock.GetUtcNow());

        // The same rules as native ingest: a webhook whose event native ingest would refuse is refused, and nothing of it
        // is stored. LiveKit does not retry a 4xx, so the refusal is logged (field names only, never the values).
        if (batch.Refused)
        {
            Log.Invalid(loggers.CreateLogger(typeof(WebhookEndpoint).FullName!), Shown(webhook.Event),
                string.Join(", ", batch.Problems.Select(p => p.Field).Distinct()));
            return Problems.Validation([.. batch.Problems.Select(p => new FieldError(p.Field, p.Message))]);
        }

        if (batch.Events.Count == 0)
        {
            Log.Unplaced(loggers.CreateLogger(typeof(WebhookEndpoint).FullName!), Shown(webhook.Event));
            return TypedResults.Accepted((string?)null, new IngestEndpoints.IngestResponse(0, 0, 0));
        }

        // LiveKit closing a room ends its session: recorded with the events, unless they were all stored before (a retry).
        var ended = webhook.Event == "room_finished"
            ? new AuditEntry(integration.TeamId, AuditActor.LiveKit, AuditActions.SessionEnded, new AuditTarget("livekit_room", webhook.Room?.Name),
                new() { ["event"] = "room_finished", ["livekit_room_sid"] = webhook.Room?.Sid }, AuditLog.ClientIp(context))
            : null;
        var result = await pipeline.SendAsync(
            new IngestCommand(integration.TeamId, batch.Events) { Source = Data.Telemetry.IngestSource.LiveKit, Audit = r => r is { Rejected: false, Accepted: > 0 } ? ended : null }, cancellationToken);
        if (result.Rejected)
        {
            return Problems.Validation([.. result.Problems.Select(p => new FieldError(p.Field, p.Message))]);
        }

        return TypedResults.Accepted((string?)null, IngestEndpoints.IngestResponse.From(result));
    }

    /// <summary>An event name as a log shows it: at most 64 characters, control characters as '?' (it is the sender's text).</summary>
    private static string Shown(string? name) =>
        name is null ? "(none)" : new string([.. name.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);

    /// <summary>The raw body bytes (the signature covers exactly these), or null when it is too large.</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a signed LiveKit '{Event}' webhook that breaks the ingest rules at: {Fields}")]
        public static partial void Invalid(ILogger logger, string @event, string fields);

        [LoggerMessage(Level = LogLevel.Information, Message = "A LiveKit '{Event}' webhook names no room, so it has nowhere to be kept; answered 202")]
        public static partial void Unplaced(ILogger logger, string @event);
    }
}
