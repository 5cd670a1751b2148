using Callscope.Data.Telemetry;

namespace Callscope.Server.Telemetry;

/// <summary>
/// Counts each ingest request by source and outcome (<c>callscope.ingest.requests</c>), whatever answered it: the
/// endpoint, authentication, or an error. It stands before authentication so that refused requests count too.
/// </summary>
public static class IngestRequestCounting
{
    public static IApplicationBuilder UseIngestRequestCounting(this IApplicationBuilder app)
    {
        var metrics = app.ApplicationServices.GetRequiredService<CallscopeMetrics>();
        return app.Use(async (context, next) =>
        {
            if (!HttpMethods.IsPost(context.Request.Method) || SourceOf(context.Request.Path) is not { } source)
            {
                await next(context);
                return;
            }

            try
            {
                await next(context);
            }
            catch
            {
                metrics.IngestRequest(source, "failed");
                throw;
            }

            metrics.IngestRequest(source, OutcomeOf(context.Response.StatusCode));
        });
    }

    private static string? SourceOf(PathString path) =>
        path.Equals("/api/v1/ingest/events", StringComparison.OrdinalIgnoreCase) ? "api"
        : path.Equals("/api/v1/ingest/livekit", StringComparison.OrdinalIgnoreCase) ? "livekit"
        : path.Equals("/api/v1/ingest/client", StringComparison.OrdinalIgnoreCase) ? "client"
        : null;

    /// <summary>A fixed, small set of outcomes, so that the attribute cannot grow with what callers send.</summary>
    private static string OutcomeOf(int status) => status switch
    {
        >= 200 and < 300 => "accepted",
        401 => "unauthorized",
        403 => "forbidden",
        413 => "too_large",
        429 => "throttled",
        >= 400 and < 500 => "invalid",
        >= 500 => "failed",
        _ => "other",
    };
}
