using Callscope.Core.Diagnosis;
using Callscope.Core.Ingest;
using Callscope.Data.Sessions;
using Callscope.Server.Demo;
using Callscope.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Callscope.Server.Tests;

/// <summary>
/// The demo's problem calls, diagnosed from the events <c>--demo</c> sends: each problem participant shows the issues
/// the troubleshooting is about, and everyone else in the fortnight shows none, so the problems stand out.
/// </summary>
public sealed class DemoProblemsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Yesterday = new(Now.UtcDateTime.Date.AddDays(-1), TimeSpan.Zero);

    /// <summary>The history a first <c>--demo</c> run seeds, each participant's log apart (a room has one call a day).</summary>
    private static readonly IReadOnlyDictionary<(string Room, string Person, DateTime Day), IReadOnlyList<IncomingEvent>> Logs = History();

    [Fact]
    public void The_lossy_caller_has_high_packet_loss_jitter_and_a_low_mos_for_a_few_minutes_that_then_end()
    {
        var issues = Diagnose(ProblemCalls.LossyNetworkRoom, ProblemCalls.LossyNetwork);

        var loss = Assert.Single(issues, i => i.Kind == IssueKinds.HighPacketLoss);
        Assert.NotNull(loss.EndedAt);
        Assert.InRange(loss.EndedAt.Value - loss.StartedAt, TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(8));
        Assert.InRange(loss.Evidence.Worst!.Value, 5, 10);
        Assert.All([IssueKinds.HighJitter, IssueKinds.LowMos], kind =>
        {
            var issue = Assert.Single(issues, i => i.Kind == kind);
            Assert.NotNull(issue.EndedAt);
            Assert.True(issue.StartedAt < loss.EndedAt && issue.EndedAt > loss.StartedAt, $"{kind} is not during the loss.");
        });
        Assert.All(issues, i => Assert.Equal(IssueSeverity.Warning, i.Severity));
    }

    [Fact]
    public void The_reconnecting_participant_has_a_reconnect_storm_and_one_long_reconnect()
    {
        var issues = Diagnose(ProblemCalls.ReconnectingRoom, ProblemCalls.Reconnecting);

        var storm = Assert.Single(issues, i => i.Kind == IssueKinds.ReconnectStorm);
        Assert.True(storm.Evidence.Worst >= 3, $"The storm counted {storm.Evidence.Worst} reconnects.");
        Assert.NotNull(storm.EndedAt);
        var gap = Assert.Single(issues, i => i.Kind == IssueKinds.LongReconnect);
        Assert.True(gap.Evidence.Worst > 15, $"The long reconnect lasted {gap.Evidence.Worst} s.");
        Assert.InRange(gap.StartedAt, storm.StartedAt, storm.EndedAt.Value);
        var failed = Assert.Single(issues, i => i.Kind == IssueKinds.MediaFailed);
        Assert.InRange(failed.StartedAt, gap.StartedAt, gap.EndedAt!.Value);
        Assert.Equal(3, issues.Count);
    }

    [Fact]
    public void The_new_hires_denied_camera_is_a_device_problem_until_she_turns_video_on()
    {
        var issues = Diagnose(ProblemCalls.CameraDeniedRoom, ProblemCalls.CameraDenied);

        var issue = Assert.Single(issues);
        Assert.Equal(IssueKinds.DeviceProblem, issue.Kind);
        Assert.Equal(IssueSeverity.Error, issue.Severity);
        Assert.Equal("permission denied (camera)", Assert.Single(issue.Evidence.Samples).Detail);
        Assert.NotNull(issue.EndedAt);
        var videoOn = Assert.Single(Logs[(ProblemCalls.CameraDeniedRoom, ProblemCalls.CameraDenied, Yesterday.DateTime)], e => e.Type == "video_enabled");
        Assert.Equal(videoOn.Timestamp, issue.EndedAt);
    }

    [Fact]
    public void Everyone_else_in_the_fortnight_including_the_problem_calls_has_no_issue()
    {
        var problems = new[]
        {
            (ProblemCalls.LossyNetworkRoom, ProblemCalls.LossyNetwork),
            (ProblemCalls.ReconnectingRoom, ProblemCalls.Reconnecting),
            (ProblemCalls.CameraDeniedRoom, ProblemCalls.CameraDenied),
        };
        var others = Logs.Where(l => !problems.Contains((l.Key.Room, l.Key.Person))).ToList();

        Assert.True(others.Count > 50, $"The history holds {others.Count} other participants.");
        Assert.Equal(7, others.Count(l => l.Key.Day == Yesterday.DateTime && ProblemCalls.Rooms.Contains(l.Key.Room)));
        Assert.All(others, l =>
        {
            var issues = ParticipantDiagnosis.Diagnose(l.Value.Select(ToDiagnosis), DiagnosisThresholds.Default);
            Assert.True(issues.Count == 0, $"{l.Key.Person} in {l.Key.Room} on {l.Key.Day:yyyy-MM-dd}: {string.Join("; ", issues.Select(i => i.Summary))}");
        });
    }

    [Fact]
    public void The_live_support_caller_stays_on_and_their_packet_loss_is_raised_and_cleared_within_five_minutes()
    {
        var live = new LiveRooms(new DemoEvents(new Random(DemoData.Seed), new FakeTimeProvider(Now)), "run");
        var events = Enumerable.Range(0, 100).SelectMany(i => live.Step(Now.AddSeconds(3 * i)).ToList()).ToList();

        var caller = Assert.IsType<string>(live.LossyCaller);
        var log = events.Where(e => e.Room.FriendlyUrl == LiveRooms.LossyRoom && e.Participant!.Name == caller).ToList();
        Assert.DoesNotContain(log, e => e.Type == "participant_left");
        var losses = ParticipantDiagnosis.Diagnose(log.Select(ToDiagnosis), DiagnosisThresholds.Default).Where(i => i.Kind == IssueKinds.HighPacketLoss);
        var loss = Assert.Single(losses);
        var joined = log[0].Timestamp;
        Assert.InRange(loss.StartedAt - joined, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2));
        Assert.InRange(loss.EndedAt!.Value - joined, TimeSpan.FromMinutes(2.5), TimeSpan.FromMinutes(3.5));
    }

    [Fact]
    public void In_an_hour_of_live_rooms_everyone_but_the_lossy_caller_comes_and_goes_without_an_issue()
    {
        var live = new LiveRooms(new DemoEvents(new Random(DemoData.Seed), new FakeTimeProvider(Now)), "run");
        var events = Enumerable.Range(0, 1200).SelectMany(i => live.Step(Now.AddSeconds(3 * i)).ToList()).ToList();

        var others = events
            .Where(e => e.Room.FriendlyUrl != LiveRooms.LossyRoom || e.Participant!.Name != live.LossyCaller)
            .GroupBy(e => (Room: e.Room.FriendlyUrl, Person: e.Participant!.Name))
            .ToList();
        Assert.Contains(others, g => g.Count(e => e.Type == "participant_joined") > 2);
        Assert.All(others, g =>
        {
            var issues = ParticipantDiagnosis.Diagnose(g.Select(ToDiagnosis), DiagnosisThresholds.Default);
            Assert.True(issues.Count == 0, $"{g.Key.Person} in {g.Key.Room}: {string.Join("; ", issues.Select(i => i.Summary))}");
        });
    }

    [Fact]
    public async Task Read_back_from_the_store_each_participants_log_gives_the_same_issues()
    {
        await using var app = new CallscopeApp();
        var demo = ActivatorUtilities.CreateInstance<DemoData>(app.Services);
        await demo.StartAsync(TestContext.Current.CancellationToken);
        Dictionary<string, List<string>> kinds;
        try
        {
            await demo.FirstStep.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
            await app.SettleAsync();
            var queries = app.Services.GetRequiredService<SessionQueries>();
            var ended = queries.Participants(app.TeamId, new ParticipantFilter(Live: false), new Paging(Limit: int.MaxValue)).Data;
            kinds = ended.ToDictionary(
                p => $"{p.Name} in {p.RoomFriendlyUrl} at {p.JoinTime:yyyy-MM-dd HH:mm}",
                p => ParticipantDiagnosis.Diagnose(
                        queries.Events(app.TeamId, p, null, new Paging(Limit: int.MaxValue, Descending: false)).Data
                            .Select(e => DiagnosisEvent.FromJson(e.Id, e.Type, e.Timestamp, e.ConnectionId, e.DataJson)),
                        DiagnosisThresholds.Default)
                    .Select(i => i.Kind).Distinct().Order(StringComparer.Ordinal).ToList());
        }
        finally
        {
            await demo.StopAsync(CancellationToken.None);
            demo.Dispose();
        }

        var withIssues = kinds.Where(k => k.Value.Count > 0).ToDictionary(k => k.Key.Split(" in ")[0], k => k.Value);
        Assert.Equal(
            new[] { ProblemCalls.LossyNetwork, ProblemCalls.Reconnecting, ProblemCalls.CameraDenied }.Order(StringComparer.Ordinal),
            withIssues.Keys.Order(StringComparer.Ordinal));
        Assert.Superset(
            new HashSet<string> { IssueKinds.HighPacketLoss, IssueKinds.HighJitter, IssueKinds.LowMos },
            withIssues[ProblemCalls.LossyNetwork].ToHashSet());
        Assert.Equal([IssueKinds.DeviceProblem], withIssues[ProblemCalls.CameraDenied]);
        Assert.Equal([IssueKinds.LongReconnect, IssueKinds.MediaFailed, IssueKinds.ReconnectStorm], withIssues[ProblemCalls.Reconnecting]);
        Assert.True(kinds.Count > 50, $"The store holds {kinds.Count} ended participants.");
    }

    private static IReadOnlyList<DiagnosedIssue> Diagnose(string room, string person) =>
        ParticipantDiagnosis.Diagnose(Logs[(room, person, Yesterday.DateTime)].Select(ToDiagnosis), DiagnosisThresholds.Default);

    private static DiagnosisEvent ToDiagnosis(IncomingEvent e) =>
        DiagnosisEvent.FromJson(e.Id, e.Type, e.Timestamp, e.Participant?.ConnectionId, e.DataJson);

    private static Dictionary<(string Room, string Person, DateTime Day), IReadOnlyList<IncomingEvent>> History()
    {
        var demo = new DemoEvents(new Random(DemoData.Seed), new FakeTimeProvider(Now));
        return DemoHistory.Build(demo, Now)
            .SelectMany(day => day)
            .GroupBy(e => (e.Room.FriendlyUrl!, e.Participant!.Name!, e.Timestamp.UtcDateTime.Date))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<IncomingEvent>)[.. g]);
    }
}
