using System.Globalization;
using System.Text.Json;
using Callscope.Data.Webhooks;
using Callscope.Data.Writing;
using Callscope.Server.Audit;
using Callscope.Server.Webhooks;
using Microsoft.AspNetCore.Mvc;

namespace Callscope.Server.Dashboard.Pages.Webhooks;

/// <summary>
/// One webhook (admins only): its settings, the signing secret once after it was made, the test message, secret
/// rotation, enabling and disabling, and its deliveries, newest first, each with every try and its message, to replay
/// one by one or every failed one since a time. The changes are the ones <c>/api/v1/webhooks</c> makes.
/// </summary>
public sealed class WebhookModel(WebhookStore store, WebhookSecrets secrets, IngestPipeline pipeline, TimeProvider clock, AuditLog audit) : DashboardPage
{
    public const int PageSize = 10;

    private static readonly string[] SinceFormats = ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFF"];

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public Webhook Webhook { get; private set; } = null!;

    /// <summary>The signing secret made by the creation or rotation this view follows; shown this once.</summary>
    public string? NewSecret { get; private set; }

    /// <summary>Whether the secret before the last rotation still signs beside the current one.</summary>
    public bool PreviousSecretSigns => Webhook.PreviousSecretUntil is { } until && until > clock.GetUtcNow();

    /// <summary>The state the deliveries are filtered by; null for all.</summary>
    public string? State { get; private set; }

    public IReadOnlyList<Delivery> Deliveries { get; private set; } = [];

    public Pager Pager { get; private set; } = null!;

    /// <summary>The start of "replay every failed delivery since", as the form shows it (UTC, to the minute).</summary>
    public string Since { get; private set; } = string.Empty;

    public string? SinceError { get; private set; }

    public static IReadOnlyList<string> States { get; } = [DeliveryStates.Pending, DeliveryStates.Delivered, DeliveryStates.Failed];

    public IActionResult OnGet(string id, string? state)
    {
        if (store.Find(Team, id) is not { } webhook)
        {
            return Missing("This webhook");
        }

        // A live refresh must not take the secret from the view the member is reading.
        if (!Request.Headers.ContainsKey(LiveRefreshHeader) && NewSigningSecret.Take(TempData, webhook.Id) is { } secret)
        {
            NewSecret = secret;
            Response.Headers.CacheControl = "no-store";
        }

        Show(webhook, state);
        return Page();
    }

    public IActionResult OnPostTest(string id)
    {
        if (store.Find(Team, id) is not { } webhook)
        {
            return Missing("This webhook");
        }

        store.QueueTest(webhook, clock.GetUtcNow());
        pipeline.AnnounceDeliveries();
        Flash(webhook.Enabled
            ? "A test message was queued; it is sent at once and appears below with its tries."
            : "A test message was queued; it waits until the webhook is enabled.");
        return LocalRedirect(Links.Webhook(id) + "#deliveries-title");
    }

    /// <summary>A new signing secret; the old one keeps signing beside it for <see cref="WebhookSecrets.RotationOverlap"/>.</summary>
    public async Task<IActionResult> OnPostRotateAsync(string id, CancellationToken cancellationToken)
    {
        if (store.Find(Team, id) is not { } webhook)
        {
            return Missing("This webhook");
        }

        var (rotated, secret) = WebhookChanges.Rotate(secrets, webhook, clock.GetUtcNow());
        if (!store.Update(rotated))
        {
            return Missing("This webhook");
        }

        await WebhookAudit.RotatedAsync(audit, HttpContext, rotated, cancellationToken);
        NewSigningSecret.Keep(TempData, id, secret);
        return LocalRedirect(Links.Webhook(id));
    }

    /// <summary>Enabling starts a clean record and sends what the webhook held while disabled.</summary>
    public Task<IActionResult> OnPostEnableAsync(string id, CancellationToken cancellationToken) => SetEnabledAsync(id, enabled: true, cancellationToken);

    public Task<IActionResult> OnPostDisableAsync(string id, CancellationToken cancellationToken) => SetEnabledAsync(id, enabled: false, cancellationToken);

    public IActionResult OnPostReplay(string id, string delivery, string? returnUrl)
    {
        if (store.Find(Team, id) is null)
        {
            return Missing("This webhook");
        }

        if (!store.Replay(Team, id, delivery, clock.GetUtcNow()))
        {
            return Missing("This delivery");
        }

        pipeline.AnnounceDeliveries();
        Flash("The delivery was queued again, with the same webhook-id and a fresh schedule of tries.");
        return BackTo(returnUrl, Links.Webhook(id) + "#deliveries-title");
    }

    public IActionResult OnPostReplayFailed(string id, string? since)
    {
        if (store.Find(Team, id) is not { } webhook)
        {
            return Missing("This webhook");
        }

        if (!DateTime.TryParseExact(since?.Trim(), SinceFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
                out var start))
        {
            Show(webhook, null);
            Since = since ?? string.Empty;
            SinceError = "Enter the time to replay from as a date and time in UTC, e.g. 2026-12-01T00:00.";
            return Page();
        }

        var from = new DateTimeOffset(start, TimeSpan.Zero);
        var replayed = store.ReplayFailed(Team, id, from, clock.GetUtcNow());
        if (replayed > 0)
        {
            pipeline.AnnounceDeliveries();
        }

        Flash(replayed switch
        {
            0 => $"No delivery has failed since {Display.Time(from)} UTC; nothing was sent again.",
            1 => "1 failed delivery was queued again.",
            _ => $"{replayed} failed deliveries were queued again.",
        });
        return LocalRedirect(Links.Webhook(id) + "#deliveries-title");
    }

    /// <summary>A delivery's message as stored, laid out for reading.</summary>
    public static string Pretty(string payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            return JsonSerializer.Serialize(document.RootElement, Indented);
        }
        catch (JsonException)
        {
            return payload;
        }
    }

    /// <summary>The filter's address: this webhook's page with one state, or all.</summary>
    public string StateHref(string? state) => state is null ? Links.Webhook(Webhook.Id) : $"{Links.Webhook(Webhook.Id)}?state={state}";

    private async Task<IActionResult> SetEnabledAsync(string id, bool enabled, CancellationToken cancellationToken)
    {
        if (store.Find(Team, id) is not { } webhook)
        {
            return Missing("This webhook");
        }

        if (webhook.Enabled != enabled)
        {
            var changed = WebhookChanges.SetEnabled(webhook, enabled, clock.GetUtcNow());
            if (!store.Update(changed))
            {
                return Missing("This webhook");
            }

            await WebhookAudit.ChangedAsync(audit, HttpContext, webhook, changed, cancellationToken);

            if (enabled)
            {
                pipeline.AnnounceDeliveries();
            }
        }

        Flash(enabled ? "The webhook is enabled; what it held while disabled is sent now." : "The webhook is disabled; its messages are held until it is enabled.");
        return LocalRedirect(Links.Webhook(id));
    }

    private void Show(Webhook webhook, string? state)
    {
        Webhook = webhook;
        State = States.Contains(state) ? state : null;
        Pager = new Pager(Request, PageSize);
        var page = store.Deliveries(Team, webhook.Id, State, PageSize, Pager.Offset, descending: true);
        Pager.Of(page.TotalCount);
        Deliveries = page.Data;
        Since = (clock.GetUtcNow() - TimeSpan.FromDays(1)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);
    }
}
