using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

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
            return new(null, Problems.Create(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "The body must be application/json."));
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

        if (!System.Text.Unicode.Utf8.IsValid(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)))
        {
            return new(null, Problems.Create(StatusCodes.Status400BadRequest, "malformed-json", "The body is not valid UTF-8."));
        }

        try
        {
            return new(JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), Options), null);
        }
        catch (JsonException error)
        {
            return new(null, Problems.Create(StatusCodes.Status400BadRequest, "malformed-json", $"The body is not valid JSON: {Describe(error)}"));
        }
    }

    public static bool IsJson(string? contentType) =>
        contentType is not null && (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("application/problem+json", StringComparison.OrdinalIgnoreCase));

    private static ProblemHttpResult TooLarge(int maxBytes) =>
        Problems.Create(StatusCodes.Status413PayloadTooLarge, "payload-too-large", $"The body must be at most {maxBytes / 1024 / 1024} MiB.");

    private static string Describe(JsonException error) =>
        error.LineNumber is { } line ? $"line {line + 1}, position {error.BytePositionInLine + 1}." : "it could not be read.";
}
