using System.ComponentModel.DataAnnotations;

namespace Callscope.Server.Telemetry;

/// <summary>Metrics and traces (<c>Callscope__Telemetry__...</c>; docs/configuration.md and docs/operations.md).</summary>
public sealed class TelemetryOptions : IValidatableObject
{
    public const string Section = "Callscope:Telemetry";

    public const string Grpc = "grpc";
    public const string HttpProtobuf = "http/protobuf";

    /// <summary>
    /// Whether <c>/metrics</c> answers any caller (<c>Callscope__Telemetry__OpenMetrics</c>); otherwise only loopback
    /// callers and callers with a developer key.
    /// </summary>
    public bool OpenMetrics { get; set; }

    /// <summary>
    /// A listener of its own for <c>/metrics</c>, such as <c>http://0.0.0.0:9464</c> (<c>Callscope__Telemetry__MetricsUrl</c>);
    /// when set, <c>/metrics</c> is served there only.
    /// </summary>
    public string? MetricsUrl { get; set; }

    /// <summary>Where metrics and traces are sent over OTLP (<c>Callscope__Telemetry__OtlpEndpoint</c>); nothing is sent when unset.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (default) or <c>http/protobuf</c> (<c>Callscope__Telemetry__OtlpProtocol</c>).</summary>
    public string OtlpProtocol { get; set; } = Grpc;

    /// <summary>The separate listener's URL, once validated (a method, so that validation does not read it first).</summary>
    public Uri? MetricsListener() => MetricsUrl is { Length: > 0 } url ? new Uri(url) : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MetricsUrl is { Length: > 0 } url
            && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp
                || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.UserInfo.Length > 0))
        {
            yield return new ValidationResult(
                "Callscope:Telemetry:MetricsUrl must be an http URL of an address and port with no path, such as http://0.0.0.0:9464.",
                [nameof(MetricsUrl)]);
        }

        if (OtlpEndpoint is { } endpoint && (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https")))
        {
            yield return new ValidationResult("Callscope:Telemetry:OtlpEndpoint must be an absolute http or https URL, such as http://collector:4317.",
                [nameof(OtlpEndpoint)]);
        }

        if (OtlpProtocol is not (Grpc or HttpProtobuf))
        {
            yield return new ValidationResult("Callscope:Telemetry:OtlpProtocol must be 'grpc' or 'http/protobuf'.", [nameof(OtlpProtocol)]);
        }
    }
}
