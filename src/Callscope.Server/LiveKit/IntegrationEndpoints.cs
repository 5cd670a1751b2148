using System.Text.Json;
using Callscope.Data.Audit;
using Callscope.Data.LiveKit;
using Callscope.Server.Api;
using Callscope.Server.Audit;
using Callscope.Server.Auth;
using Callscope.Server.Hosting;
using Callscope.Server.Outbound;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Callscope.Server.LiveKit;

/// <summary>What the API shows of a LiveKit integration. The secret is write-only and never appears.</summary>
public sealed record LiveKitIntegrationItem(string ApiKey, string? ServerUrl, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static LiveKitIntegrationItem From(LiveKitIntegration i) => new(i.ApiKey, i.ServerUrl, i.CreatedAt, i.UpdatedAt);
}

/// <summary><c>/api/v1/integrations/livekit</c>: a team connects its LiveKit server (admins only).</summary>
public static class IntegrationEndpoints
{
    private const int MaxKeyLength = 200;
    private const int MaxSecretLength = 1000;
    private const int MaxUrlLength = 2000;
    private static readonly string[] ServerSchemes = ["https", "http", "wss", "ws"];

    public static IEndpointRouteBuilder MapLiveKitIntegration(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/integrations/livekit").RequireAuthorization(TeamClaims.AdminPolicy).WithTags("Integrations");
        group.MapGet("/", Get).WithName("GetLiveKitIntegration").WithSummary("The team's LiveKit server: API key and server URL (never the secret)");
        group.MapPut("/", PutAsync).WithName("PutLiveKitIntegration").WithSummary("Connect the team's LiveKit server, or change it")
            .WithDescription(
                "Body: api_key, api_secret (write-only; may be left out when api_key is unchanged), server_url (optional: http(s) or ws(s); " +
                "when set, ending a session of a LiveKit room also deletes the room on that server; no user info, and a public address unless " +
                "the operator allows private networks). An API key belongs to one team only.")
            .Accepts<JsonElement>("application/json");
        group.MapDelete("/", DeleteAsync).WithName("DeleteLiveKitIntegration").WithSummary("Disconnect the team's LiveKit server");
        return app;
    }

    private static Results<Ok<LiveKitIntegrationItem>, ProblemHttpResult> Get(HttpContext context, LiveKitIntegrationStore store) =>
        store.ForTeam(context.User.TeamOf()) is { } integration
            ? TypedResults.Ok(LiveKitIntegrationItem.From(integration))
            : Problems.NotFound("A LiveKit integration");

    private static async Task<Results<Ok<LiveKitIntegrationItem>, ProblemHttpResult>> PutAsync(
        HttpContext context, LiveKitIntegrationStore store, LiveKitSecrets secrets, IOptions<CallscopeOptions> options, TimeProvider clock,
        AuditLog audit, CancellationToken cancellationToken)
    {
        var (read, problem) = await BodyReader.ReadObjectAsync(context.Request, 64 * 1024, cancellationToken);
        if (read is not { } fields)
        {
            return problem!;
        }

        using var owner = fields;

        var team = context.User.TeamOf();
        var current = store.ForTeam(team);
        var apiKey = fields.Text("api_key", MaxKeyLength, required: true);
        var serverUrl = fields.Text("server_url", MaxUrlLength);
        if (serverUrl is { Length: 0 })
        {
            serverUrl = null;
        }

        if (serverUrl is not null)
        {
            if (!IsServerUrl(serverUrl, out var uri))
            {
                fields.Errors.Add(new FieldError("server_url", "'server_url' must be an absolute http, https, ws or wss URL, e.g. https://livekit.example.com."));
            }
            else if (OutboundUrls.Problem("server_url", uri, options.Value.Outbound.AllowPrivateNetworks) is { } unsafeUrl)
            {
                fields.Errors.Add(new FieldError("server_url", unsafeUrl));
            }
        }

        var secret = ReadSecret(fields.Root, fields.Errors);
        if (secret is null && apiKey is not null && current?.ApiKey != apiKey && !fields.Errors.Exists(e => e.Field == "api_secret"))
        {
            fields.Errors.Add(new FieldError("api_secret", "'api_secret' is required (it may be left out only to keep the secret of an unchanged api_key)."));
        }

        if (!fields.Valid)
        {
            return Problems.Validation(fields.Errors);
        }

        var now = clock.GetUtcNow();
        var integration = new LiveKitIntegration(team, apiKey!, secret is null ? current!.ProtectedSecret : secrets.Protect(secret), serverUrl,
            current?.CreatedAt ?? now, now);
        if (store.Save(integration) == IntegrationSaved.KeyTaken)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "livekit-key-in-use", "This LiveKit API key is already connected to another team.");
        }

        // The secret itself is never recorded: only that it was replaced.
        var changes = AuditLog.Changes(("api_key", current?.ApiKey, integration.ApiKey), ("server_url", current?.ServerUrl, integration.ServerUrl));
        if (secret is not null)
        {
            changes["api_secret_replaced"] = true;
        }

        await audit.RecordAsync(context, AuditActions.LiveKitIntegrationSaved, new AuditTarget("livekit_integration", integration.ApiKey), changes, cancellationToken);
        return TypedResults.Ok(LiveKitIntegrationItem.From(integration));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        HttpContext context, LiveKitIntegrationStore store, AuditLog audit, CancellationToken cancellationToken)
    {
        var current = store.ForTeam(context.User.TeamOf());
        if (current is null || !store.Delete(context.User.TeamOf()))
        {
            return Problems.NotFound("A LiveKit integration");
        }

        await audit.RecordAsync(context, AuditActions.LiveKitIntegrationRemoved, new AuditTarget("livekit_integration", current.ApiKey), cancellationToken: cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>The secret exactly as given: unlike other text it is not trimmed, and it is never echoed in an error.</summary>
    private static string? ReadSecret(JsonElement root, List<FieldError> errors)
    {
        if (!root.TryGetProperty("api_secret", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 and <= MaxSecretLength } secret)
        {
            errors.Add(new FieldError("api_secret", $"'api_secret' must be a string of 1 to {MaxSecretLength} characters."));
            return null;
        }

        return secret;
    }

    private static bool IsServerUrl(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? uri) =>
        Uri.TryCreate(text, UriKind.Absolute, out uri) && ServerSchemes.Contains(uri.Scheme) && uri.Host.Length > 0
        && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment);
}
