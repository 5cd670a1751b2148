using Callscope.Data.Webhooks;
using Callscope.Server.Audit;
using Callscope.Server.Hosting;
using Callscope.Server.Webhooks;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Callscope.Server.Dashboard.Pages.Webhooks;

/// <summary>
/// The team's webhooks (admins only: a webhook sends the team's data out and carries secrets), and the form that adds
/// one. A new webhook's signing secret is shown once, on its own page, right after it is made.
/// </summary>
public sealed class WebhooksModel(WebhookStore store, WebhookSecrets secrets, IOptions<CallscopeOptions> options, TimeProvider clock, AuditLog audit)
    : DashboardPage
{
    public const int PageSize = 25;

    [BindProperty]
    public WebhookForm Form { get; set; } = new();

    public IReadOnlyList<Webhook> Webhooks { get; private set; } = [];

    public Pager Pager { get; private set; } = null!;

    public void OnGet()
    {
        // Every event is ticked on a new webhook's form; the member unticks what the receiver does not want.
        Form = new WebhookForm { Events = [.. WebhookEvents.All] };
        List();
    }

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        if (!Form.Check(ModelState, options.Value.Outbound.AllowPrivateNetworks))
        {
            List();
            return Page();
        }

        var (webhook, secret) = WebhookChanges.Create(secrets, Team, Form.Endpoint!, Form.Name, Form.Events, Form.Token, clock.GetUtcNow());
        store.Create(webhook);
        await WebhookAudit.CreatedAsync(audit, HttpContext, webhook, cancellationToken);
        NewSigningSecret.Keep(TempData, webhook.Id, secret);
        Flash($"The webhook to {webhook.Endpoint} was created.");
        return LocalRedirect(Links.Webhook(webhook.Id));
    }

    private void List()
    {
        Pager = new Pager(Request, PageSize);
        var page = store.List(Team, PageSize, Pager.Offset, descending: true, after: null);
        Pager.Of(page.TotalCount);
        Webhooks = page.Data;
    }
}
