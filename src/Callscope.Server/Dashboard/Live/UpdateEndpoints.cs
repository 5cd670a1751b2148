using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Callscope.Core;
using Callscope.Server.Auth;

namespace Callscope.Server.Dashboard.Live;

/// <summary>
/// <c>GET /dashboard/updates?since=N</c>: a server-sent event stream that says "changed" whenever the member's team
/// has new data, so open pages refresh their changing parts in place.
/// </summary>
public static class UpdateEndpoints
{
    /// <summary>Keeps idle connections open through proxies. It is network time, so it runs on the real clock.</summary>
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapDashboardUpdates(this IEndpointRouteBuilder app)
    {
        app.MapGet("/dashboard/updates", (long? since, HttpContext context, DashboardUpdates updates, IHostApplicationLifetime lifetime) =>
                TypedResults.ServerSentEvents(Changes(updates, context.User.TeamOf(), since ?? 0, lifetime.ApplicationStopping, context.RequestAborted)))
            .RequireAuthorization()
            .ExcludeFromDescription();
        return app;
    }

    private static async IAsyncEnumerable<SseItem<string>> Changes(
        DashboardUpdates updates, TeamId team, long since, CancellationToken stopping, [EnumeratorCancellation] CancellationToken aborted)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(stopping, aborted);
        using var subscription = updates.Subscribe(team);
        if (subscription.Version > since)
        {
            yield return Changed(subscription.Version);
        }

        while (!done.IsCancellationRequested)
        {
            var next = await subscription.NextAsync(KeepAlive, TimeProvider.System, done.Token);
            if (done.IsCancellationRequested)
            {
                yield break;
            }

            yield return next is { } version ? Changed(version) : new SseItem<string>(string.Empty, "ping");
        }
    }

    private static SseItem<string> Changed(long version) => new(version.ToString(System.Globalization.CultureInfo.InvariantCulture), "changed");
}
