using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Callscope.Server.Browser;

/// <summary>
/// Per-participant limits of browser ingest: token buckets of requests and of events, refilled every second up to a
/// minute's worth, so a burst after a quiet spell goes through and a steady excess is refused. They are this node's:
/// behind a load balancer each node counts on its own.
/// </summary>
public sealed class ClientLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string> requests;
    private readonly PartitionedRateLimiter<string> events;

    public ClientLimits(IOptions<ClientIngestOptions> options)
    {
        var o = options.Value;
        MaxEventsPerRequest = o.EventsPerMinute;
        requests = Buckets(o.RequestsPerMinute);
        events = Buckets(o.EventsPerMinute);
    }

    /// <summary>A batch with more events than a minute's worth could never be let through.</summary>
    public int MaxEventsPerRequest { get; }

    /// <summary>Null when the request may go on, or how long to wait before trying again.</summary>
    public TimeSpan? RequestRefusal(ClientScope scope)
    {
        using var lease = requests.AttemptAcquire(scope.LimitKey);
        return lease.IsAcquired ? null : WaitOf(lease);
    }

    /// <summary>Null when a batch of this many events may be stored, or how long to wait before trying again.</summary>
    public TimeSpan? EventRefusal(ClientScope scope, int eventCount)
    {
        using var lease = events.AttemptAcquire(scope.LimitKey, Math.Clamp(eventCount, 0, MaxEventsPerRequest));
        return lease.IsAcquired ? null : WaitOf(lease);
    }

    public void Dispose()
    {
        requests.Dispose();
        events.Dispose();
    }

    private static TimeSpan WaitOf(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);

    private static PartitionedRateLimiter<string> Buckets(int perMinute) => PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = Math.Max(1, perMinute / 60),
            ReplenishmentPeriod = TimeSpan.FromSeconds(perMinute >= 60 ? 1 : 60.0 / perMinute),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
}
