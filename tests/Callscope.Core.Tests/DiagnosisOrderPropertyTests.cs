using System.Collections.Concurrent;
using Callscope.Core.Diagnosis;
using Callscope.Core.Tests.Support;
using CsCheck;

namespace Callscope.Core.Tests;

/// <summary>
/// The diagnosis over generated participants depends only on the set of events: whatever the arrival order and
/// however often an event was delivered, the issues are the same. Set <c>CALLSCOPE_PROPERTY_ITERATIONS</c> to run
/// more than <see cref="PropertyRuns.DefaultIterations"/> cases.
/// </summary>
public sealed class DiagnosisOrderPropertyTests
{
    [Fact]
    public void Every_arrival_order_with_duplicates_gives_the_issues_of_the_event_set()
    {
        ParticipantHistories.Histories.Sample(history =>
        {
            var fromTheSet = ParticipantDiagnosis.Diagnose(history.Events);
            var asDelivered = ParticipantDiagnosis.Diagnose(history.Arrivals);

            PropertyRuns.SameSessions("issues", ParticipantHistories.Describe(fromTheSet), ParticipantHistories.Describe(asDelivered));
        }, writeLine: PropertyRuns.Report, iter: PropertyRuns.Iterations, print: history => history.ToString());
    }

    [Fact]
    public void Every_issue_ends_at_or_after_its_start_and_keeps_its_evidence_within_bounds()
    {
        ParticipantHistories.Histories.Sample(history =>
        {
            foreach (var issue in ParticipantDiagnosis.Diagnose(history.Arrivals))
            {
                Assert.True(issue.EndedAt is null || issue.EndedAt >= issue.StartedAt, ParticipantHistories.Describe([issue]));
                Assert.InRange(issue.Evidence.Samples.Count, 1, Math.Min(issue.Evidence.Count, ParticipantDiagnosis.MaxEvidenceSamples));
                Assert.Contains(issue.Kind, IssueKinds.All);
            }
        }, writeLine: PropertyRuns.Report, iter: PropertyRuns.Iterations, print: history => history.ToString());
    }

    /// <summary>Guards the generator: a property over participants that never raise a kind proves nothing about it.</summary>
    [Fact]
    public void Generated_participants_raise_every_kind_of_issue_and_clear_them()
    {
        var reached = new ConcurrentDictionary<string, int>();

        ParticipantHistories.Histories.Sample(history =>
        {
            foreach (var issue in ParticipantDiagnosis.Diagnose(history.Events))
            {
                reached.AddOrUpdate(issue.Kind + (issue.EndedAt is null ? " ongoing" : " ended"), 1, (_, count) => count + 1);
            }
        }, iter: PropertyRuns.DefaultIterations);

        var expected = IssueKinds.All.Select(k => k + " ended")
            .Concat(IssueKinds.All.Where(k => k != IssueKinds.LongReconnect).Select(k => k + " ongoing"));
        Assert.Empty(expected.Except(reached.Keys));
    }
}
