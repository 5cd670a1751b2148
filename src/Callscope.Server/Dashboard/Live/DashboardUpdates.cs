using System.Collections.Concurrent;
using System.Threading.Channels;
using Callscope.Core;
using Callscope.Data.Writing;

namespace Callscope.Server.Dashboard.Live;

/// <summary>
/// Fans the writer's commits out to the dashboard pages each team has open. Every commit that touches a team bumps
/// that team's version; a page remembers the version it was rendered at, so a change that lands between rendering
/// and subscribing is not missed.
/// </summary>
public sealed class DashboardUpdates : IDisposable
{
    private readonly IngestPipeline pipeline;
    private readonly ConcurrentDictionary<TeamId, Feed> feeds = new();

    public DashboardUpdates(IngestPipeline pipeline)
    {
        this.pipeline = pipeline;
        pipeline.Committed += OnCommitted;
    }

    public long VersionOf(TeamId team) => feeds.TryGetValue(team, out var feed) ? feed.Version : 0;

    public Subscription Subscribe(TeamId team) => feeds.GetOrAdd(team, _ => new Feed()).Add();

    public void Dispose() => pipeline.Committed -= OnCommitted;

    // Runs on the writer's thread right after a commit: it only signals, never waits.
    private void OnCommitted(IReadOnlyCollection<TeamId> teams)
    {
        foreach (var team in teams)
        {
            feeds.GetOrAdd(team, _ => new Feed()).Bump();
        }
    }

    internal sealed class Feed
    {
        private readonly Lock gate = new();
        private readonly List<Channel<long>> listeners = [];
        private long version;

        public long Version => Interlocked.Read(ref version);

        public Subscription Add()
        {
            // One slot that keeps only the newest version: a slow page skips to the latest state instead of queueing.
            var channel = Channel.CreateBounded<long>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
            lock (gate)
            {
                listeners.Add(channel);
            }

            return new Subscription(this, channel);
        }

        public void Remove(Channel<long> channel)
        {
            lock (gate)
            {
                listeners.Remove(channel);
            }
        }

        public void Bump()
        {
            var current = Interlocked.Increment(ref version);
            lock (gate)
            {
                foreach (var listener in listeners)
                {
                    listener.Writer.TryWrite(current);
                }
            }
        }
    }

    /// <summary>One open page's view of its team's changes.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly Feed feed;
        private readonly Channel<long> channel;

        internal Subscription(Feed feed, Channel<long> channel)
        {
            this.feed = feed;
            this.channel = channel;
        }

        /// <summary>The team's version now (read after subscribing, so no later change can slip past).</summary>
        public long Version => feed.Version;

        /// <summary>The next version after a change, or null when <paramref name="patience"/> passes without one or the wait is cancelled.</summary>
        public async Task<long?> NextAsync(TimeSpan patience, TimeProvider timer, CancellationToken cancellationToken)
        {
            using var timeout = new CancellationTokenSource(patience, timer);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                return await channel.Reader.ReadAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }

        public void Dispose() => feed.Remove(channel);
    }
}
