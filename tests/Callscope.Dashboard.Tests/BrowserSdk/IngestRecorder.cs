using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Callscope.Dashboard.Tests.BrowserSdk;

/// <summary>One request to the browser ingest endpoint as the server saw it and answered it.</summary>
public sealed record IngestRequest(string Method, bool TokenInQuery, string? Origin, string? ContentType, string Body, int Status, string? AllowOrigin);

/// <summary>
/// Records every request to <c>/api/v1/ingest/client</c> at the server's door, with the answer's status and CORS grant.
/// The browser tells a test nothing about a beacon sent as its page goes away (Playwright sees no request of an unloading
/// page), so the server's side is where a test sees it.
/// </summary>
public sealed class IngestRecorder : IStartupFilter
{
    private readonly List<IngestRequest> requests = [];

    public IReadOnlyList<IngestRequest> Requests
    {
        get
        {
            lock (requests)
            {
                return [.. requests];
            }
        }
    }

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            if (!context.Request.Path.StartsWithSegments("/api/v1/ingest/client", StringComparison.Ordinal))
            {
                await nextMiddleware(context);
                return;
            }

            context.Request.EnableBuffering();
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted);
            context.Request.Body.Position = 0;
            await nextMiddleware(context);
            var request = new IngestRequest(
                context.Request.Method,
                context.Request.Query.ContainsKey("access_token"),
                context.Request.Headers.Origin.FirstOrDefault(),
                context.Request.ContentType,
                body,
                context.Response.StatusCode,
                context.Response.Headers.AccessControlAllowOrigin.FirstOrDefault());
            lock (requests)
            {
                requests.Add(request);
            }
        });
        next(app);
    };
}
