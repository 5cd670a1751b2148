using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Callscope.Server.Telemetry;

/// <summary>
/// <c>/metrics</c> on a listener of its own (<see cref="TelemetryOptions.MetricsUrl"/>): a small web server beside the
/// main one that answers only <c>/metrics</c>, under the same access rules, from the main host's meters.
/// </summary>
public sealed partial class MetricsListener(
    IOptions<TelemetryOptions> options, MeterProvider meters, MetricsAccess access, ILogger<MetricsListener> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.MetricsListener() is not { } url)
        {
            return;
        }

        // An empty host: no configuration files or variables of its own (so no Kestrel endpoints from appsettings.json),
        // Kestrel on the one address, and no logging.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls(url.GetLeftPart(UriPartial.Authority));
        server = builder.Build();
        server.UseMetricsEndpoint(meters, access);
        server.Run(context => Api.Problems.Create(StatusCodes.Status404NotFound, "not-found", "This listener serves /metrics only.").ExecuteAsync(context));
        await server.StartAsync(cancellationToken);
        Log.Listening(logger, url.GetLeftPart(UriPartial.Authority));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (server is not null)
        {
            await server.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Metrics are served at {Url}/metrics only")]
        public static partial void Listening(ILogger logger, string url);
    }
}
