using Callscope.Server.Tests.Infrastructure;
using Callscope.Server.Tests.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Callscope.Server.Tests.Telemetry;

/// <summary>
/// OTLP export is off until an endpoint is configured, by Callscope's setting or by the standard variable; then metrics
/// and traces (requests and the writer's group commits) reach the collector, here a loopback receiver of OTLP over HTTP.
/// Another host of the test process that stops meanwhile would end the metric streams it shares with this one (the
/// meters have one name), so these run apart from the other tests too.
/// </summary>
[Collection(nameof(MetricsCollection))]
public sealed class OtlpExportTests
{
    private static readonly DateTimeOffset T = CallscopeApp.Start;

    [Fact]
    public async Task Without_an_endpoint_no_traces_are_made_and_nothing_is_sent()
    {
        await using var app = new CallscopeApp();

        await Events.PostAsync(app.Api(), Events.Joined("quiet", "ana", T, "c1"));

        Assert.Null(app.Services.GetService<TracerProvider>());
    }

    [Theory]
    [InlineData("Callscope:Telemetry:OtlpEndpoint", "Callscope:Telemetry:OtlpProtocol")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL")]
    public async Task With_an_endpoint_metrics_and_traces_are_sent_over_otlp(string endpointSetting, string protocolSetting)
    {
        await using var collector = await WebhookReceiver.StartAsync();
        await using var app = new CallscopeApp();
        app.Settings[endpointSetting] = collector.BaseAddress.ToString();
        app.Settings[protocolSetting] = "http/protobuf";
        app.Settings["OTEL_METRIC_EXPORT_INTERVAL"] = "200";
        app.Settings["OTEL_BSP_SCHEDULE_DELAY"] = "100";

        await Events.PostAsync(app.Api(), Events.Joined("traced", "ana", T, "c1"));
        var received = await collector.WaitAsync(
            r => r.Any(x => x.Path == "/v1/traces" && x.Body.Contains("callscope.writer.commit", StringComparison.Ordinal))
                && r.Any(x => x.Path == "/v1/traces" && x.Body.Contains("/api/v1/ingest/events", StringComparison.Ordinal))
                && r.Any(x => x.Path == "/v1/metrics" && x.Body.Contains("callscope.events.ingested", StringComparison.Ordinal)),
            "the writer's span, the request's span and Callscope's metrics over OTLP");

        var traces = received.First(x => x.Path == "/v1/traces" && x.Body.Contains("callscope.writer.commit", StringComparison.Ordinal));
        Assert.Equal("application/x-protobuf", traces.ContentType);
        Assert.Contains("callscope", traces.Body, StringComparison.Ordinal);
        Assert.NotNull(app.Services.GetService<TracerProvider>());
    }
}
