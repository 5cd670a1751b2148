using Callscope.Core;
using Callscope.Core.Diagnosis;
using Callscope.Data.Diagnosis;
using Callscope.Server.Dashboard;
using Callscope.Server.Dashboard.Pictures;

namespace Callscope.Server.Tests.Dashboard;

/// <summary>Problems shaded on the quality chart: only those that meet the range shown, cut to it, warnings under errors.</summary>
public sealed class ProblemShadingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    private static readonly List<QualitySample> Samples = [.. Enumerable.Range(0, 121).Select(i => new QualitySample(T0.AddSeconds(5 * i), 1, 50))];

    private static IssueView Issue(string kind, IssueSeverity severity, int fromSeconds, int? toSeconds) => new(
        Guid.NewGuid().ToString(), new ParticipantId(Guid.NewGuid()), new SessionId(Guid.NewGuid()), new RoomId(Guid.NewGuid()), "Ana", "ana",
        kind, severity, T0.AddSeconds(fromSeconds), toSeconds is { } to ? T0.AddSeconds(to) : null, "c-ana",
        new IssueEvidence("packet_loss_pct", 3, 8, 7, []), "Packet loss averaged above 3 %.");

    [Fact]
    public void Problems_outside_the_range_shown_are_left_out_and_those_across_its_edges_are_cut_to_it()
    {
        var before = Issue(IssueKinds.HighPacketLoss, IssueSeverity.Warning, 0, 60);
        var across = Issue(IssueKinds.HighRtt, IssueSeverity.Warning, 100, 200);
        var ongoing = Issue(IssueKinds.MediaFailed, IssueSeverity.Error, 250, null);

        var chart = QualityChart.Build(Samples, T0.AddSeconds(150), T0.AddSeconds(350), [before, across, ongoing])!;

        Assert.Equal(["warning", "error"], chart.Problems.Select(p => p.Severity));
        var (cut, open) = (chart.Problems[0], chart.Problems[1]);
        Assert.Equal(QualityChart.Left, cut.X, 3);
        Assert.Equal(chart.Axis.X(T0.AddSeconds(200)), cut.X + cut.Width, 3);
        Assert.Equal(chart.Axis.X(T0.AddSeconds(250)), open.X, 3);
        Assert.Equal(QualityChart.Right, open.X + open.Width, 3);
        Assert.EndsWith("2 problems shaded over their time range.", chart.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_problem_of_an_instant_is_still_drawn_and_the_chart_without_problems_says_nothing_of_them()
    {
        var instant = Issue(IssueKinds.DeviceProblem, IssueSeverity.Error, 300, 300);

        var chart = QualityChart.Build(Samples, T0, T0.AddMinutes(10), [instant])!;
        var plain = QualityChart.Build(Samples, T0, T0.AddMinutes(10))!;

        Assert.Equal(3, Assert.Single(chart.Problems).Width);
        Assert.Contains("Camera or microphone problem (error), 00:05:00 – 00:05:00 (0 s)", chart.Problems[0].Title, StringComparison.Ordinal);
        Assert.Empty(plain.Problems);
        Assert.DoesNotContain("shaded", plain.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_come_before_warnings_then_the_order_they_started()
    {
        var late = Issue(IssueKinds.HighRtt, IssueSeverity.Warning, 10, 20);
        var early = Issue(IssueKinds.HighJitter, IssueSeverity.Warning, 5, 20);
        var error = Issue(IssueKinds.MediaFailed, IssueSeverity.Error, 50, null);

        Assert.Equal([error, early, late], IssueDisplay.WorstFirst([late, error, early]));
        Assert.Equal("2 problems, worst: error", IssueDisplay.Count(new IssueCounts(1, 1)));
        Assert.Equal("8 %", IssueDisplay.Value("packet_loss_pct", 8));
        Assert.Equal("55 s", IssueDisplay.Value("reconnect_seconds", 55));
    }
}
