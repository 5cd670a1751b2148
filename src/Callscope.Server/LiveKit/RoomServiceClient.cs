using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Callscope.Server.Outbound;
using Polly.Timeout;

namespace Callscope.Server.LiveKit;

/// <summary>The body of RoomService <c>DeleteRoom</c>.</summary>
public sealed record DeleteRoomRequest(string Room);

/// <summary>What came of asking LiveKit to delete a room: the last HTTP status, or why there was none.</summary>
public sealed record DeleteRoomOutcome(bool Ok, int? Status, string? Error);

/// <summary>
/// LiveKit's RoomService over its Twirp HTTP API (<c>POST {server}/twirp/livekit.RoomService/{Method}</c>, JSON body,
/// <c>Authorization: Bearer</c> an HS256 token of the team's key). Retries and per-call timeouts come from the
/// resilience pipeline of the <see cref="HttpClientName"/> client, which connects through <see cref="OutboundHandler"/>:
/// public addresses only (unless the operator allows private networks), no redirects. What is kept of an answer is its
/// status and, for a failure, a bounded error code.
/// </summary>
public sealed class RoomServiceClient(IHttpClientFactory httpClients, IOptions<LiveKitOptions> options, TimeProvider clock, Data.Telemetry.CallscopeMetrics metrics)
{
    public const string HttpClientName = "livekit-room-service";

    private static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(10);
    private static readonly JsonWebTokenHandler Tokens = new();

    /// <summary>The error codes of the Twirp protocol (twitchtv/twirp, PROTOCOL.md).</summary>
    private static readonly HashSet<string> TwirpCodes =
    [
        "canceled", "unknown", "invalid_argument", "malformed", "deadline_exceeded", "not_found", "bad_route", "already_exists",
        "permission_denied", "unauthenticated", "resource_exhausted", "failed_precondition", "aborted", "out_of_range",
        "unimplemented", "internal", "unavailable", "dataloss",
    ];

    public async Task<DeleteRoomOutcome> DeleteRoomAsync(string serverUrl, string apiKey, string apiSecret, string room, CancellationToken cancellationToken)
    {
        var outcome = await CallDeleteRoomAsync(serverUrl, apiKey, apiSecret, room, cancellationToken);
        metrics.LiveKitCall("DeleteRoom", outcome switch
        {
            { Ok: true } => "ok",
            { Status: >= 300 and < 400 } => "redirect",
            { Status: not null } => "error_status",
            _ => outcome.Error ?? "error",
        });
        return outcome;
    }

    private async Task<DeleteRoomOutcome> CallDeleteRoomAsync(string serverUrl, string apiKey, string apiSecret, string room, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new DeleteRoomRequest(room), LiveKitJsonContext.Default.DeleteRoomRequest);
        using var request = new HttpRequestMessage(HttpMethod.Post, TwirpUri(serverUrl, "DeleteRoom"))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", RoomAdminToken(apiKey, apiSecret, room));
        try
        {
            // Headers first: the body is read here, a few KiB at most, never buffered whole by the client.
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return new DeleteRoomOutcome(true, status, null);
            }

            if (status is >= 300 and < 400)
            {
                return new DeleteRoomOutcome(false, status, "redirect");
            }

            // The answer's body gets no more time than the call itself had.
            using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            reading.CancelAfter(options.Value.DeleteRoomTimeout);
            return new DeleteRoomOutcome(false, status, await TwirpErrorCodeAsync(response, reading.Token));
        }
        catch (HttpRequestException error) when (OutboundHandler.IsRefusal(error))
        {
            return new DeleteRoomOutcome(false, null, "address_refused");
        }
        catch (HttpRequestException)
        {
            return new DeleteRoomOutcome(false, null, "unreachable");
        }
        catch (TimeoutRejectedException)
        {
            return new DeleteRoomOutcome(false, null, "timeout");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new DeleteRoomOutcome(false, null, "timeout");
        }
    }

    /// <summary>
    /// The grant LiveKit's own SDK sends for <c>DeleteRoom</c> (<c>roomCreate</c>, which the server requires), plus admin
    /// rights over that one room.
    /// </summary>
    public string RoomAdminToken(string apiKey, string apiSecret, string room)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return Tokens.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = apiKey,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + TokenLifetime,
            Claims = new Dictionary<string, object>
            {
                ["video"] = new Dictionary<string, object> { ["roomCreate"] = true, ["roomAdmin"] = true, ["room"] = room },
            },
            SigningCredentials = new SigningCredentials(LiveKitHmac.KeyFor(apiSecret), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>LiveKit URLs are often given as the clients' ws(s) address; the API is the same host over http(s).</summary>
    public static Uri TwirpUri(string serverUrl, string method)
    {
        var builder = new UriBuilder(serverUrl);
        builder.Scheme = builder.Scheme switch
        {
            "wss" => Uri.UriSchemeHttps,
            "ws" => Uri.UriSchemeHttp,
            var scheme => scheme,
        };
        if (builder.Uri.IsDefaultPort)
        {
            builder.Port = -1;
        }

        builder.Path = builder.Path.TrimEnd('/') + "/twirp/livekit.RoomService/" + method;
        return builder.Uri;
    }

    /// <summary>
    /// Twirp errors are <c>{"code": "...", "msg": "..."}</c>. Only the code is kept, and only when it is one of Twirp's
    /// own: the message may echo input, and a server that is not LiveKit may answer anything, of any size.
    /// </summary>
    private static async Task<string?> TwirpErrorCodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var prefix = await OutboundHandler.ReadPrefixAsync(response.Content, OutboundHandler.MaxAnswerBytes, cancellationToken);
            using var document = JsonDocument.Parse(prefix);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("code", out var code)
                && code.ValueKind == JsonValueKind.String && code.GetString() is { } text && TwirpCodes.Contains(text)
                ? text
                : null;
        }
        catch (Exception error) when (error is JsonException or IOException or HttpRequestException)
        {
            return null;
        }
    }
}
