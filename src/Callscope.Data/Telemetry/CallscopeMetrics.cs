using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Callscope.Data.Telemetry;

/// <summary>Where a batch of events came from, as the metrics' <c>source</c> attribute shows it.</summary>
public enum IngestSource
{
    /// <summary>Events Callscope writes itself (an end after a LiveKit room was deleted).</summary>
    Server,

    /// <summary><c>POST /api/v1/ingest/events</c> with a developer key.</summary>
    Api,

    /// <summary>LiveKit's webhooks.</summary>
    LiveKit,

    /// <summary>A participant's browser (<c>POST /api/v1/ingest/client</c>).</summary>
    Client,

    /// <summary>The demo data of <c>callscope demo</c> and the dashboard.</summary>
    Demo,
}

/// <summary>How an ingest request was answered, as the <c>outcome</c> attribute of <c>callscope.ingest.requests</c> shows it.</summary>
public enum IngestOutcome
{
    /// <summary>A 2xx answer.</summary>
    Accepted,

    /// <summary>A 4xx answer other than those below.</summary>
    Invalid,

    /// <summary>401.</summary>
    Unauthorized,

    /// <summary>403.</summary>
    Forbidden,

    /// <summary>413.</summary>
    TooLarge,

    /// <summary>429.</summary>
    Throttled,

    /// <summary>A 5xx answer, or an error that left the request unanswered.</summary>
    Failed,

    /// <summary>Any other status.</summary>
    Other,
}

/// <summary>
/// Callscope's own instruments, all on one <see cref="Meter"/> named <see cref="MeterName"/> (docs/operations.md lists
/// them). Instruments on the ingest path take attribute lists built once here, so counting allocates nothing.
/// </summary>
public sealed class CallscopeMetrics
{
    public const string MeterName = "Callscope";

    /// <summary>The source of the writer's spans (one per group commit).</summary>
    public static readonly ActivitySource Activities = new(MeterName);

    private static readonly string[] Sources = ["server", "api", "livekit", "client", "demo"];
    private static readonly KeyValuePair<string, object?>[] SourceTags = [.. Sources.Select(s => new KeyValuePair<string, object?>("source", s))];

    private static readonly string[] Outcomes = ["accepted", "invalid", "unauthorized", "forbidden", "too_large", "throttled", "failed", "other"];

    /// <summary>Ingest requests' attributes, by source and then by outcome.</summary>
    private static readonly KeyValuePair<string, object?>[][][] RequestTags =
        [.. Sources.Select(s => Outcomes.Select(o => new KeyValuePair<string, object?>[] { new("source", s), new("outcome", o) }).ToArray())];

    private static readonly KeyValuePair<string, object?> WindowReplay = new("kind", "window");
    private static readonly KeyValuePair<string, object?> FullReplay = new("kind", "full");

