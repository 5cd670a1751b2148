using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Callscope.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Callscope.Server.Tests.LiveKit;

/// <summary>
/// Whatever arrives in <c>Authorization</c>, a webhook that is not genuine is a 401 problem, never a server error, and
/// costs at most one log line without a stack trace: thousands of tokens mutated from a genuine LiveKit token, and
/// tokens correctly signed with the key's secret whose claims have the wrong types.
/// </summary>
public sealed class LiveKitTokenFuzzTests
{
    private const int RandomMutations = 4000;

    [Fact]
    public async Task Thousands_of_mutated_tokens_are_each_refused_with_a_401_problem_and_at_most_one_log_line()
    {
        var scenario = WebhookScenario.Load("rejections");
        var genuine = scenario["valid"];
        var original = genuine.Headers["Authorization"];
        await using var app = new CallscopeApp();
        await app.ConnectLiveKitAsync(scenario);
        app.MoveClockTo(genuine.SentAt);
        var logs = new CapturedLogs();
        app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        var tokens = TokenMutations.Of(original, scenario.ApiKey, scenario.ApiSecret, RandomMutations)
            .Where(t => !TokenMutations.SameToken(t, original))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var client = app.CreateClient();

        var failures = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(tokens, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = TestContext.Current.CancellationToken },
            async (token, cancellationToken) =>
            {
                using var message = genuine.ToHttp();
                message.Headers.Remove("Authorization");
                message.Headers.TryAddWithoutValidation("Authorization", token);
                using var response = await client.SendAsync(message, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.StatusCode != HttpStatusCode.Unauthorized || response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                    || JsonDocument.Parse(text).RootElement.GetProperty("error").GetString() != "unauthorized")
                {
                    failures.Add($"{Shorten(token)} → {(int)response.StatusCode} {Shorten(text)}");
                }
            });

        Assert.True(tokens.Count >= 3000, $"only {tokens.Count} distinct mutations");
        Assert.True(failures.IsEmpty, $"{failures.Count} of {tokens.Count} tokens were not a 401 problem:\n" + string.Join('\n', failures.Take(20)));
        Assert.Equal(0, app.StoredEvents().Count);
        var entries = logs.Entries.ToList();
        Assert.DoesNotContain(entries, e => e.Exception is not null);
        Assert.DoesNotContain(entries, e => e.Message.Contains('\n', StringComparison.Ordinal));
        Assert.True(entries.Count(e => e.Level >= LogLevel.Warning) <= tokens.Count, "more warnings than refused requests");
        Assert.DoesNotContain(entries, e => e.Message.Contains(original.Split('.')[2], StringComparison.Ordinal));
    }

    [Fact]
    public void The_mutations_include_every_kind_of_malformed_token_the_issue_names()
    {
        var scenario = WebhookScenario.Load("rejections");
        var tokens = TokenMutations.Of(scenario["valid"].Headers["Authorization"], scenario.ApiKey, scenario.ApiSecret, 0).ToList();

        Assert.Contains("a.b.c", tokens);
        Assert.Contains("", tokens);
        Assert.Contains(tokens, t => t.Split('.').Length == 5);
        Assert.Contains(tokens, t => t.Length > 100_000);
        Assert.Contains(tokens, t => TokenMutations.PayloadOf(t) is { } p && p.Contains("\"iss\":[", StringComparison.Ordinal));
        Assert.Contains(tokens, t => TokenMutations.PayloadOf(t) is { } p && p.Contains("\"exp\":\"", StringComparison.Ordinal));
        Assert.Contains(tokens, t => TokenMutations.PayloadOf(t) == "not json at all");
        Assert.Contains(tokens, t => TokenMutations.HeaderOf(t) is { } h && h.Contains("\"alg\":\"none\"", StringComparison.Ordinal));
    }

    private static string Shorten(string text) => text.Length > 200 ? text[..200] + "…" : text;
}

/// <summary>Malformed and unverifiable variants of one genuine LiveKit webhook token.</summary>
public static class TokenMutations
{
    private const string Printable = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \"{}[]:,\\%!~";

