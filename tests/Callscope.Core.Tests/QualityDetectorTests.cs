using Callscope.Core.Diagnosis;
using Callscope.Core.Tests.Support;

namespace Callscope.Core.Tests;

/// <summary>The network-quality detectors over recorded sample sequences: raised, not raised just under, cleared.</summary>
public sealed class QualityDetectorTests
{
    [Fact]
    public void High_rtt_is_raised_when_three_of_the_last_five_samples_are_above_400_ms()
    {
        var script = new ParticipantScript().Samples(0, "rtt_ms", 120, 450, 130, 500, 620);

        var issue = Assert.Single(script.Issues(IssueKinds.HighRtt));

        Assert.Equal(IssueSeverity.Warning, issue.Severity);
        Assert.Equal(ParticipantScript.At(5), issue.StartedAt);
        Assert.Null(issue.EndedAt);
        Assert.Equal("conn-1", issue.ConnectionId);
        Assert.Equal("rtt_ms", issue.Evidence.Metric);
        Assert.Equal(400, issue.Evidence.Threshold);
        Assert.Equal(620, issue.Evidence.Worst);
        Assert.Equal([450, 500, 620], issue.Evidence.Samples.Select(s => s.Value!.Value));
        Assert.Equal("Round-trip time was above 400 ms in 3 sample(s), up to 620 ms.", issue.Summary);
    }

    [Fact]
    public void High_rtt_is_not_raised_at_exactly_400_ms_nor_with_two_of_five_above()
    {
        var atThreshold = new ParticipantScript().Samples(0, "rtt_ms", 400, 400, 400, 400, 400);
        var twoOfFive = new ParticipantScript().Samples(0, "rtt_ms", 900, 100, 900, 100, 100, 900, 100, 100);

        Assert.Empty(atThreshold.Issues(IssueKinds.HighRtt));
        Assert.Empty(twoOfFive.Issues(IssueKinds.HighRtt));
    }

    [Fact]
    public void A_sustained_high_rtt_is_one_issue_that_clears_at_the_sample_where_fewer_than_three_of_five_cross()
    {
        var script = new ParticipantScript().Samples(0, "rtt_ms", 500, 500, 500, 500, 500, 500, 100, 100, 100, 100);

        var issue = Assert.Single(script.Issues(IssueKinds.HighRtt));

        Assert.Equal(ParticipantScript.At(0), issue.StartedAt);
        Assert.Equal(ParticipantScript.At(40), issue.EndedAt);
        Assert.Equal(6, issue.Evidence.Count);
    }

    [Fact]
    public void An_issue_on_a_connection_ends_at_its_leave()
    {
        var script = new ParticipantScript().Samples(0, "rtt_ms", 500, 500, 500).Event("participant_left", 12, new { reason = "left" });

        var issue = Assert.Single(script.Issues(IssueKinds.HighRtt));

        Assert.Equal(ParticipantScript.At(12), issue.EndedAt);
    }

    [Fact]
    public void Each_connection_has_its_own_window()
    {
        var script = new ParticipantScript()
            .Sample(0, new { rtt_ms = 500 }, "a").Sample(1, new { rtt_ms = 500 }, "b")
            .Sample(5, new { rtt_ms = 500 }, "a").Sample(6, new { rtt_ms = 100 }, "b")
            .Sample(10, new { rtt_ms = 100 }, "a").Sample(11, new { rtt_ms = 500 }, "b");

        Assert.Empty(script.Issues(IssueKinds.HighRtt));
    }

    [Fact]
    public void High_jitter_is_raised_above_30_ms_in_three_of_five_and_clears()
    {
        var raised = new ParticipantScript().Samples(0, "jitter_ms", 31, 5, 45, 31, 2, 2, 2);
        var under = new ParticipantScript().Samples(0, "jitter_ms", 30, 30, 30, 30, 30);

        var issue = Assert.Single(raised.Issues(IssueKinds.HighJitter));

        Assert.Equal(ParticipantScript.At(0), issue.StartedAt);
        Assert.Equal(ParticipantScript.At(25), issue.EndedAt);
        Assert.Equal(45, issue.Evidence.Worst);
        Assert.Empty(under.Issues(IssueKinds.HighJitter));
    }

