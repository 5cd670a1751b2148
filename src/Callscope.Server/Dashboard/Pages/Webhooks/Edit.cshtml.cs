using Callscope.Data.Webhooks;
using Callscope.Server.Audit;
using Callscope.Server.Hosting;
using Callscope.Server.Webhooks;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Callscope.Server.Dashboard.Pages.Webhooks;

/// <summary>
/// Changes a webhook's endpoint, name, events and bearer token (admins only), checked as the API checks them. The
/// token is never shown: an empty field keeps it, a new one replaces it, and "remove" removes it.
/// </summary>
public sealed class EditWebhookModel(WebhookStore store, WebhookSecrets secrets, IOptions<CallscopeOptions> options, TimeProvider clock, AuditLog audit)
    : DashboardPage
{
    [BindProperty]
    public WebhookForm Form { get; set; } = new();

    public Webhook Webhook { get; private set; } = null!;

    public IActionResult OnGet(string id)
    {
        if (store.Find(Team, id) is not { } webhook)
        {
            return Missing("This webhook");
        }

        Webhook = webhook;
        Form = WebhookForm.From(webhook);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string id, CancellationToken cancellationToken)
    {
        if (store.Find(Team, id) is not { } webhook)
        {
            return Missing("This webhook");
        }

        Webhook = webhook;
        if (!Form.Check(ModelState, options.Value.Outbound.AllowPrivateNetworks))
        {
            return Page();
        }

        var authorization = Form.RemoveToken ? null
            : string.IsNullOrEmpty(Form.Token) ? webhook.ProtectedAuthorization
            : secrets.ProtectAuthorization(Form.Token);
        var changed = webhook with
        {
            Endpoint = Form.Endpoint!,
            Name = Form.Name,
            Events = Form.Events,
            ProtectedAuthorization = authorization,
            UpdatedAt = clock.GetUtcNow(),
        };
        if (!store.Update(changed))
        {
            return Missing("This webhook");
        }

        await WebhookAudit.ChangedAsync(audit, HttpContext, webhook, changed, cancellationToken);
        Flash("The webhook was saved.");
        return LocalRedirect(Links.Webhook(id));
    }
}
