using Callscope.Data.Sessions;
using Callscope.Server.Demo;
using Callscope.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Callscope.Dashboard.Tests;

/// <summary><c>--demo</c> as a newcomer runs it: twice on the same data folder.</summary>
public sealed class DemoDataTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_second_demo_run_on_the_same_data_closes_the_first_runs_calls_and_every_participant_has_a_role()
    {
        var folder = Path.Combine(Path.GetTempPath(), "callscope-tests", Guid.NewGuid().ToString("N"));
        string? database;
        await using (var first = new CallscopeApp(folder, keepData: true))
        {
            database = first.PostgresConnectionString;
            await RunDemoAsync(first, () =>
            {
                var firstRun = LiveParticipants(first);
                Assert.NotEmpty(firstRun);
                var everyone = first.Services.GetRequiredService<SessionQueries>()
                    .Participants(first.TeamId, new ParticipantFilter(), new Paging(Limit: int.MaxValue)).Data;
                Assert.True(everyone.Count > firstRun.Count, "The demo seeded no history.");
                Assert.All(everyone, p => Assert.True(p.Role is "moderator" or "attendee", $"{p.Name} has the role {p.Role ?? "null"}."));
                Assert.Contains(everyone, p => p.Role == "moderator");
                Assert.Contains(everyone, p => p.Role == "attendee");
                return Task.CompletedTask;
            });
        }

        // An hour later (the clock of a new process starts where the test puts it), on the same data: the same folder,
        // or the same PostgreSQL database when the suite runs on PostgreSQL.
        await using var second = new CallscopeApp(folder, postgres: database);
        var restart = CallscopeApp.Start.AddHours(1);
        second.Clock.SetUtcNow(restart);
        await RunDemoAsync(second, async () =>
        {
            await second.SettleAsync();
            var live = LiveParticipants(second);
            Assert.NotEmpty(live);
            Assert.All(live, p => Assert.Equal(restart, p.JoinTime));
            var queries = second.Services.GetRequiredService<SessionQueries>();

            // The first run's calls ended when that run stopped: its people left at their last event, and the
            // sessions ended a grace period later.
            var previous = queries.List(second.TeamId, new SessionFilter(Live: false, From: CallscopeApp.Start.AddMinutes(-1)), new Paging(Limit: 100)).Data;
            Assert.Equal(3, previous.Count);
            Assert.All(previous, s =>
            {
                Assert.Equal("grace_expired", s.EndReason);
                Assert.Equal(CallscopeApp.Start.AddSeconds(s.GracePeriodSeconds), s.End);
                Assert.Equal(0, s.ParticipantsLive);
            });
            var current = second.Services.GetRequiredService<DashboardQueries>().Live(second.TeamId);
            Assert.Equal(live.Count, current.LiveParticipants);
        });
    }

    private static async Task RunDemoAsync(CallscopeApp app, Func<Task> whileRunning)
    {
        var demo = ActivatorUtilities.CreateInstance<DemoData>(app.Services);
        await demo.StartAsync(Cancellation);
        try
        {
            await demo.FirstStep.WaitAsync(TimeSpan.FromMinutes(2), Cancellation);
            await whileRunning();
        }
        finally
        {
            await demo.StopAsync(CancellationToken.None);
            demo.Dispose();
        }
    }

    private static IReadOnlyList<ParticipantView> LiveParticipants(CallscopeApp app) =>
        app.Services.GetRequiredService<SessionQueries>().Participants(app.TeamId, new ParticipantFilter(Live: true), new Paging(Limit: int.MaxValue)).Data;
}
