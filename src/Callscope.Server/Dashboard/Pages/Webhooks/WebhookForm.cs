using System.ComponentModel.DataAnnotations;
using Callscope.Data.Webhooks;
using Callscope.Server.Webhooks;
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
