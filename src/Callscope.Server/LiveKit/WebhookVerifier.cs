using System.Security.Cryptography;
using System.Text;
using Callscope.Data.LiveKit;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Callscope.Server.LiveKit;

public enum WebhookRejection
{
    MissingToken,
    MalformedToken,
    UnknownKey,
    SecretUnreadable,
    BadSignature,
    Expired,
    InvalidToken,
    BodyHashMismatch,
}

/// <summary>The outcome of checking a webhook: the integration it belongs to, or why it was refused.</summary>
public sealed record WebhookCheck(LiveKitIntegration? Integration, WebhookRejection? Rejection)
{
    public static WebhookCheck Refused(WebhookRejection why) => new(null, why);
}

/// <summary>
/// Checks a webhook as LiveKit's Go receiver does (<c>webhook.Receive</c>): the bare JWT in <c>Authorization</c>, its
/// issuer naming a registered API key, HS256 with that key's secret, a required expiry with one minute of leeway, and
/// the <c>sha256</c> claim equal to the base64 SHA-256 of the raw body bytes, compared in constant time. Nothing in the
/// body is read before all of that holds. A token of any other shape (<see cref="WebhookToken"/>) is refused before
/// it is parsed for claims, and every refusal is one warning line with the reason, never the token.
/// </summary>
public sealed partial class WebhookVerifier(LiveKitIntegrationStore integrations, LiveKitSecrets secrets, TimeProvider clock, ILogger<WebhookVerifier> logger)
{
    public static readonly TimeSpan Leeway = TimeSpan.FromMinutes(1);

    private const string BearerPrefix = "Bearer ";
    private static readonly JsonWebTokenHandler Tokens = new();

    public async Task<WebhookCheck> VerifyAsync(string? authorization, ReadOnlyMemory<byte> body)
    {
        var check = await CheckAsync(authorization, body);
        if (check.Rejection is { } why)
        {
            Log.Refused(logger, why);
        }

        return check;
    }

    /// <summary>The base64 SHA-256 of a body, as LiveKit puts it in the token's <c>sha256</c> claim.</summary>
    public static string BodyHash(ReadOnlySpan<byte> body) => Convert.ToBase64String(SHA256.HashData(body));

    private async Task<WebhookCheck> CheckAsync(string? authorization, ReadOnlyMemory<byte> body)
    {
        // LiveKit sends the bare token; a "Bearer " prefix is accepted too, for proxies and hand-made requests.
        var token = authorization?.Trim() ?? string.Empty;
        if (token.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            token = token[BearerPrefix.Length..].Trim();
        }

        if (token.Length == 0)
        {
            return WebhookCheck.Refused(WebhookRejection.MissingToken);
        }

        string? apiKey;
        try
        {
            apiKey = WebhookToken.IssuerOf(token);
        }
        catch (Exception)
        {
            // Reading a token is pure computation on the sender's bytes: whatever it does to the reader, the webhook
            // is refused, never a server error, with the one line every refusal gets.
            apiKey = null;
        }

        if (apiKey is null)
        {
            return WebhookCheck.Refused(WebhookRejection.MalformedToken);
        }

        if (integrations.ForApiKey(apiKey) is not { } integration)
        {
            return WebhookCheck.Refused(WebhookRejection.UnknownKey);
        }

        if (secrets.TryUnprotect(integration.ProtectedSecret) is not { } secret)
        {
            Log.SecretUnreadable(logger, integration.TeamId.ToString());
            return WebhookCheck.Refused(WebhookRejection.SecretUnreadable);
        }

        TokenValidationResult result;
        try
        {
            result = await Tokens.ValidateTokenAsync(token, Parameters(apiKey, secret));
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            // The token's shape was checked above; should the library still fail on it, it is a bad token, not a fault.
            return WebhookCheck.Refused(WebhookRejection.MalformedToken);
        }

        if (!result.IsValid)
        {
            return WebhookCheck.Refused(result.Exception switch
            {
                SecurityTokenInvalidLifetimeException or SecurityTokenExpiredException or SecurityTokenNotYetValidException
                    or SecurityTokenNoExpirationException => WebhookRejection.Expired,
                SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException
                    or SecurityTokenInvalidAlgorithmException => WebhookRejection.BadSignature,
                _ => WebhookRejection.InvalidToken,
            });
        }

        var claimed = result.SecurityToken is JsonWebToken jwt && jwt.TryGetPayloadValue<string>("sha256", out var hash) && hash is not null
            ? hash
            : string.Empty;
        var actual = BodyHash(body.Span);
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(claimed), Encoding.UTF8.GetBytes(actual))
            ? new WebhookCheck(integration, null)
            : WebhookCheck.Refused(WebhookRejection.BodyHashMismatch);
    }

    private TokenValidationParameters Parameters(string apiKey, string secret) => new()
    {
        ValidIssuer = apiKey,
        ValidateAudience = false,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        IssuerSigningKey = LiveKitHmac.KeyFor(secret),
        RequireExpirationTime = true,
        ClockSkew = Leeway,
        LifetimeValidator = LifetimeValidator(clock),
    };

    /// <summary>
    /// IdentityModel reads the system clock; Callscope's clock is a dependency, so a token's lifetime is checked against
    /// it: an expiry is required, and both ends get <see cref="Leeway"/>.
    /// </summary>
    public static LifetimeValidator LifetimeValidator(TimeProvider clock) => (notBefore, expires, _, _) =>
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return expires is { } exp && now <= exp + Leeway && (notBefore is not { } nbf || now >= nbf - Leeway);
    };

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a LiveKit webhook: {Reason}")]
        public static partial void Refused(ILogger logger, WebhookRejection reason);

        [LoggerMessage(Level = LogLevel.Error, Message = "The LiveKit API secret of team {TeamId} cannot be decrypted (the Data Protection key ring under the data directory is not the one it was stored with); connect the LiveKit server again")]
        public static partial void SecretUnreadable(ILogger logger, string teamId);
    }
}
