using Callscope.Core.Diagnosis;
using Callscope.Core.Tests.Support;

namespace Callscope.Core.Tests;

/// <summary>Reconnect storms and long reconnects over recorded joins, leaves and reconnects.</summary>
public sealed class PresenceDetectorTests
{
    private static ParticipantScript Rejoins(params double[] seconds)
    {
        var script = new ParticipantScript().Event("participant_joined", 0, connection: "c0");
        for (var i = 0; i < seconds.Length; i++)
        {
            script.Event("participant_left", seconds[i] - 1, new { reason = "network" }, $"c{i}")
                .Event("participant_joined", seconds[i], connection: $"c{i + 1}");
        }

        return script;
    }

    [Fact]
    public void Three_rejoins_within_ten_minutes_are_a_reconnect_storm()
    {
        var script = Rejoins(60, 300, 600).Sample(1300, new { rtt_ms = 20 }, "c3");

        var issue = Assert.Single(script.Issues(IssueKinds.ReconnectStorm));

        Assert.Equal(IssueSeverity.Error, issue.Severity);
        Assert.Equal(ParticipantScript.At(60), issue.StartedAt);
        Assert.Equal(ParticipantScript.At(660), issue.EndedAt);
        Assert.Equal("c3", issue.ConnectionId);
        Assert.Equal(3, issue.Evidence.Count);
        Assert.Equal(3, issue.Evidence.Threshold);
        Assert.Equal("The participant reconnected 3 times, up to 3 within 10 minutes.", issue.Summary);
    }

    [Fact]
    public void Three_rejoins_just_over_ten_minutes_apart_are_no_storm()
    {
        var script = Rejoins(60, 300, 661);

        Assert.Empty(script.Issues(IssueKinds.ReconnectStorm));
    }

    [Fact]
    public void A_storm_is_ongoing_until_a_later_event_shows_its_window_passed()
    {
        var script = Rejoins(60, 70, 80).Sample(600, new { rtt_ms = 20 }, "c3");

        var issue = Assert.Single(script.Issues(IssueKinds.ReconnectStorm));

        Assert.Null(issue.EndedAt);
    }

    [Fact]
    public void A_storm_of_a_participant_who_left_ends_at_the_leave()
    {
        var script = Rejoins(60, 70, 80).Event("participant_left", 90, new { reason = "left" }, "c3");

        var issue = Assert.Single(script.Issues(IssueKinds.ReconnectStorm));

        Assert.Equal(ParticipantScript.At(90), issue.EndedAt);
    }

    [Fact]
    public void Reconnects_close_together_make_one_storm_however_many_there_are()
    {
        var script = Rejoins(60, 120, 180, 240, 300, 360).Sample(2000, new { rtt_ms = 20 }, "c6");

        var issue = Assert.Single(script.Issues(IssueKinds.ReconnectStorm));

        Assert.Equal(6, issue.Evidence.Count);
        Assert.Equal(ParticipantScript.At(240 + 600), issue.EndedAt);
    }

    [Fact]
    public void A_reconnecting_and_the_join_it_announced_count_as_one_reconnect()
    {
        var script = new ParticipantScript().Event("participant_joined", 0, connection: "c0")
            .Event("participant_reconnecting", 10, connection: "c0").Event("participant_left", 12, new { reason = "network" }, "c0")
            .Event("participant_joined", 14, connection: "c1")
            .Event("participant_reconnecting", 20, connection: "c1").Event("participant_reconnected", 22, connection: "c1");

        Assert.Empty(script.Issues(IssueKinds.ReconnectStorm));

        script.Event("participant_reconnecting", 30, connection: "c1");

        Assert.Single(script.Issues(IssueKinds.ReconnectStorm));
    }

    [Fact]
    public void A_connection_lost_for_the_network_and_back_after_more_than_15_seconds_is_a_long_reconnect()
    {
        var script = new ParticipantScript().Event("participant_joined", 0, connection: "c0")
            .Event("participant_left", 100, new { reason = "network" }, "c0")
            .Event("participant_joined", 122, connection: "c1");

        var issue = Assert.Single(script.Issues(IssueKinds.LongReconnect));

        Assert.Equal(IssueSeverity.Error, issue.Severity);
        Assert.Equal(ParticipantScript.At(100), issue.StartedAt);
        Assert.Equal(ParticipantScript.At(122), issue.EndedAt);
        Assert.Equal("c0", issue.ConnectionId);
        Assert.Equal(22, issue.Evidence.Worst);
        Assert.Equal(15, issue.Evidence.Threshold);
        Assert.Equal("The connection was lost for 22 s before the participant was back.", issue.Summary);
    }

    [Fact]
    public void Back_after_exactly_15_seconds_or_after_a_plain_leave_is_no_long_reconnect()
    {
        var fifteen = new ParticipantScript().Event("participant_joined", 0, connection: "c0")
            .Event("participant_left", 100, new { reason = "network" }, "c0").Event("participant_joined", 115, connection: "c1");
        var leftOnPurpose = new ParticipantScript().Event("participant_joined", 0, connection: "c0")
            .Event("participant_left", 100, new { reason = "left" }, "c0").Event("participant_joined", 300, connection: "c1");

        Assert.Empty(fifteen.Issues(IssueKinds.LongReconnect));
        Assert.Empty(leftOnPurpose.Issues(IssueKinds.LongReconnect));
    }

    [Fact]
    public void A_long_reconnect_counts_from_the_reconnecting_that_announced_the_loss()
    {
        var inPlace = new ParticipantScript().Event("participant_joined", 0)
            .Event("participant_reconnecting", 50).Event("participant_reconnected", 70);
        var dropped = new ParticipantScript().Event("participant_joined", 0, connection: "c0")
            .Event("participant_reconnecting", 50, connection: "c0").Event("participant_left", 60, new { reason = "network" }, "c0")
            .Event("participant_joined", 70, connection: "c1");

        Assert.Equal(20, Assert.Single(inPlace.Issues(IssueKinds.LongReconnect)).Evidence.Worst);
        Assert.Equal(ParticipantScript.At(50), Assert.Single(dropped.Issues(IssueKinds.LongReconnect)).StartedAt);
    }
}
