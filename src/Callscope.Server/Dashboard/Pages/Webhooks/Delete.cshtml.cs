using Callscope.Data.Webhooks;
using Callscope.Server.Audit;
using Callscope.Server.Webhooks;
using Microsoft.AspNetCore.Mvc;

namespace Callscope.Server.Dashboard.Pages.Webhooks;

/// <summary>
/// Deleting a webhook with its deliveries (admins only). The webhook's page posts here after its confirmation dialog;
/// without script, the GET asks the same question as a page.
/// </summary>
public sealed class DeleteWebhookModel(WebhookStore store, AuditLog audit) : DashboardPage
{
    public Webhook Webhook { get; private set; } = null!;

    public IActionResult OnGet(string id)
    {
        if (store.Find(Team, id) is not { } webhook)
        {
            return Missing("This webhook");
        }

        Webhook = webhook;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string id, CancellationToken cancellationToken)
    {
        if (store.Find(Team, id) is not { } webhook || !store.Delete(Team, id))
        {
            return Missing("This webhook");
        }

        await WebhookAudit.DeletedAsync(audit, HttpContext, webhook, cancellationToken);

        Flash($"The webhook to {webhook.Endpoint} was deleted.");
        return LocalRedirect(Links.Webhooks);
    }
}
