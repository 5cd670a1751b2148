using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Callscope.Bench.Hosting;

/// <summary>
/// The bare Kestrel baseline, run as a child process like the real server: the same request bodies reach an endpoint
/// that only reads them (<c>/read</c>) or also parses them as JSON (<c>/parse</c>), and <c>/list</c> answers a GET
/// with a JSON body of a given size. Whatever Callscope adds on top of this is its own cost.
/// </summary>
public static class BareServer
{
    public const string CommandName = "bare-server";
    public const string ReadyPath = "/ready";
    public const string ReadPath = "/read";
    public const string ParsePath = "/parse";
    public const string ListPath = "/list";

    private static readonly byte[] Accepted = """{"accepted":0,"duplicates":0}"""u8.ToArray();

    public static async Task RunAsync(string[] urls)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(urls);
        await using var app = builder.Build();
        app.MapGet(ReadyPath, () => "ready");
        app.MapPost(ReadPath, async context =>
        {
            await ReadAllAsync(context.Request.Body, context.RequestAborted);
            await AcceptAsync(context.Response);
        });
        app.MapPost(ParsePath, async context =>
        {
            var body = await ReadAllAsync(context.Request.Body, context.RequestAborted);
            using (System.Text.Json.JsonDocument.Parse(body))
            {
                // Parsing is the work being measured.
            }

            await AcceptAsync(context.Response);
        });
        app.MapGet(ListPath, (int bytes) => Results.Bytes(ListBody(bytes), "application/json"));
        await app.RunAsync();
    }

    private static async Task<ReadOnlyMemory<byte>> ReadAllAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, cancellationToken);
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static Task AcceptAsync(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status202Accepted;
        response.ContentType = "application/json";
        return response.Body.WriteAsync(Accepted).AsTask();
    }

    /// <summary>A JSON list of about <paramref name="bytes"/> bytes, so a GET's floor is measured with the payload size the real answer has.</summary>
    private static byte[] ListBody(int bytes)
    {
        var text = new StringBuilder("""{"total_count":0,"data":[""");
        while (text.Length < Math.Clamp(bytes, 64, 4 * 1024 * 1024) - 40)
        {
            text.Append(text[^1] == '[' ? string.Empty : ",").Append("""{"id":"00000000-0000-0000-0000-000000000000"}""");
        }

        return Encoding.UTF8.GetBytes(text.Append("]}").ToString());
    }
}
