using Callscope.Data.Telemetry;
using Callscope.Server.Browser;
using Callscope.Server.Ingestion;
using Callscope.Server.LiveKit;

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
                metrics.IngestRequest(source, IngestOutcome.Failed);
                throw;
            }

            metrics.IngestRequest(source, OutcomeOf(context.Response.StatusCode));
        });
    }

    private static IngestSource? SourceOf(PathString path) =>
        path.Equals(IngestEndpoints.Path, StringComparison.OrdinalIgnoreCase) ? IngestSource.Api
        : path.Equals(WebhookEndpoint.Path, StringComparison.OrdinalIgnoreCase) ? IngestSource.LiveKit
        : path.Equals(ClientIngestEndpoint.Path, StringComparison.OrdinalIgnoreCase) ? IngestSource.Client
        : null;

    /// <summary>A fixed, small set of outcomes, so that the attribute cannot grow with what callers send.</summary>
    private static IngestOutcome OutcomeOf(int status) => status switch
    {
        >= 200 and < 300 => IngestOutcome.Accepted,
        401 => IngestOutcome.Unauthorized,
        403 => IngestOutcome.Forbidden,
        413 => IngestOutcome.TooLarge,
        429 => IngestOutcome.Throttled,
        >= 400 and < 500 => IngestOutcome.Invalid,
        >= 500 => IngestOutcome.Failed,
        _ => IngestOutcome.Other,
    };
}