    public static IEnumerable<string> Of(string token, string apiKey, string secret, int randomCount)
    {
        var parts = token.Split('.');
        var header = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0]));
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1]));
        var claims = JsonDocument.Parse(payload).RootElement;

        // The shapes named in the issue, and their neighbours.
        foreach (var t in (string[])["", " ", "a.b.c", "a.b", "a", ".", "..", "...", "a..c", ".b.", "Bearer", "Bearer ", "Bearer a.b.c", "null", "{}", "\u00e9.\u00e9.\u00e9"])
        {
            yield return t;
        }

        yield return string.Join('.', parts.Concat(parts[..2]));
        yield return string.Join('.', parts.Concat(["x", "y"]));
        yield return token + ".";
        yield return "." + token;
        yield return parts[0] + "." + parts[1];
        yield return parts[1] + "." + parts[0] + "." + parts[2];
        yield return parts[0] + "." + parts[2] + "." + parts[1];
        yield return parts[2] + "." + parts[1] + "." + parts[0];
        yield return parts[0] + "." + parts[0] + "." + parts[2];
        yield return parts[1] + "." + parts[1] + "." + parts[2];
        yield return token + new string('A', 200_000);
        yield return new string('a', 200_000) + "." + parts[1] + "." + parts[2];
        yield return string.Join('.', parts.Select(p => p + "=="));
        yield return string.Join('.', parts.Select(p => p.Replace('-', '+').Replace('_', '/')));
        yield return string.Join('.', parts.Select(p => "!" + p));
        yield return parts[0] + "." + Convert.ToBase64String(Encoding.UTF8.GetBytes(payload)) + "." + parts[2];

        // Correctly signed with the key's secret: only the claims' types or the header are wrong.
        foreach (var (claim, value) in WrongClaims(claims))
        {
            yield return Signed(header, Replace(payload, claim, value), secret);
        }

        // Without its issuer, expiry or body hash a token cannot hold (nbf and iat are optional, so they stay).
        foreach (var claim in (string[])["iss", "exp", "sha256"])
        {
            yield return Signed(header, Replace(payload, claim, null), secret);
        }

        foreach (var body in (string[])["not json at all", "", "[]", "\"text\"", "42", "null", "{", "{\"iss\":" + new string('[', 5000) + new string(']', 5000) + "}",
            payload.Replace("}", ",\"iss\":\"" + apiKey + "\"}", StringComparison.Ordinal), payload + payload, payload.Replace("\"", "'", StringComparison.Ordinal)])
        {
            yield return Signed(header, body, secret);
        }

        foreach (var h in (string[])["{\"alg\":\"none\",\"typ\":\"JWT\"}", "{\"alg\":\"HS512\",\"typ\":\"JWT\"}", "{\"alg\":\"RS256\",\"typ\":\"JWT\"}",
            "{\"alg\":[\"HS256\"],\"typ\":\"JWT\"}", "{\"alg\":256,\"typ\":\"JWT\"}", "{\"typ\":\"JWT\"}", "{\"alg\":\"HS256\",\"typ\":7}", "[]", "not json", "",
            "{\"alg\":\"HS256\",\"alg\":\"none\"}", "{\"alg\":\"HS256\",\"kid\":\"../../etc/passwd\",\"jku\":\"http://127.0.0.1/\",\"crit\":[\"x\"],\"typ\":\"JWT\"}"])
        {
            yield return Signed(h, payload, secret);
        }

        yield return Encode(header) + "." + Encode(payload) + ".";
        yield return Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".";

        // Random edits of the genuine token's characters, some of them on top of each other.
        var random = new Random(20261130);
        for (var i = 0; i < randomCount; i++)
        {
            var mutated = token;
            for (var edits = 1 + random.Next(3); edits > 0; edits--)
            {
                mutated = Edit(mutated, random);
            }

            yield return random.Next(10) == 0 ? "Bearer " + mutated : mutated;
        }
    }

    /// <summary>Whether a mutation still says exactly what the genuine token says (an edit of bits base64 leaves unused).</summary>
    public static bool SameToken(string candidate, string original)
    {
        var t = candidate.Trim();
        t = t.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? t[7..].Trim() : t;
        var a = t.Split('.');
        var b = original.Split('.');
        return a.Length == 3 && a.Zip(b).All(p => Decoded(p.First) is { } x && x.SequenceEqual(Base64Url.DecodeFromChars(p.Second)));
    }

    public static string? PayloadOf(string token) => Part(token, 1);

    public static string? HeaderOf(string token) => Part(token, 0);

    private static string? Part(string token, int index)
    {
        var parts = token.Split('.');
        return parts.Length == 3 && Decoded(parts[index]) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;
    }

    private static byte[]? Decoded(string part)
    {
        try
        {
            return part.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? Base64Url.DecodeFromChars(part) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static IEnumerable<(string Claim, string Value)> WrongClaims(JsonElement claims)
    {
        string[] values = ["[\"APIcallscopeTests\"]", "{\"key\":\"APIcallscopeTests\"}", "123", "true", "null", "\"\"", "[]", "1e400", "-1e400", "\"1795601102\"",
            "1795601102.5e300", "-1", "18446744073709551616", "\"\\ud800\"", "[1,[2,[3]]]"];
        foreach (var claim in claims.EnumerateObject().Select(c => c.Name))
        {
            // A number in the past is a right value for nbf and iat (and an expired exp is refused anyway).
            foreach (var value in values.Where(v => !(claim is "nbf" or "iat" && v == "123")))
            {
                yield return (claim, value);
            }
        }
    }

    /// <summary>The payload with one claim's value replaced, or the claim left out when <paramref name="value"/> is null.</summary>
    private static string Replace(string payload, string claim, string? value)
    {
        var members = JsonDocument.Parse(payload).RootElement.EnumerateObject()
            .Select(m => m.Name == claim ? value is null ? null : $"\"{claim}\":{value}" : $"\"{m.Name}\":{m.Value.GetRawText()}")
            .Where(m => m is not null);
        return "{" + string.Join(',', members) + "}";
    }

    private static string Signed(string header, string payload, string secret)
    {
        var signingInput = Encode(header) + "." + Encode(payload);
        return signingInput + "." + Base64Url.EncodeToString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(signingInput)));
    }

    private static string Encode(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

    /// <summary>One bit of a character flipped, kept printable so that the header stays a valid HTTP header.</summary>
    private static char Flipped(char c, Random random) => (char)(c ^ (1 << random.Next(7))) is var f && f is >= ' ' and <= '~' ? f : '~';

    private static string Edit(string token, Random random)
    {
        if (token.Length == 0)
        {
            return Printable[random.Next(Printable.Length)].ToString();
        }

        var at = random.Next(token.Length);
        return random.Next(6) switch
        {
            0 => token.Remove(at, 1),
            1 => token.Insert(at, Printable[random.Next(Printable.Length)].ToString()),
            2 => token[..at] + Flipped(token[at], random) + token[(at + 1)..],
            3 => token[..at],
            4 => token.Insert(at, "."),
            _ => token[..at] + Printable[random.Next(Printable.Length)] + token[(at + 1)..],
        };
    }
}
