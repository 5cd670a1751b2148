using System.Text.Json;
using System.Text.Json.Nodes;
using Callscope.Data.Teams;
using Callscope.Data.Writing;
using Callscope.Server.Api;
using Callscope.Server.Auth;
using Callscope.Server.Ingestion;
using Microsoft.Extensions.Options;

namespace Callscope.Server.Browser;

/// <summary>
/// <c>POST /api/v1/ingest/client</c>: events from a participant's browser (docs/browser-sdk.md), authenticated by a
/// client token or the participant's LiveKit access token, in the header or, for <c>navigator.sendBeacon</c> (which
/// cannot set one), in the <c>access_token</c> query parameter. The token's team must allow the page's origin.
/// </summary>
public static class ClientIngestEndpoint
{
    public const string Path = "/api/v1/ingest/client";

    public static IEndpointRouteBuilder MapClientIngest(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, IngestAsync)
            .AllowAnonymous()
            .WithName("IngestClientEvents")
            .WithSummary("Ingest a batch of events from a participant's browser")
            .WithDescription(
                "The native ingest body, authenticated by a client token (POST /api/v1/client-tokens) or the participant's LiveKit access token: " +
                "'Authorization: Bearer <token>', or '?access_token=<token>' for navigator.sendBeacon, whose body may have any content type. " +
                "Room and participant come from the token; an event naming others, a room-level type, or (with a LiveKit token) presence is a 403 and nothing is stored. " +
                "401 when the token does not hold; 403 when the page's origin is not in the team's allowed_origins; 429 with Retry-After over the per-participant limits.")
            .Accepts<JsonElement>("application/json", "text/plain")
            .WithIngestBatchSchema()
            .Produces<IngestEndpoints.IngestResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithTags("Ingest");
        app.MapMethods(Path, [HttpMethods.Options], Preflight).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// A preflight carries no token, so it is granted to this server's own origin and to any origin some team allows;
    /// the request that follows is checked against its own token's team. Other origins get an answer with no grant.
    /// </summary>
    private static IResult Preflight(HttpContext context, BrowserAccessStore access)
    {
        // An OPTIONS without an Origin is no CORS preflight: a method this path does not take.
        if (context.Request.Headers.Origin.Count == 0)
        {
            context.Response.Headers.Allow = "POST, OPTIONS";
            return Problems.Create(StatusCodes.Status405MethodNotAllowed, "method-not-allowed", "This path takes POST, and OPTIONS as a CORS preflight.");
        }

        if (BrowserOrigins.Of(context.Request) is { } origin && SomeTeamAllows(context.Request, origin, access))
        {
            BrowserOrigins.Grant(context.Response, origin);
            context.Response.Headers.AccessControlAllowMethods = "POST";
            context.Response.Headers.AccessControlAllowHeaders = "Authorization, Content-Type";
            context.Response.Headers.AccessControlMaxAge = "600";

            // A Callscope on a private network, sent to by pages of public sites (Private Network Access preflights).
            if (context.Request.Headers["Access-Control-Request-Private-Network"] == "true")
            {
                context.Response.Headers["Access-Control-Allow-Private-Network"] = "true";
            }
        }

        return TypedResults.NoContent();
    }

    private static async Task<IResult> IngestAsync(
        HttpContext context, ClientTokens tokens, BrowserAccessStore access, ClientLimits limits, IngestPipeline pipeline, TimeProvider clock,
        IOptions<ClientIngestOptions> options, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var origin = BrowserOrigins.Of(request);
        var check = await tokens.VerifyAsync(TokenOf(request));
        if (check.Scope is not { } scope)
        {
            // The page may read the refusal (and ask its backend for a new token) when its origin is one some team allows.
            if (origin is not null && SomeTeamAllows(request, origin, access))
            {
                BrowserOrigins.Grant(context.Response, origin);
            }

            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"callscope\", error=\"invalid_token\"";
            return Problems.Create(StatusCodes.Status401Unauthorized, "unauthorized",
                "A valid client token is required: 'Authorization: Bearer <token>' (or '?access_token=') with a token from POST /api/v1/client-tokens, " +
                "or the participant's LiveKit access token signed with the secret of the team's LiveKit integration. It may have expired.");
        }

        if (origin is not null)
        {
            if (!BrowserOrigins.IsOwn(request, origin) && !access.Allows(scope.Team, origin))
            {
                return Problems.Forbidden($"The origin '{origin}' is not one of the team's allowed_origins (PATCH /api/v1/team).");
            }

            BrowserOrigins.Grant(context.Response, origin);
        }

        if (limits.RequestRefusal(scope) is { } wait)
        {
            return new TooManyRequestsResult(wait, "Too many requests from this participant's browser; try again after Retry-After seconds.");
        }

        using var body = await JsonBody.ReadAsync(request, options.Value.MaxBodyBytes, cancellationToken, anyContentType: true);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var document = body.Document!;
        var scoped = ClientEvents.Scope(document.RootElement, scope);
        if (scoped.Forbidden.Count > 0)
        {
            return Problems.Create(StatusCodes.Status403Forbidden, "forbidden", scoped.Forbidden[0].Message,
                new Dictionary<string, object?> { ["errors"] = scoped.Forbidden });
        }

        if (scoped.Invalid.Count > 0)
        {
            return Problems.Validation(scoped.Invalid);
        }

        var events = scoped.Body is JsonObject { } batch && batch["events"] is JsonArray list ? list.Count : 0;
        if (events > limits.MaxEventsPerRequest)
        {
            return Problems.Create(StatusCodes.Status413PayloadTooLarge, "payload-too-large",
                $"A browser's batch holds at most {limits.MaxEventsPerRequest} events here; this one has {events}.");
        }

        if (limits.EventRefusal(scope, events) is { } later)
        {
            return new TooManyRequestsResult(later, "Too many events from this participant's browser; try again after Retry-After seconds.");
        }

        using var scopedDocument = JsonSerializer.SerializeToDocument(scoped.Body);
        return await IngestEndpoints.StoreAsync(scopedDocument.RootElement, scope.Team, Data.Telemetry.IngestSource.Client, pipeline, clock, cancellationToken);
    }

    /// <summary>Whether a page of this origin may be answered before its token's team is known: this server's own, or one some team allows.</summary>
    private static bool SomeTeamAllows(HttpRequest request, string origin, BrowserAccessStore access) =>
        BrowserOrigins.IsOwn(request, origin) || access.AnyTeamAllows(origin);

    /// <summary>The bearer token of the header, else the <c>access_token</c> query parameter (RFC 6750 2.1 and 2.3).</summary>
    private static string? TokenOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.Length > 0)
        {
            return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..] : null;
        }

        return request.Query["access_token"] is { Count: 1 } query ? query[0] : null;
    }
}
