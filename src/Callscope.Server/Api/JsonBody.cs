using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Callscope.Server.Api;

/// <summary>Reads a JSON request body with a size cap, turning every way it can be wrong into a 4xx problem.</summary>
public static class JsonBody
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32 };

    /// <summary>The first read of a body whose length is not declared.</summary>
    private const int FirstReadBytes = 16 * 1024;

    /// <summary>
    /// A body read: its document, or the problem that stops it. The document reads the body's bytes where they were
    /// received, in a buffer lent by the shared pool; disposing the outcome disposes the document and gives the buffer
    /// back, so no element of the document may be used after it.
    /// </summary>
    public sealed class Outcome : IDisposable
    {
        private byte[]? lent;

        internal Outcome(JsonDocument document, byte[] lent)
        {
            Document = document;
            this.lent = lent;
        }

        internal Outcome(ProblemHttpResult problem) => Problem = problem;

        public JsonDocument? Document { get; }

        public ProblemHttpResult? Problem { get; }

        public void Dispose()
        {
            Document?.Dispose();
            if (lent is { } buffer)
            {
                lent = null;
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>
    /// Reads the body into a pooled buffer (sized by its declared length, grown by the pool otherwise): an ingest batch
    /// of a few hundred kilobytes read into a growing stream left three or four arrays on the large object heap per
    /// request, and under ingest most of the server's collections were of the oldest generation because of them
    /// (docs/benchmarks.md, "Eleventh round").
    /// </summary>
    public static async Task<Outcome> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken, bool anyContentType = false)
    {
        if (!anyContentType && !IsJson(request.ContentType))
        {
            return new(Problems.Create(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "The body must be application/json (UTF-8)."));
        }

        if (request.ContentLength > maxBytes)
        {
            return new(TooLarge(maxBytes));
        }

        // One byte past the declared length, so that the read that finds the end needs no larger buffer.
        byte[]? buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is { } declared ? (int)declared + 1 : FirstReadBytes);
        try
        {
            var length = 0;
            int read;
            while ((read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
                if (length > maxBytes)
                {
                    return new(TooLarge(maxBytes));
                }

                if (length == buffer.Length)
                {
                    buffer = Grown(buffer, length, maxBytes);
                }
            }

            var bytes = buffer.AsMemory(0, length);
            if (!System.Text.Unicode.Utf8.IsValid(bytes.Span))
            {
                return new(Malformed("The body is not valid UTF-8."));
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(bytes, Options);
            }
            catch (JsonException error)
            {
                return new(Malformed($"The body is not valid JSON: {Describe(error)}"));
            }

            if (EscapedTextProblem(bytes.Span) is { } problem)
            {
                document.Dispose();
                return new(Malformed(problem));
            }

            var outcome = new Outcome(document, buffer);
            buffer = null;
            return outcome;
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>A larger buffer from the pool with the bytes read so far; one byte past the cap at most.</summary>
    private static byte[] Grown(byte[] buffer, int length, int maxBytes)
    {
        var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(2L * length, maxBytes + 1L));
        buffer.AsSpan(0, length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
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
