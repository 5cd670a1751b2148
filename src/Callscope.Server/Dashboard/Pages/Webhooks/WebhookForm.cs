using System.ComponentModel.DataAnnotations;
using Callscope.Data.Webhooks;
using Callscope.Server.Outbound;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Callscope.Server.Dashboard.Pages.Webhooks;

/// <summary>
/// A webhook as the dashboard's form sends it. An empty token field keeps the token a webhook has; removing it is a
/// box of its own, so that a form sent again never removes a token by accident.
/// </summary>
public sealed class WebhookForm
{
    [Display(Name = "Endpoint URL")]
    public string? Endpoint { get; set; }

    [Display(Name = "Name")]
    public string? Name { get; set; }

    public List<string> Events { get; set; } = [];

    [Display(Name = "Bearer token")]
    [DataType(DataType.Password)]
    public string? Token { get; set; }

    [Display(Name = "Remove the bearer token")]
    public bool RemoveToken { get; set; }

    public static WebhookForm From(Webhook webhook) => new() { Endpoint = webhook.Endpoint, Name = webhook.Name, Events = [.. webhook.Events] };

    /// <summary>
    /// Checks the form by the rules of <c>/api/v1/webhooks</c>, with the API's messages, each against its field; the
    /// endpoint and name come back trimmed and the events without repeats.
    /// </summary>
    public bool Check(ModelStateDictionary errors, bool allowPrivateNetworks, string prefix = "Form")
    {
        Endpoint = Endpoint?.Trim();
        Name = string.IsNullOrWhiteSpace(Name) ? null : Name.Trim();
        Events = [.. Events.Distinct(StringComparer.Ordinal)];
        Add(errors, $"{prefix}.{nameof(Endpoint)}", WebhookRules.EndpointProblem(Endpoint, allowPrivateNetworks));
        Add(errors, $"{prefix}.{nameof(Name)}", WebhookRules.NameProblem(Name));
        Add(errors, $"{prefix}.{nameof(Events)}", WebhookRules.EventsProblem(Events));
        Add(errors, $"{prefix}.{nameof(Token)}", WebhookRules.TokenProblem(Token));
        if (RemoveToken && !string.IsNullOrEmpty(Token))
        {
            errors.AddModelError($"{prefix}.{nameof(Token)}", "Type a new token or remove the token, not both.");
        }

        return errors.IsValid;
    }

    private static void Add(ModelStateDictionary errors, string key, string? problem)
    {
        if (problem is not null)
        {
            errors.AddModelError(key, problem);
        }
    }
}

/// <summary>
/// The rules <c>/api/v1/webhooks</c> applies to a webhook's fields, in its words, for values the dashboard's form
/// sends (text fields and checkboxes rather than JSON).
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

    /// <summary>The bearer token is taken exactly as typed and never echoed in a message.</summary>
    public static string? TokenProblem(string? token) =>
        token is not null && (token.Length > MaxTokenLength || token.Any(char.IsControl))
            ? $"'authorization_header' must be a string of at most {MaxTokenLength} characters, without control characters."
            : null;
}
