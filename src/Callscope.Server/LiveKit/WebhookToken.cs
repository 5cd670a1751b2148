using System.Buffers.Text;
using System.Text.Json;

namespace Callscope.Server.LiveKit;

/// <summary>
/// The shape a LiveKit webhook token must have before any of it is trusted or handed on: three base64url parts
/// without padding (as golang-jwt writes them), a header naming HS256, and a payload whose claims have the types
/// LiveKit's server writes (<c>iss</c> a string, <c>exp</c>, <c>nbf</c>, <c>iat</c> whole or fractional seconds,
/// <c>sha256</c> a string). Anything else is malformed, whatever a lenient parser might make of it, so that a token
/// that is not LiveKit's is refused as such and never reaches code that could fail on it.
/// </summary>
public static class WebhookToken
{
    /// <summary>LiveKit's tokens are a few hundred characters; a token this long is not one.</summary>
    public const int MaxLength = 8 * 1024;

    /// <summary>NumericDate bounds: the epoch to the end of year 9999, the range a date can hold.</summary>
    private const double MaxSeconds = 253_402_300_799;

    private static readonly JsonDocumentOptions Strict = new() { MaxDepth = 8, AllowDuplicateProperties = false };

    /// <summary>The token's issuer (the API key) when the token is well formed, or null when it is not.</summary>
    public static string? IssuerOf(string token)
    {
        if (token.Length > MaxLength)
        {
            return null;
        }

        var parts = token.Split('.');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0 || !p.All(IsBase64UrlChar)))
        {
            return null;
        }

        using var header = Decode(parts[0]);
        using var payload = Decode(parts[1]);
        if (header is null || payload is null || !Base64Url.IsValid(parts[2]))
        {
            return null;
        }

        var h = header.RootElement;
        var p = payload.RootElement;
        var wellFormed = h.ValueKind == JsonValueKind.Object && p.ValueKind == JsonValueKind.Object && IsText(h) && IsText(p)

            // A critical extension must be understood or the token refused (RFC 7515 4.1.11); LiveKit uses none.
            && !h.TryGetProperty("crit", out _)
            && h.TryGetProperty("alg", out var alg) && alg.ValueKind == JsonValueKind.String
            && OptionalOf(h, "typ", JsonValueKind.String)
            && p.TryGetProperty("iss", out var iss) && iss.ValueKind == JsonValueKind.String && iss.GetString() is { Length: > 0 }
            && p.TryGetProperty("exp", out var exp) && IsNumericDate(exp)
            && (!p.TryGetProperty("nbf", out var nbf) || IsNumericDate(nbf))
            && (!p.TryGetProperty("iat", out var iat) || IsNumericDate(iat))
            && OptionalOf(p, "sha256", JsonValueKind.String);
        return wellFormed ? p.GetProperty("iss").GetString() : null;
    }

    private static bool IsBase64UrlChar(char c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_';

    private static JsonDocument? Decode(string part)
    {
        if (!Base64Url.IsValid(part, out var length) || length == 0)
        {
            return null;
        }

        var bytes = new byte[length];
        if (Base64Url.DecodeFromChars(part, bytes) != length || !System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(bytes, Strict);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Whether every string member is text: an escaped lone surrogate (<c>"\ud800"</c>) is valid JSON but not a string.</summary>
    private static bool IsText(JsonElement obj)
    {
        foreach (var member in obj.EnumerateObject())
        {
            try
            {
                _ = member.Name;
                if (member.Value.ValueKind == JsonValueKind.String)
                {
                    _ = member.Value.GetString();
                }
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }

        return true;
    }

    private static bool OptionalOf(JsonElement obj, string name, JsonValueKind kind) =>
        !obj.TryGetProperty(name, out var value) || value.ValueKind == kind;

    private static bool IsNumericDate(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var seconds) && double.IsFinite(seconds)
        && seconds is >= 0 and <= MaxSeconds;
}
