using System.Diagnostics;
using System.Net;
using System.Text;
using Callscope.Data.Webhooks;
using Callscope.Data.Writing;
using Callscope.Server.Outbound;
using Microsoft.Extensions.Options;
using StandardWebhooks;

namespace Callscope.Server.Webhooks;

/// <summary>
/// Sends the outbox's deliveries (docs/webhooks.md). It claims due deliveries with a lease, tries each outside any
/// transaction (no more than <see cref="WebhookOptions.MaxInFlightPerWebhook"/> at once to one webhook, so a slow
/// endpoint leaves room for the others), and records every try. It claims up to <see cref="ClaimAhead"/> times what
/// it sends at once: on SQLite its records and claims wait for the writer's turn, and a busy writer's turn is long. It wakes as soon as this node commits a delivery or
/// hears of another node's commit, and looks for due ones (retries) every <see cref="WebhookOptions.PollInterval"/>.
/// </summary>
public sealed partial class WebhookDispatcher(
    DeliveryQueue queue, WebhookStore webhooks, WebhookSecrets secrets, IHttpClientFactory clients, IngestPipeline pipeline,
    IOptions<WebhookOptions> options, TimeProvider clock, ILogger<WebhookDispatcher> logger, Data.Telemetry.CallscopeMetrics metrics) : BackgroundService
{
    public const string HttpClientName = "webhooks";

    /// <summary>The excerpt of an answer kept with its try.</summary>
    private const int ExcerptBytes = 1024;

    /// <summary>The name this node records its tries under.</summary>
    public static readonly string Node = $"{Environment.MachineName}:{Environment.ProcessId}";

    private readonly SemaphoreSlim wake = new(0);
    /// <summary>How many times the tries it may make at once a node claims, the rest waiting in the node for their turn.</summary>
    public const int ClaimAhead = 4;

    /// <summary>Claimed deliveries not yet tried to the end, by webhook.</summary>
    private readonly Dictionary<string, int> inFlight = new(StringComparer.Ordinal);

    /// <summary>The ids of the deliveries this node holds (claimed, not yet recorded): never claimed again meanwhile.</summary>
    private readonly HashSet<string> held = new(StringComparer.Ordinal);

    /// <summary>Turns to send to each webhook (<see cref="WebhookOptions.MaxInFlightPerWebhook"/> at once); never removed, a few bytes each.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> turns = new(StringComparer.Ordinal);

    private SemaphoreSlim? sending;
    private readonly HashSet<Task> running = [];
    private readonly System.Collections.Concurrent.ConcurrentQueue<FinishedTry> finished = new();
    private readonly TimeSpan[] delays = options.Value.Delays();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Dispatch)
        {
            return;
        }

        sending = new SemaphoreSlim(settings.MaxInFlight);
        pipeline.DeliveriesQueued += Wake;
        pipeline.Committed += WakeOnChange;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var full = false;
                try
                {
                    full = await SettleAsync(settings, claim: true, stoppingToken);
                }
                catch (Exception error) when (!stoppingToken.IsCancellationRequested)
                {
                    Log.SettleFailed(logger, error);
                }

                if (!full)
                {
                    // Woken by a commit or a finished try, or after the poll interval at the latest.
                    await ((Task)wake.WaitAsync(settings.PollInterval, stoppingToken)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }
        }
        finally
        {
            pipeline.DeliveriesQueued -= Wake;
            pipeline.Committed -= WakeOnChange;
            Task[] left;
            lock (running)
            {
                left = [.. running];
            }

            // Tries in flight end quickly once stopping (they are cancelled); what they found is recorded.
            await Task.WhenAll(left).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            try
            {
                await SettleAsync(settings, claim: false, CancellationToken.None);
            }
            catch (Exception error)
            {
                Log.SettleFailed(logger, error);
            }
        }
    }

    /// <summary>Any commit, this node's or (on PostgreSQL) another's, may have queued deliveries: a look costs one read.</summary>
    private void WakeOnChange(IReadOnlyCollection<Core.TeamId> teams) => Wake();

    private void Wake()
    {
        if (wake.CurrentCount == 0)
        {
            wake.Release();
        }
    }

    /// <summary>
    /// Records the tries that ended and claims what this node has room for, in one transaction, then starts each try;
    /// true when it took all it asked for (more may be due).
    /// </summary>
    private async Task<bool> SettleAsync(WebhookOptions settings, bool claim, CancellationToken stoppingToken)
    {
        var done = new List<FinishedTry>();
        while (finished.TryDequeue(out var one))
        {
            done.Add(one);
        }

        List<string> busy;
        List<string> holding;
        int free;
        lock (inFlight)
        {
            // What is recorded now may be claimed again (a replay); what is still held may not.
            held.ExceptWith(done.Select(d => d.Delivery.Id));
            holding = [.. held];
            free = (settings.MaxInFlight * ClaimAhead) - inFlight.Values.Sum();
            // A webhook holding half its share takes no more until some end: with a claim's share on top it holds at most
            // 1.5 shares, whose turns a lease outlasts however slow the endpoint.
            busy = [.. inFlight.Where(w => w.Value >= settings.MaxInFlightPerWebhook * ClaimAhead / 2).Select(w => w.Key)];
        }

        var now = clock.GetUtcNow();
        var limit = claim && free > 0 && queue.AnyDue(now) ? free : 0;
        if (limit == 0 && done.Count == 0)
        {
            return false;
        }

        IReadOnlyList<ClaimedDelivery> claimed;
        try
        {
            claimed = await pipeline.SendAsync(
                new SettleDeliveriesCommand(done, Node, settings.DisableAfter, settings.Lease, limit, settings.MaxInFlightPerWebhook * ClaimAhead, busy, holding),
                CancellationToken.None);
        }
        catch
        {
            // Nothing was recorded: the leases of these tries run out and their deliveries are tried again.
            Log.TriesLost(logger, done.Count);
            throw;
        }
        finally
        {
            lock (inFlight)
            {
                held.ExceptWith(done.Select(d => d.Delivery.Id));
            }
        }

        foreach (var delivery in claimed)
        {
            Start(delivery, settings, stoppingToken);
        }

        return limit > 0 && claimed.Count == limit;
    }

    private void Start(ClaimedDelivery delivery, WebhookOptions settings, CancellationToken stoppingToken)
    {
        lock (inFlight)
        {
            inFlight[delivery.WebhookId] = inFlight.GetValueOrDefault(delivery.WebhookId) + 1;
            held.Add(delivery.Id);
        }

        var task = Task.Run(() => TryAsync(delivery, settings, stoppingToken), CancellationToken.None);
        lock (running)
        {
            running.Add(task);
        }

        _ = task.ContinueWith(done =>
        {
            lock (running)
            {
                running.Remove(done);
            }

            lock (inFlight)
            {
                if (--inFlight[delivery.WebhookId] == 0)
                {
                    inFlight.Remove(delivery.WebhookId);
                }

                if (!done.Result)
                {
                    // Nothing will be recorded for it: its lease runs out and it may be claimed again.
                    held.Remove(delivery.Id);
                }
            }

            Wake();
        }, TaskScheduler.Default);
    }

    /// <summary>One try of one delivery; what it found is queued to be recorded with the next claim (then true).</summary>
    private async Task<bool> TryAsync(ClaimedDelivery delivery, WebhookOptions settings, CancellationToken stoppingToken)
    {
        try
        {
            if (webhooks.Find(delivery.TeamId, delivery.WebhookId) is not { } webhook)
            {
                return false;
            }

            TryOutcome outcome;
            var turn = turns.GetOrAdd(delivery.WebhookId, _ => new SemaphoreSlim(settings.MaxInFlightPerWebhook));
            await turn.WaitAsync(CancellationToken.None);
            try
            {
                await sending!.WaitAsync(CancellationToken.None);
                try
                {
                    outcome = await SendAsync(webhook, delivery, settings, stoppingToken);
                }
                finally
                {
                    sending.Release();
                }
            }
            finally
            {
                turn.Release();
            }

            var since = webhook.FailingSince ?? outcome.StartedAt;
            var reason = $"Disabled at {clock.GetUtcNow():yyyy-MM-dd HH:mm} UTC: delivery {delivery.Id} failed after {delivery.Try} tries, " +
                $"with no successful delivery since {since:yyyy-MM-dd HH:mm} UTC (last: {outcome.Error ?? $"HTTP {outcome.Status}"}).";
            finished.Enqueue(new FinishedTry(delivery, outcome, reason));
            metrics.WebhookTry(outcome.State == DeliveryStates.Pending ? "retry" : outcome.State);
            if (outcome.State == DeliveryStates.Failed)
            {
                Log.Failed(logger, delivery.Id, delivery.WebhookId, delivery.Try);
            }

            return true;
        }
        catch (Exception error)
        {
            // Nothing will be recorded: the lease runs out and the delivery is tried again.
            Log.TryFailed(logger, delivery.Id, error);
            return false;
        }
    }

    private async Task<TryOutcome> SendAsync(Webhook webhook, ClaimedDelivery delivery, WebhookOptions settings, CancellationToken stoppingToken)
    {
        var started = clock.GetUtcNow();
        var watch = Stopwatch.StartNew();
        if (!secrets.CanRead(webhook))
        {
            // Never unsigned, nor without the token the receiver checks: another node, or this one with its keys back, sends it.
            return Next(delivery, started, watch, null,
                "This node's key ring cannot read the webhook's secrets (every node must share the keys folder of the data directory); nothing was sent.",
                null, retryable: true, retryAfter: null);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(settings.Timeout);
        try
        {
            using var request = Request(webhook, delivery, started);
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var excerpt = await OutboundHandler.ReadPrefixAsync(response.Content, ExcerptBytes, timeout.Token);
            var status = (int)response.StatusCode;
            var text = Excerpt(excerpt);
            if (status is >= 200 and < 300)
            {
                return new TryOutcome(started, Elapsed(watch), status, null, text, DeliveryStates.Delivered, null);
            }

            var retryable = status is 408 or 429 or >= 500;
            var error = retryable ? null : $"HTTP {status} is not retried (only timeouts, connection errors, 408, 429 and 5xx are).";
            return Next(delivery, started, watch, status, error, text, retryable, RetryAfter(response, started));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return Next(delivery, started, watch, null, "The server stopped during the try.", null, retryable: true, retryAfter: TimeSpan.Zero);
        }
        catch (OperationCanceledException)
        {
            return Next(delivery, started, watch, null, $"No answer within {settings.Timeout.TotalSeconds:0.#} s.", null, retryable: true, retryAfter: null);
        }
        catch (HttpRequestException error) when (OutboundHandler.IsRefusal(error))
        {
            return Next(delivery, started, watch, null,
                "The endpoint's address is loopback, private or reserved; Callscope calls it only if the operator sets Callscope__Outbound__AllowPrivateNetworks=true.",
                null, retryable: false, retryAfter: null);
        }
        catch (HttpRequestException error)
        {
            return Next(delivery, started, watch, null, $"Connection failed: {error.HttpRequestError} ({error.Message})", null, retryable: true, retryAfter: null);
        }
    }

    /// <summary>The request of one try: the payload, its Standard Webhooks headers, and the webhook's bearer token if it has one.</summary>
    private HttpRequestMessage Request(Webhook webhook, ClaimedDelivery delivery, DateTimeOffset now)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, webhook.Endpoint)
        {
            Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
        };
        var signatures = secrets.SigningKeys(webhook, now).Select(key => new StandardWebhook(key).Sign(delivery.Id, now, delivery.Payload));
        request.Headers.Add("webhook-id", delivery.Id);
        request.Headers.Add("webhook-timestamp", now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", string.Join(' ', signatures));
        request.Headers.UserAgent.ParseAdd("Callscope-Webhooks/1");
        if (webhook.ProtectedAuthorization is { } token && secrets.Authorization(token) is { } bearer)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bearer);
        }

        return request;
    }

    /// <summary>The delivery's state after a failed try: due again after the schedule's wait (or the receiver's Retry-After), or failed.</summary>
    private TryOutcome Next(ClaimedDelivery delivery, DateTimeOffset started, Stopwatch watch, int? status, string? error, string? response,
        bool retryable, TimeSpan? retryAfter)
    {
        if (!retryable || delivery.Try > delays.Length)
        {
            return new TryOutcome(started, Elapsed(watch), status, error, response, DeliveryStates.Failed, null);
        }

        var wait = retryAfter ?? Jittered(delays[delivery.Try - 1]);
        return new TryOutcome(started, Elapsed(watch), status, error, response, DeliveryStates.Pending, clock.GetUtcNow() + wait);
    }

    /// <summary>A wait spread by up to a fifth either way, so that tries failed together do not come back together.</summary>
    private static TimeSpan Jittered(TimeSpan wait) => wait * (0.8 + (Random.Shared.NextDouble() * 0.4));

    /// <summary>The receiver's Retry-After (seconds or a date), kept between a second and a day.</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        var wait = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - now,
            _ => (TimeSpan?)null,
        };
        return wait is { } w ? TimeSpan.FromTicks(Math.Clamp(w.Ticks, TimeSpan.TicksPerSecond, TimeSpan.TicksPerDay)) : null;
    }

    private static int Elapsed(Stopwatch watch) => (int)Math.Min(int.MaxValue, watch.ElapsedMilliseconds);

    /// <summary>The answer's first bytes as text, for the delivery log; invalid UTF-8 at the cut is replaced.</summary>
    private static string? Excerpt(byte[] bytes) => bytes.Length == 0 ? null : Encoding.UTF8.GetString(bytes);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Recording webhook tries or claiming deliveries failed; the dispatcher tries again")]
        public static partial void SettleFailed(ILogger logger, Exception error);

        [LoggerMessage(Level = LogLevel.Warning, Message = "{Tries} webhook tries could not be recorded; their deliveries are tried again when their leases run out")]
        public static partial void TriesLost(ILogger logger, int tries);

        [LoggerMessage(Level = LogLevel.Error, Message = "A try of webhook delivery {Delivery} failed unexpectedly; it is tried again when its lease runs out")]
        public static partial void TryFailed(ILogger logger, string delivery, Exception error);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {Delivery} to webhook {Webhook} failed for good after {Tries} tries")]
        public static partial void Failed(ILogger logger, string delivery, string webhook, int tries);
    }
}
