using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Callscope.Server.Api;

/// <summary>Reads a JSON request body with a size cap, turning every way it can be wrong into a 4xx problem.</summary>
public static class JsonBody
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32 };

    public sealed record Outcome(JsonDocument? Document, ProblemHttpResult? Problem);

    public static async Task<Outcome> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken, bool anyContentType = false)
    {
        if (!anyContentType && !IsJson(request.ContentType))
        {
            return new(null, Problems.Create(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "The body must be application/json (UTF-8)."));
        }

        if (request.ContentLength > maxBytes)
        {
            return new(null, TooLarge(maxBytes));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return new(null, TooLarge(maxBytes));
            }

            buffer.Write(chunk, 0, read);
        }

        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (!System.Text.Unicode.Utf8.IsValid(bytes.Span))
        {
            return new(null, Malformed("The body is not valid UTF-8."));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, Options);
        }
        catch (JsonException error)
        {
            return new(null, Malformed($"The body is not valid JSON: {Describe(error)}"));
        }

        if (EscapedTextProblem(bytes.Span) is { } problem)
        {
            document.Dispose();
            return new(null, Malformed(problem));
        }

        return new(document, null);
    }

    /// <summary>JSON in UTF-8: <c>application/json</c> or <c>application/problem+json</c>, with no charset but UTF-8.</summary>
    public static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.MediaType.Equals("application/problem+json", StringComparison.OrdinalIgnoreCase))
        && (media.Charset.Length == 0 || media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Valid JSON can still escape text that is not text: half of a surrogate pair (<c>\ud800</c>), which cannot be
    /// read as a string at all, or a NUL (<c>\u0000</c>), which PostgreSQL cannot store. Only escapes can produce
    /// them (the bytes are valid UTF-8), so bodies without <c>\u</c> skip the walk.
    /// </summary>
    private static string? EscapedTextProblem(ReadOnlySpan<byte> json)
    {
        if (json.IndexOf("\\u"u8) < 0)
        {
            return null;
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = Options.MaxDepth });
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName) || !reader.ValueIsEscaped)
            {
                continue;
            }

            string text;
            try
            {
                text = reader.GetString()!;
            }
            catch (InvalidOperationException)
            {
                return "The body escapes half of a surrogate pair (\\ud800–\\udfff without its partner), which is not text.";
            }

            if (text.Contains('\0', StringComparison.Ordinal))
            {
                return "The body contains a NUL character (\\u0000), which no field accepts.";
            }
        }

        return null;
    }

    private static ProblemHttpResult Malformed(string message) => Problems.Create(StatusCodes.Status400BadRequest, "malformed-json", message);

    private static ProblemHttpResult TooLarge(int maxBytes) =>
        Problems.Create(StatusCodes.Status413PayloadTooLarge, "payload-too-large", 
            $"The body must be at most {(maxBytes >= 1024 * 1024 ? $"{maxBytes / 1024 / 1024} MiB" : $"{maxBytes / 1024} KiB")}.");

    private static string Describe(JsonException error) =>
        error.LineNumber is { } line ? $"line {line + 1}, position {error.BytePositionInLine + 1}." : "it could not be read.";
}