    private static readonly double[] SecondsBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly double[] LatenessBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600];
    private static readonly int[] SizeBuckets = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 20_000];

    private readonly Counter<long> eventsIngested;
    private readonly Counter<long> eventsDuplicate;
    private readonly Counter<long> ingestRequests;
    private readonly Histogram<double> queueWait;
    private readonly Histogram<int> commitCommands;
    private readonly Histogram<int> commitEvents;
    private readonly Histogram<double> commitDuration;
    private readonly Counter<long> lateReplays;
    private readonly Histogram<double> sweeperLateness;
    private readonly Counter<long> webhookTries;
    private readonly Counter<long> liveKitCalls;

    private Func<int>? queueLength;
    private Func<(long Live, long EndingSoon)>? sessions;

    /// <summary>The instruments on the host's meter factory, or, without one, on a meter of their own.</summary>
    public CallscopeMetrics(IMeterFactory? factory = null)
    {
        var meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        eventsIngested = meter.CreateCounter<long>("callscope.events.ingested", "{event}",
            "Events stored, by source (a duplicate is not counted here).");
        eventsDuplicate = meter.CreateCounter<long>("callscope.events.duplicates", "{event}",
            "Events received again under an id already stored (acknowledged, not stored twice), by source.");
        ingestRequests = meter.CreateCounter<long>("callscope.ingest.requests", "{request}",
            "Ingest requests by source and outcome (accepted, invalid, unauthorized, forbidden, too_large, throttled, failed).");
        meter.CreateObservableUpDownCounter("callscope.writer.queue.length", () => queueLength?.Invoke() ?? 0, "{command}",
            "Write commands waiting for the writer.");
        queueWait = meter.CreateHistogram<double>("callscope.writer.queue.wait", "s",
            "Time a write command waited in the queue before its transaction began.", advice: new() { HistogramBucketBoundaries = SecondsBuckets });
        commitCommands = meter.CreateHistogram<int>("callscope.writer.commit.commands", "{command}",
            "Commands in one group-commit transaction.", advice: new() { HistogramBucketBoundaries = SizeBuckets });
        commitEvents = meter.CreateHistogram<int>("callscope.writer.commit.events", "{event}",
            "Events carried by one group-commit transaction (at most 20,000).", advice: new() { HistogramBucketBoundaries = SizeBuckets });
        commitDuration = meter.CreateHistogram<double>("callscope.writer.commit.duration", "s",
            "Time from the start of a group-commit transaction to its commit.", advice: new() { HistogramBucketBoundaries = SecondsBuckets });
        lateReplays = meter.CreateCounter<long>("callscope.writer.late_replays", "{replay}",
            "Late events put into a room's history: by replaying a window of it (kind=window) or all of it (kind=full).");
        meter.CreateObservableGauge("callscope.sessions.live", () => sessions?.Invoke().Live ?? 0, "{session}",
            "Live sessions with participants in them (all teams).");
        meter.CreateObservableGauge("callscope.sessions.ending_soon", () => sessions?.Invoke().EndingSoon ?? 0, "{session}",
            "Live sessions with no one left in them, waiting out their grace period (all teams).");
        sweeperLateness = meter.CreateHistogram<double>("callscope.sweeper.lateness", "s",
            "How long after its deadline a session's end was written by the sweeper.", advice: new() { HistogramBucketBoundaries = LatenessBuckets });
        webhookTries = meter.CreateCounter<long>("callscope.webhooks.tries", "{try}",
            "Webhook delivery tries by outcome: delivered, retry (another try is due), failed (no more tries).");
        liveKitCalls = meter.CreateCounter<long>("callscope.livekit.calls", "{call}",
            "Calls to LiveKit's room service by operation and outcome.");
    }

    /// <summary>Events a committed batch stored and the duplicates it named.</summary>
    public void EventsStored(IngestSource source, int stored, int duplicates)
    {
        var tag = SourceTags[(int)source];
        if (stored > 0)
        {
            eventsIngested.Add(stored, tag);
        }

        if (duplicates > 0)
        {
            eventsDuplicate.Add(duplicates, tag);
        }
    }

    /// <summary>One ingest request answered.</summary>
    public void IngestRequest(IngestSource source, IngestOutcome outcome)
    {
        if (ingestRequests.Enabled)
        {
            ingestRequests.Add(1, RequestTags[(int)source][(int)outcome]);
        }
    }

    /// <summary>A command left the queue for a transaction; <paramref name="queuedAt"/> is its <see cref="Stopwatch"/> timestamp.</summary>
    public void QueueWaited(long queuedAt, long now)
    {
        if (queuedAt != 0)
        {
            queueWait.Record(Stopwatch.GetElapsedTime(queuedAt, now).TotalSeconds);
        }
    }

    /// <summary>A group commit went through.</summary>
    public void Committed(int commands, int events, TimeSpan duration)
    {
        commitCommands.Record(commands);
        commitEvents.Record(events);
        commitDuration.Record(duration.TotalSeconds);
    }

    public void LateReplay(bool window) => lateReplays.Add(1, window ? WindowReplay : FullReplay);

    public void SessionEndWritten(TimeSpan lateness) => sweeperLateness.Record(Math.Max(0, lateness.TotalSeconds));

    public void WebhookTry(string outcome) => webhookTries.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void LiveKitCall(string operation, string outcome) =>
        liveKitCalls.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>Where the writer's queue length is read when the metrics are collected.</summary>
    public void ObserveQueue(Func<int> length) => queueLength = length;

    /// <summary>Where the live sessions are counted when the metrics are collected (a cached count: see <see cref="LiveSessionCounts"/>).</summary>
    public void ObserveSessions(Func<(long Live, long EndingSoon)> counts) => sessions = counts;
}
