using System.Security.Cryptography;
using System.Text.Json;
using Callscope.Core;
using Callscope.Core.Ingest;
using Callscope.Core.Rooms;
using Callscope.Data.LiveKit;
using Callscope.Data.Teams;
using Callscope.Server.LiveKit;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Callscope.Server.Browser;

public enum ClientTokenRejection
{
    MissingToken,
    MalformedToken,
    UnknownSigner,
    SecretUnreadable,
    BadSignature,
    Expired,
    InvalidToken,
    NoScope,
}

/// <summary>The outcome of checking a browser's token: where it may write, or why it was refused.</summary>
public sealed record ClientTokenCheck(ClientScope? Scope, ClientTokenRejection? Rejection)
{
    public static ClientTokenCheck Refused(ClientTokenRejection why) => new(null, why);
}

/// <summary>
/// Client tokens: short-lived HS256 JWTs that let one participant's browser send events of one room
/// (docs/browser-sdk.md). Each team signs with its own 256-bit key, kept encrypted with Data Protection and replaced
/// with the developer key; the header's <c>kid</c> names the team. The same check accepts the participant's own
/// LiveKit access token, signed with the secret of the team's LiveKit integration: identity from <c>sub</c>, room from
/// the video grant. A token of any other shape is refused before its claims are read, and a refusal is logged with its
/// reason only, never the token.
/// </summary>
public sealed partial class ClientTokens(
    BrowserAccessStore access, LiveKitIntegrationStore integrations, LiveKitSecrets liveKitSecrets, IDataProtectionProvider protection,
    TimeProvider clock, ILogger<ClientTokens> logger)
{
    public const string Issuer = "callscope";
    public const string Audience = "callscope-ingest";

    private static readonly JsonWebTokenHandler Tokens = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly IDataProtector protector = protection.CreateProtector("Callscope.ClientTokens.Key.v1");

    /// <summary>A token for one participant of one room, and when it expires (whole seconds, as the token says).</summary>
    public (string Token, DateTimeOffset ExpiresAt) Issue(TeamId team, string room, string identity, string? name, string? role, TimeSpan lifetime)
    {
        var now = clock.GetUtcNow();
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        var expires = issuedAt + lifetime;
        var claims = new Dictionary<string, object>
        {
            ["sub"] = identity,
            ["room"] = room,
            ["jti"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
        };
        if (name is not null)
        {
            claims["name"] = name;
        }

        if (role is not null)
        {
            claims["role"] = role;
        }

        var token = Tokens.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = issuedAt.UtcDateTime,
            Expires = expires.UtcDateTime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(SigningKey(team, create: true)!) { KeyId = team.ToString() }, SecurityAlgorithms.HmacSha256),
        });
        return (token, expires);
    }

    public async Task<ClientTokenCheck> VerifyAsync(string? token)
    {
        var check = await CheckAsync(token?.Trim() ?? string.Empty);
        if (check.Rejection is { } why)
        {
            Log.Refused(logger, why);
        }

        return check;
    }

    private async Task<ClientTokenCheck> CheckAsync(string token)
    {
        if (token.Length == 0)
        {
            return ClientTokenCheck.Refused(ClientTokenRejection.MissingToken);
        }

        string? issuer;
        JsonWebToken jwt;
        try
        {
            // The same shape LiveKit's tokens must have: three base64url parts, HS256-like header, typed claims.
            issuer = WebhookToken.IssuerOf(token);
            jwt = new JsonWebToken(token);
        }
        catch (Exception)
        {
            // Reading a token is pure computation on the sender's bytes: whatever it does, the token is refused.
            return ClientTokenCheck.Refused(ClientTokenRejection.MalformedToken);
        }

        if (issuer is null)
        {
            return ClientTokenCheck.Refused(ClientTokenRejection.MalformedToken);
        }

        return issuer == Issuer ? await CheckOwnAsync(token, jwt) : await CheckLiveKitAsync(token, issuer);
    }

    private async Task<ClientTokenCheck> CheckOwnAsync(string token, JsonWebToken unverified)
    {
        if (!Guid.TryParseExact(unverified.Kid ?? string.Empty, "D", out var teamId))
        {
            return ClientTokenCheck.Refused(ClientTokenRejection.UnknownSigner);
        }

        var team = new TeamId(teamId);
        if (SigningKey(team, create: false) is not { } key)
        {
            return ClientTokenCheck.Refused(ClientTokenRejection.UnknownSigner);
        }

        var (valid, why) = await ValidateAsync(token, Parameters(Issuer, new SymmetricSecurityKey(key), Audience));
        if (valid is null)
        {
            return ClientTokenCheck.Refused(why);
        }

        return Scope(team, Claim(valid, "room"), Claim(valid, "sub"), Claim(valid, "name"), Claim(valid, "role"), fromLiveKit: false);
    }

    private async Task<ClientTokenCheck> CheckLiveKitAsync(string token, string apiKey)
    {
        if (integrations.ForApiKey(apiKey) is not { } integration)
        {
            return ClientTokenCheck.Refused(ClientTokenRejection.UnknownSigner);
        }

        if (liveKitSecrets.TryUnprotect(integration.ProtectedSecret) is not { } secret)
        {
            return ClientTokenCheck.Refused(ClientTokenRejection.SecretUnreadable);
        }

        var (valid, why) = await ValidateAsync(token, Parameters(apiKey, LiveKitHmac.KeyFor(secret), audience: null));
        if (valid is null)
        {
            return ClientTokenCheck.Refused(why);
        }

        // The room is the video grant's: { "video": { "room": "...", "roomJoin": true } }.
        string? room = null;
        if (valid.TryGetPayloadValue<JsonElement>("video", out var video) && video.ValueKind == JsonValueKind.Object
            && video.TryGetProperty("room", out var r) && r.ValueKind == JsonValueKind.String)
        {
            room = r.GetString();
        }

        return Scope(integration.TeamId, room, Claim(valid, "sub"), Claim(valid, "name"), role: null, fromLiveKit: true);
    }

    /// <summary>A scope when the room and identity are ones events may carry; an empty name counts as none.</summary>
    private static ClientTokenCheck Scope(TeamId team, string? room, string? identity, string? name, string? role, bool fromLiveKit)
    {
        if (room is null || RoomNames.Problem(room) is not null
            || string.IsNullOrEmpty(identity) || EventRules.TextProblem("sub", identity, 200) is not null)
        {
            return ClientTokenCheck.Refused(ClientTokenRejection.NoScope);
        }

        name = string.IsNullOrWhiteSpace(name) || EventRules.TextProblem("name", name, 200) is not null ? null : name;
        role = string.IsNullOrWhiteSpace(role) || EventRules.TextProblem("role", role, 100) is not null ? null : role;
        return new ClientTokenCheck(new ClientScope(team, room, identity, name, role, fromLiveKit), null);
    }

    private static string? Claim(JsonWebToken token, string name) =>
        token.TryGetPayloadValue<string>(name, out var value) ? value : null;

    private static async Task<(JsonWebToken? Token, ClientTokenRejection Why)> ValidateAsync(string token, TokenValidationParameters parameters)
    {
        TokenValidationResult result;
        try
        {
            result = await Tokens.ValidateTokenAsync(token, parameters);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            return (null, ClientTokenRejection.MalformedToken);
        }

        if (result.IsValid)
        {
            return ((JsonWebToken)result.SecurityToken, default);
        }

        return (null, result.Exception switch
        {
            SecurityTokenInvalidLifetimeException or SecurityTokenExpiredException or SecurityTokenNotYetValidException
                or SecurityTokenNoExpirationException => ClientTokenRejection.Expired,
            SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException
                or SecurityTokenInvalidAlgorithmException => ClientTokenRejection.BadSignature,
            _ => ClientTokenRejection.InvalidToken,
        });
    }

    private TokenValidationParameters Parameters(string issuer, SecurityKey key, string? audience) => new()
    {
        ValidIssuer = issuer,
        ValidateAudience = audience is not null,
        ValidAudience = audience,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        IssuerSigningKey = key,
        RequireExpirationTime = true,
        LifetimeValidator = WebhookVerifier.LifetimeValidator(clock),
    };

    /// <summary>
    /// The team's key in clear: the stored one, or (when <paramref name="create"/>) a new one stored first when the
    /// team has none or its stored key can no longer be decrypted. Null when there is no key to check with.
    /// </summary>
    private byte[]? SigningKey(TeamId team, bool create)
    {
        var stored = access.ClientKey(team);
        if (stored is not null && Unprotect(stored) is { } key)
        {
            return key;
        }

        if (!create)
        {
            return null;
        }

        var candidate = protector.Protect(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        return Unprotect(access.EnsureClientKey(team, candidate, replacing: stored));
    }

    private byte[]? Unprotect(string stored)
    {
        try
        {
            return Convert.FromBase64String(protector.Unprotect(stored));
        }
        catch (Exception error) when (error is CryptographicException or FormatException)
        {
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Refused a browser's token: {Reason}")]
        public static partial void Refused(ILogger logger, ClientTokenRejection reason);
    }
}
