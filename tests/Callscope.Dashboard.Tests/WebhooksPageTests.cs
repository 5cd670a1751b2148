using System.Globalization;
using System.Text.RegularExpressions;
using Callscope.Dashboard.Tests.Infrastructure;
using StandardWebhooks;

namespace Callscope.Dashboard.Tests;

/// <summary>
/// The Webhooks page of admins, against a receiver in this process on 127.0.0.1 (which the operator setting allows):
/// creating with the secret shown once, the API's validation messages, editing, enabling and disabling, rotation, the
/// test message, the deliveries with their tries, replays and deletion.
/// </summary>
public sealed partial class WebhooksPageTests : DashboardTest
{
    private const string Token = "receiver-bearer-token-7f3a";

    public WebhooksPageTests(BrowserFixture browser)
        : base(browser)
    {
        App.Settings["Callscope:Outbound:AllowPrivateNetworks"] = "true";

        // One retry, at once: a delivery to an endpoint that keeps failing fails for good within the test.
        App.Settings["Callscope:Webhooks:RetrySchedule"] = "00:00:00";
    }

    [Fact]
    public async Task An_admin_creates_a_webhook_copies_its_secret_once_and_sees_the_test_message_delivered_and_replayed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await SignInAsync();
        await Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Webhooks" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Webhooks", Level = 1 })).ToBeVisibleAsync();
        await Expect(Page.GetByText("No webhooks yet.")).ToBeVisibleAsync();

        var secret = await CreateAsync(receiver.Endpoint, "Support alerts", Token, untick: ["participant_issue"]);

        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Support alerts", Level = 1 })).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Copy it now" })).ToBeVisibleAsync();
        Assert.DoesNotContain(Token, await Page.ContentAsync(), StringComparison.Ordinal);
        await Page.ReloadAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Support alerts", Level = 1 })).ToBeVisibleAsync();
        await Expect(Page.GetByLabel("Signing secret")).ToHaveCountAsync(0);
        Assert.DoesNotContain(secret, await Page.ContentAsync(), StringComparison.Ordinal);

        await Page.GetByRole(AriaRole.Button, new() { Name = "Send test message" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "A test message was queued" })).ToBeVisibleAsync();

        // The receiver gets the message with the token, signed with the secret the page showed.
        var message = await receiver.NextAsync();
        Assert.Equal($"Bearer {Token}", message.Authorization);
        Assert.Contains("\"eventType\":\"webhook_test\"", message.Body, StringComparison.Ordinal);
        var at = DateTimeOffset.FromUnixTimeSeconds(long.Parse(message.Timestamp!, CultureInfo.InvariantCulture));
        Assert.Contains(new StandardWebhook(secret).Sign(message.Id!, at, message.Body), message.Signature!.Split(' '));

        var delivery = await DeliveryOnceAsync("webhook_test", DeliveryState("delivered"));
        await Expect(delivery.GetByText(message.Id!)).ToBeVisibleAsync();
        var firstTry = delivery.GetByRole(AriaRole.Row).Filter(new() { HasText = WebhookReceiver.Answer });
        await Expect(firstTry).ToHaveCountAsync(1);
        await Expect(firstTry.GetByRole(AriaRole.Cell).Nth(2)).ToHaveTextAsync("200");
        await Expect(firstTry.GetByRole(AriaRole.Cell).Nth(3)).ToHaveTextAsync(MillisecondsPattern());
        await delivery.GetByText("Message", new() { Exact = true }).ClickAsync();
        await Expect(delivery.GetByLabel("Message of the webhook_test delivery", new() { Exact = false })).ToContainTextAsync("\"eventType\": \"webhook_test\"");
        await ScreenshotAsync("webhook");

        // A replay sends the same message again, with the same webhook-id, and adds its try to the delivery.
        await delivery.GetByRole(AriaRole.Button, new() { Name = "Replay" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "queued again" })).ToBeVisibleAsync();
        var replayed = await receiver.NextAsync();
        Assert.Equal(message.Id, replayed.Id);
        Assert.Equal(message.Body, replayed.Body);
        delivery = await DeliveryOnceAsync("webhook_test", async d => await d.GetByRole(AriaRole.Row).Filter(new() { HasText = WebhookReceiver.Answer }).CountAsync() == 2);
        await Expect(delivery.GetByText("delivered", new() { Exact = true })).ToBeVisibleAsync();

        // The state filter: the delivery is among the delivered, and nothing has failed.
        await Page.GetByRole(AriaRole.Navigation, new() { Name = "Delivery state" }).GetByRole(AriaRole.Link, new() { Name = "delivered" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Article)).ToHaveCountAsync(1);
        await Page.GetByRole(AriaRole.Navigation, new() { Name = "Delivery state" }).GetByRole(AriaRole.Link, new() { Name = "failed" }).ClickAsync();
        await Expect(Page.GetByText("No delivery is failed.")).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Article)).ToHaveCountAsync(0);

        // The list names it, with its events and state, and never the token or the secret.
        await Page.GetByRole(AriaRole.Link, new() { Name = "Webhooks" }).First.ClickAsync();
        var row = Page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Support alerts" });
        await Expect(row).ToContainTextAsync(receiver.Endpoint);
        await Expect(row).ToContainTextAsync("participant_joined, participant_left, session_started, session_ended, session_ending_soon");
        await Expect(row).Not.ToContainTextAsync("participant_issue");
        await Expect(row).ToContainTextAsync("enabled");
        var list = await Page.ContentAsync();
        Assert.DoesNotContain(Token, list, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_webhook_with_wrong_fields_is_not_created_and_each_field_shows_the_apis_message()
    {
        await SignInAsync();
        await Page.GotoAsync("/webhooks");
        await Page.GetByLabel("Endpoint URL").FillAsync("ftp://example.com/hooks");
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync("ab");
        foreach (var box in await Page.GetByRole(AriaRole.Checkbox).AllAsync())
        {
            await box.UncheckAsync();
        }

        await Page.GetByRole(AriaRole.Button, new() { Name = "Create webhook" }).ClickAsync();

        await Expect(Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The webhook was not created. Correct the fields marked below.");
        await Expect(FieldError("Form.Endpoint")).ToHaveTextAsync(
            "'endpoint' must be an absolute http or https URL of 3 to 100 characters, e.g. https://example.com/hooks.");
        await Expect(FieldError("Form.Name")).ToHaveTextAsync("'name' must be 3 to 100 characters, or null.");
        await Expect(FieldError("Form.Events")).ToHaveTextAsync("'events' must name at least one event (GET /api/v1/events lists them).");
        await Expect(Page.GetByLabel("Endpoint URL")).ToHaveValueAsync("ftp://example.com/hooks");

        // A host written as a number is refused as the API refuses it; nothing was created meanwhile.
        await Page.GetByLabel("Endpoint URL").FillAsync("http://2130706433/hooks");
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync("Numeric host");
        await Page.GetByRole(AriaRole.Checkbox, new() { Name = "session_ended" }).CheckAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create webhook" }).ClickAsync();
        await Expect(FieldError("Form.Endpoint")).ToHaveTextAsync("'endpoint' must write an IPv4 address as four decimal numbers (a.b.c.d).");
        await Expect(FieldError("Form.Name")).ToBeEmptyAsync();
        await Expect(Page.GetByRole(AriaRole.Checkbox, new() { Name = "session_ended" })).ToBeCheckedAsync();
        await Expect(Page.GetByText("No webhooks yet.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task An_admin_edits_disables_enables_rotates_and_deletes_a_webhook()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await SignInAsync();
        var first = await CreateAsync(receiver.Endpoint, "Billing sync", Token);
        var id = Page.Url[(Page.Url.LastIndexOf('/') + 1)..];

        // An empty token field keeps the token; the token is never put back in the form.
        await Page.GetByRole(AriaRole.Link, new() { Name = "Edit" }).ClickAsync();
        await Expect(Page.GetByLabel("Bearer token", new() { Exact = true })).ToHaveValueAsync(string.Empty);
        Assert.DoesNotContain(Token, await Page.ContentAsync(), StringComparison.Ordinal);
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync("Billing sync (EU)");
        await Page.GetByRole(AriaRole.Checkbox, new() { Name = "participant_joined" }).UncheckAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save webhook" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "The webhook was saved." })).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Billing sync (EU)", Level = 1 })).ToBeVisibleAsync();
        await Expect(Detail("Bearer token")).ToHaveTextAsync("set (never shown)");
        await Expect(Detail("Events")).Not.ToContainTextAsync("participant_joined");

        // A bad endpoint on the edit form changes nothing.
        await Page.GetByRole(AriaRole.Link, new() { Name = "Edit" }).ClickAsync();
        await Page.GetByLabel("Endpoint URL").FillAsync("https://");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save webhook" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Nothing was changed. Correct the fields marked below.");
        await Expect(FieldError("Form.Endpoint")).ToContainTextAsync("'endpoint' must be an absolute http or https URL");

        // "Remove" removes the token.
        await Page.GotoAsync($"/webhooks/{id}/edit");
        await Page.GetByRole(AriaRole.Checkbox, new() { Name = "Remove the bearer token" }).CheckAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save webhook" }).ClickAsync();
        await Expect(Detail("Bearer token")).ToHaveTextAsync("none");
        await Expect(Detail("Endpoint")).ToHaveTextAsync(receiver.Endpoint);

        await Page.GetByRole(AriaRole.Button, new() { Name = "Disable" }).ClickAsync();
        await Expect(Page.GetByText("disabled", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(Page.GetByText("Disabled by a team member at 2026-11-25 10:00 UTC.")).ToBeVisibleAsync();
        await Page.GotoAsync("/webhooks");
        await Expect(Page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Billing sync (EU)" })).ToContainTextAsync("Disabled by a team member");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Billing sync (EU)" }).ClickAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Enable" }).ClickAsync();
        await Expect(Page.GetByText("enabled", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(Page.GetByText("Disabled by a team member")).ToHaveCountAsync(0);

        // Rotation asks first, then shows the new secret once; the old one keeps signing for a day.
        await Page.GetByRole(AriaRole.Button, new() { Name = "Rotate signing secret" }).ClickAsync();
        await Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Rotate secret" }).ClickAsync();
        var second = await Page.GetByLabel("Signing secret").InputValueAsync();
        Assert.StartsWith("whsec_", second, StringComparison.Ordinal);
        Assert.NotEqual(first, second);
        await Expect(Detail("Signing secret")).ToContainTextAsync("also signs until 2026-11-26 10:00:00 UTC");
        await Page.ReloadAsync();
        await Expect(Page.GetByLabel("Signing secret")).ToHaveCountAsync(0);

        // Deleting asks first; without script the same question is a page of its own.
        await Page.GetByRole(AriaRole.Link, new() { Name = "Delete" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("Delete this webhook?");
        await Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Page.GotoAsync($"/webhooks/{id}/delete");
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Delete this webhook?" })).ToBeVisibleAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Delete webhook" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "was deleted" })).ToBeVisibleAsync();
        await Expect(Page.GetByText("No webhooks yet.")).ToBeVisibleAsync();
        var gone = await Page.GotoAsync($"/webhooks/{id}");
        Assert.Equal(404, gone!.Status);
    }

    [Fact]
    public async Task Failed_deliveries_since_a_time_are_replayed_together()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await SignInAsync();
        await CreateAsync(receiver.FailingEndpoint, "Flaky receiver", token: null);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Send test message" }).ClickAsync();

        // The first try and its one retry both fail: the delivery has failed for good, and the webhook is failing.
        var tried = await receiver.NextAsync();
        Assert.Equal(tried.Id, (await receiver.NextAsync()).Id);
        var delivery = await DeliveryOnceAsync("webhook_test", DeliveryState("failed"));
        var failures = delivery.GetByRole(AriaRole.Row).Filter(new() { HasText = WebhookReceiver.FailingAnswer });
        await Expect(failures).ToHaveCountAsync(2);
        await Expect(failures.First.GetByRole(AriaRole.Cell).Nth(2)).ToHaveTextAsync("503");
        await Expect(Detail("Failing since (UTC)")).ToHaveTextAsync("2026-11-25 10:00:00");

        await Page.GetByLabel("Every delivery that failed, created since (UTC)").FillAsync("2026-11-25T09:00");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Replay failed deliveries" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "1 failed delivery was queued again." })).ToBeVisibleAsync();
        Assert.Equal(tried.Id, (await receiver.NextAsync()).Id);

        // A time after the failure replays nothing.
        await DeliveryOnceAsync("webhook_test", DeliveryState("failed"));
        await Page.GetByLabel("Every delivery that failed, created since (UTC)").FillAsync("2026-11-25T11:00");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Replay failed deliveries" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "No delivery has failed since 2026-11-25 11:00:00 UTC" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_viewer_is_denied_the_webhooks_pages_and_has_no_link_to_them()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await SignInAsync();
        await CreateAsync(receiver.Endpoint, "Admins only", token: null);
        var id = Page.Url[(Page.Url.LastIndexOf('/') + 1)..];
        await SignOutAsync();
        AddViewer();
        await SignInAsync("vera@example.test", "viewer-password-1");

        await Expect(Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Webhooks" })).ToHaveCountAsync(0);
        foreach (var address in new[] { "/webhooks", $"/webhooks/{id}", $"/webhooks/{id}/edit", $"/webhooks/{id}/delete" })
        {
            await Page.GotoAsync(address);
            await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Admins only" })).ToBeVisibleAsync();
            Assert.DoesNotContain(receiver.Endpoint, await Page.ContentAsync(), StringComparison.Ordinal);
        }
    }

    /// <summary>Fills the new-webhook form and sends it; answers the signing secret the next page shows.</summary>
    private async Task<string> CreateAsync(string endpoint, string name, string? token, string[]? untick = null)
    {
        if (!Page.Url.EndsWith("/webhooks", StringComparison.Ordinal))
        {
            await Page.GotoAsync("/webhooks");
        }

        await Page.GetByLabel("Endpoint URL").FillAsync(endpoint);
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        if (token is not null)
        {
            await Page.GetByLabel("Bearer token", new() { Exact = true }).FillAsync(token);
        }

        foreach (var unwanted in untick ?? [])
        {
            await Page.GetByRole(AriaRole.Checkbox, new() { Name = unwanted }).UncheckAsync();
        }

        await Page.GetByRole(AriaRole.Button, new() { Name = "Create webhook" }).ClickAsync();
        await Expect(Page.GetByLabel("Signing secret")).ToBeVisibleAsync();
        return await Page.GetByLabel("Signing secret").InputValueAsync();
    }

    /// <summary>
    /// The one delivery of this event on the webhook's page, once it is as wanted: the page is read again until then,
    /// as a member would reload it, since tries are recorded in the background.
    /// </summary>
    private async Task<ILocator> DeliveryOnceAsync(string eventType, Func<ILocator, Task<bool>> wanted)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var delivery = Page.GetByRole(AriaRole.Article).Filter(new() { HasText = eventType });
            await Expect(delivery).ToHaveCountAsync(1);
            if (await wanted(delivery))
            {
                return delivery;
            }

            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"The {eventType} delivery never got there:\n{await delivery.InnerTextAsync()}");
            await Task.Delay(100, Cancellation);
            await Page.ReloadAsync();
        }
    }

    private static Func<ILocator, Task<bool>> DeliveryState(string state) =>
        async delivery => await delivery.Locator(".delivery-head .badge").InnerTextAsync() == state;

    private ILocator FieldError(string field) => Page.Locator($"[data-valmsg-for='{field}']");

    /// <summary>The value of one item of the webhook's details.</summary>
    private ILocator Detail(string term) =>
        Page.Locator("dl.details > div").Filter(new() { Has = Page.Locator("dt", new() { HasTextString = term }) }).Locator("dd");

    [GeneratedRegex(@"^\d+ ms$")]
    private static partial Regex MillisecondsPattern();
}