    [Fact]
    public void High_packet_loss_is_raised_when_the_average_of_seven_samples_is_above_3_percent()
    {
        var script = new ParticipantScript().Samples(0, "packet_loss_pct", 0, 0, 0, 10, 5, 5, 2);

        var issue = Assert.Single(script.Issues(IssueKinds.HighPacketLoss));

        Assert.Equal(ParticipantScript.At(0), issue.StartedAt);
        Assert.Null(issue.EndedAt);
        Assert.Equal(3, issue.Evidence.Threshold);
        Assert.Equal(10, issue.Evidence.Worst);
        Assert.Equal(7, issue.Evidence.Count);
    }

    [Fact]
    public void High_packet_loss_is_not_raised_at_an_average_of_exactly_3_percent_nor_before_seven_samples()
    {
        var atThreshold = new ParticipantScript().Samples(0, "packet_loss_pct", 3, 3, 3, 3, 3, 3, 3);
        var tooFew = new ParticipantScript().Samples(0, "packet_loss_pct", 50, 50, 50, 50, 50, 50);

        Assert.Empty(atThreshold.Issues(IssueKinds.HighPacketLoss));
        Assert.Empty(tooFew.Issues(IssueKinds.HighPacketLoss));
    }

    [Fact]
    public void High_packet_loss_clears_at_the_sample_that_brings_the_average_down_to_3_percent()
    {
        var script = new ParticipantScript().Samples(0, "packet_loss_pct", 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 0, 0);

        var issue = Assert.Single(script.Issues(IssueKinds.HighPacketLoss));

        Assert.Equal(ParticipantScript.At(35), issue.EndedAt);
    }

    [Fact]
    public void Low_mos_reads_the_samples_own_mos_below_3_5_in_three_of_five()
    {
        var raised = new ParticipantScript().Samples(0, "mos", 4.2, 3.4, 3.1, 3.49, 4.3, 4.3, 4.3);
        var under = new ParticipantScript().Samples(0, "mos", 3.5, 3.5, 3.5, 3.5, 3.5);

        var issue = Assert.Single(raised.Issues(IssueKinds.LowMos));

        Assert.Equal(ParticipantScript.At(5), issue.StartedAt);
        Assert.Equal(ParticipantScript.At(30), issue.EndedAt);
        Assert.Equal(3.1, issue.Evidence.Worst);
        Assert.Empty(under.Issues(IssueKinds.LowMos));
    }

    [Fact]
    public void Low_mos_is_estimated_from_rtt_jitter_and_loss_when_the_sample_has_no_mos()
    {
        var lossy = new { rtt_ms = 100, jitter_ms = 10, packet_loss_pct = 12 };
        var clean = new { rtt_ms = 100, jitter_ms = 10, packet_loss_pct = 0 };
        var script = new ParticipantScript().Sample(0, lossy).Sample(5, lossy).Sample(10, lossy).Sample(15, clean).Sample(20, clean).Sample(25, clean);

        var issue = Assert.Single(script.Issues(IssueKinds.LowMos));

        Assert.Equal(Math.Round(MosEstimate.From(100, 10, 12), 2), issue.Evidence.Worst);
        Assert.Equal(ParticipantScript.At(25), issue.EndedAt);
    }

    [Fact]
    public void Thresholds_are_settings()
    {
        var script = new ParticipantScript().Samples(0, "rtt_ms", 250, 250, 250);

        Assert.Empty(script.Issues(IssueKinds.HighRtt));
        Assert.Single(script.Issues(IssueKinds.HighRtt, DiagnosisThresholds.Default with { RttMs = 200 }));
    }
}
