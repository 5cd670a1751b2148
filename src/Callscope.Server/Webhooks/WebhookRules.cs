using Callscope.Data.Webhooks;
using Callscope.Server.Outbound;

namespace Callscope.Server.Webhooks;

/// <summary>
/// The rules a webhook's fields follow, in the words both <c>/api/v1/webhooks</c> and the dashboard's form answer with:
/// each takes a field's value once read (JSON or form) and answers its problem, or null.
/// </summary>
public static class WebhookRules
{
    public const int MaxEndpointLength = 100;
    public const int MaxNameLength = 100;
    public const int MaxTokenLength = 1000;

    private static readonly string[] Schemes = ["https", "http"];

    /// <summary>An absolute http(s) URL of 3 to 100 characters that outbound requests may reach.</summary>
    public static string? EndpointProblem(string? text, bool allowPrivateNetworks)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "'endpoint' is required.";
        }

        if (text.Length > MaxEndpointLength)
        {
            return $"'endpoint' must be 1 to {MaxEndpointLength} characters.";
        }

        if (text.Length < 3 || !Uri.TryCreate(text, UriKind.Absolute, out var uri) || !Schemes.Contains(uri.Scheme) || uri.Host.Length == 0
            || !string.IsNullOrEmpty(uri.Fragment))
        {
            return "'endpoint' must be an absolute http or https URL of 3 to 100 characters, e.g. https://example.com/hooks.";
        }

        return OutboundUrls.Problem("endpoint", uri, allowPrivateNetworks);
    }

    public static string? NameProblem(string? name) => name switch
    {
        null => null,
        { Length: > MaxNameLength } => $"'name' must be 1 to {MaxNameLength} characters.",
        { Length: < 3 } => "'name' must be 3 to 100 characters, or null.",
        _ => null,
    };

    public static string? EventsProblem(IReadOnlyList<string> events)
    {
        if (events.Count == 0)
        {
            return "'events' must name at least one event (GET /api/v1/events lists them).";
        }

        return events.FirstOrDefault(e => !WebhookEvents.All.Contains(e)) is { } unknown
            ? $"'{unknown}' is not an event webhooks are sent; the events are {string.Join(", ", WebhookEvents.All)}."
            : null;
    }

    /// <summary>What is wrong with a bearer token, whatever it was: the token itself is never echoed.</summary>
    public static readonly string TokenMessage =
        $"'authorization_header' must be a string of at most {MaxTokenLength} characters, without control characters.";

    /// <summary>The bearer token is taken exactly as typed and never echoed in a message.</summary>
    public static string? TokenProblem(string? token) =>
        token is not null && (token.Length > MaxTokenLength || token.Any(char.IsControl)) ? TokenMessage : null;
}
