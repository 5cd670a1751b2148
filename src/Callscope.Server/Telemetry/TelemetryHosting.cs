using System.Diagnostics.Metrics;
using System.Reflection;
using Callscope.Data;
using Callscope.Data.Telemetry;
using Callscope.Server.Webhooks;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Callscope.Server.Telemetry;

/// <summary>
/// Metrics and traces through OpenTelemetry: Callscope's own instruments (<see cref="CallscopeMetrics"/>), ASP.NET
/// Core's, the HTTP client's and the runtime's, as Prometheus text at <c>/metrics</c>; metrics and traces over OTLP
/// only when an endpoint is configured (docs/operations.md).
/// </summary>
public static class TelemetryHosting
{
    public const string MetricsPath = "/metrics";

    /// <summary>
    /// The most series one metric keeps; more land in one overflow series (<c>otel_metric_overflow="true"</c>). Each
    /// metric sets aside room for all of them when it starts: at the SDK's default of 2,000 that was about 10 MB for the
    /// sixty metrics served. The widest here, the request duration by route, method and status, stays far below.
    /// </summary>
    public const int CardinalityLimit = 500;

    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<TelemetryOptions>().Bind(builder.Configuration.GetSection(TelemetryOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var metrics = new CallscopeMetrics(sp.GetRequiredService<IMeterFactory>());
            var sessions = new LiveSessionCounts(sp.GetRequiredService<CallscopeDatabase>(), sp.GetRequiredService<TimeProvider>());
            metrics.ObserveSessions(sessions.Read);
            return metrics;
        });
        services.AddSingleton<MetricsAccess>();
        services.AddHostedService<MetricsListener>();

        var settings = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var standardOtlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var version = typeof(TelemetryHosting).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("callscope", serviceVersion: version, serviceInstanceId: WebhookDispatcher.Node))
            .WithMetrics(metrics => metrics
                .AddMeter(CallscopeMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddView(_ => new MetricStreamConfiguration { CardinalityLimit = CardinalityLimit })
                // Every scrape sees the counts as they are (the exporter would otherwise answer from a 300 ms cache).
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));

        if (settings.OtlpEndpoint is null && !standardOtlp)
        {
            // No traces are made at all: with no one to send them to, spans would only cost.
            return builder;
        }

        telemetry.WithTracing(tracing => tracing
            .AddSource(CallscopeMetrics.MeterName)
            .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsUpkeep(context.Request.Path))
            .AddHttpClientInstrumentation());
        if (settings.OtlpEndpoint is { } endpoint)
        {
            telemetry.UseOtlpExporter(settings.OtlpProtocol == TelemetryOptions.HttpProtobuf ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc, endpoint);
        }
        else
        {
            // OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_EXPORTER_OTLP_HEADERS and the rest, as the standard defines them.
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// <c>/metrics</c> behind <see cref="MetricsAccess"/>; when a listener of its own is configured, the main listener
    /// answers it with a 404.
    /// </summary>
    public static WebApplication UseTelemetry(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value.MetricsListener() is null)
        {
            app.UseMetricsEndpoint(app.Services.GetRequiredService<MeterProvider>(), app.Services.GetRequiredService<MetricsAccess>());
        }
        else
        {
            app.MapWhen(context => context.Request.Path.Equals(MetricsPath, StringComparison.OrdinalIgnoreCase),
                branch => branch.Run(context => Api.Problems.NotFound("The page").ExecuteAsync(context)));
        }

        app.UseIngestRequestCounting();
        return app;
    }

    internal static IApplicationBuilder UseMetricsEndpoint(this IApplicationBuilder app, MeterProvider meters, MetricsAccess access) =>
        app.UseOpenTelemetryPrometheusScrapingEndpoint(
            meters,
            context => context.Request.Path.Equals(MetricsPath, StringComparison.OrdinalIgnoreCase),
            path: null,
            branch => branch.Use(access.GuardAsync),
            optionsName: null);

    private static bool IsUpkeep(PathString path) =>
        path.StartsWithSegments(MetricsPath, StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase);
}
