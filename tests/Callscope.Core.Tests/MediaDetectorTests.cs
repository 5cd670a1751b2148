using Callscope.Core.Diagnosis;
using Callscope.Core.Tests.Support;

namespace Callscope.Core.Tests;

/// <summary>Media failures, device problems, limited quality, relays and silent audio over recorded events.</summary>
public sealed class MediaDetectorTests
{
    [Fact]
    public void A_media_connection_failure_is_an_error_until_the_connection_is_back()
    {
        var script = new ParticipantScript().Event("participant_joined", 0)
            .Event("media_connection_failed", 30, new { code = "ICE_FAILED", message = "ICE connection failed" })
            .Event("participant_reconnected", 42);

        var issue = Assert.Single(script.Issues(IssueKinds.MediaFailed));

        Assert.Equal(IssueSeverity.Error, issue.Severity);
        Assert.Equal(ParticipantScript.At(30), issue.StartedAt);
        Assert.Equal(ParticipantScript.At(42), issue.EndedAt);
        Assert.Equal("ICE_FAILED", Assert.Single(issue.Evidence.Samples).Detail);
        Assert.Equal("The media connection failed (ICE_FAILED).", issue.Summary);
    }

    [Fact]
    public void A_failed_peer_connection_state_raises_media_failed_and_a_connected_one_clears_it()
    {
        var script = new ParticipantScript()
            .Sample(0, new { connection_state = "connected" })
            .Sample(5, new { connection_state = "failed" })
            .Sample(10, new { connection_state = "failed" })
            .Sample(15, new { connection_state = "connected" });

        var issue = Assert.Single(script.Issues(IssueKinds.MediaFailed));

        Assert.Equal(ParticipantScript.At(5), issue.StartedAt);
        Assert.Equal(ParticipantScript.At(15), issue.EndedAt);
        Assert.Equal(2, issue.Evidence.Count);
    }

    [Fact]
    public void Samples_with_a_connection_that_never_failed_raise_no_media_failure()
    {
        var script = new ParticipantScript().Sample(0, new { connection_state = "connected" }).Sample(5, new { connection_state = "disconnected" });

        Assert.Empty(script.Issues(IssueKinds.MediaFailed));
    }

    [Fact]
    public void A_media_failure_followed_by_the_leave_ends_there()
    {
        var script = new ParticipantScript().Event("media_connection_failed", 30).Event("participant_left", 40, new { reason = "error" });

        var issue = Assert.Single(script.Issues(IssueKinds.MediaFailed));

        Assert.Equal(ParticipantScript.At(40), issue.EndedAt);
        Assert.Equal("media_connection_failed", Assert.Single(issue.Evidence.Samples).Detail);
    }

    [Fact]
    public void A_denied_camera_permission_is_a_device_problem_until_video_starts()
    {
        var script = new ParticipantScript()
            .Event("media_permissions_failed", 5, new { code = "NotAllowedError", device = "camera" })
            .Event("video_enabled", 65);

        var issue = Assert.Single(script.Issues(IssueKinds.DeviceProblem));

        Assert.Equal(IssueSeverity.Error, issue.Severity);
        Assert.Equal(ParticipantScript.At(5), issue.StartedAt);
        Assert.Equal(ParticipantScript.At(65), issue.EndedAt);
        Assert.Equal("A camera or microphone could not be used: permission denied (camera).", issue.Summary);
    }

    [Theory]
    [InlineData("no_device", "no device")]
    [InlineData("NotReadableError", "device in use")]
    [InlineData("device-lost", "device lost")]
    public void Device_errors_name_what_went_wrong(string code, string meaning)
    {
        var script = new ParticipantScript().Event("app_error", 5, new { code });

        Assert.Equal(meaning, Assert.Single(Assert.Single(script.Issues(IssueKinds.DeviceProblem)).Evidence.Samples).Detail);
    }

    [Fact]
    public void A_device_change_or_an_error_without_a_device_code_is_no_device_problem()
    {
        var script = new ParticipantScript()
            .Event("media_device_changed", 5, new { device = "microphone" })
            .Event("app_error", 6, new { code = "TOKEN_EXPIRED" });

        Assert.Empty(script.Issues(IssueKinds.DeviceProblem));
    }

    [Fact]
    public void Video_limited_by_bandwidth_for_30_seconds_is_limited_quality()
    {
        var script = new ParticipantScript()
            .Sample(0, new { quality_limitation = "bandwidth" }).Sample(10, new { quality_limitation = "bandwidth" })
            .Sample(20, new { quality_limitation = "cpu" }).Sample(30, new { quality_limitation = "bandwidth" })
            .Sample(40, new { quality_limitation = "bandwidth" }).Sample(50, new { quality_limitation = "none" });

        var issue = Assert.Single(script.Issues(IssueKinds.LimitedQuality));

        Assert.Equal(IssueSeverity.Warning, issue.Severity);
        Assert.Equal(ParticipantScript.At(0), issue.StartedAt);
        Assert.Equal(ParticipantScript.At(50), issue.EndedAt);
        Assert.Equal(30, issue.Evidence.Threshold);
        Assert.Equal(40, issue.Evidence.Worst);
        Assert.Equal("Sent video was limited by bandwidth and cpu for 40 s.", issue.Summary);
    }

    [Fact]
    public void Video_limited_for_just_under_30_seconds_is_not_limited_quality()
    {
        var script = new ParticipantScript()
            .Sample(0, new { quality_limitation = "bandwidth" }).Sample(29.9, new { quality_limitation = "bandwidth" })
            .Sample(35, new { quality_limitation = "none" }).Sample(40, new { quality_limitation = "cpu" }).Sample(65, new { quality_limitation = "cpu" });

        Assert.Empty(script.Issues(IssueKinds.LimitedQuality));
    }

    [Fact]
    public void Media_through_a_relay_is_a_warning_that_clears_on_a_direct_path()
    {
        var script = new ParticipantScript()
            .Sample(0, new { candidate_type = "relay" }).Sample(5, new { candidate_type = "relay" }).Sample(10, new { candidate_type = "srflx" });
        var direct = new ParticipantScript().Sample(0, new { candidate_type = "host" }).Sample(5, new { candidate_type = "prflx" });

        var issue = Assert.Single(script.Issues(IssueKinds.Relayed));

        Assert.Equal(IssueSeverity.Warning, issue.Severity);
        Assert.Equal(ParticipantScript.At(0), issue.StartedAt);
        Assert.Equal(ParticipantScript.At(10), issue.EndedAt);
        Assert.Empty(direct.Issues(IssueKinds.Relayed));
    }

    [Fact]
    public void Audio_enabled_with_nothing_sent_or_received_for_30_seconds_is_silent_media()
    {
        var script = new ParticipantScript().Event("audio_enabled", 0)
            .Sample(5, new { audio_bitrate_up_kbps = 0, audio_bitrate_down_kbps = 0 })
            .Sample(20, new { audio_bitrate_up_kbps = 0, audio_bitrate_down_kbps = 0 })
            .Sample(35, new { audio_bitrate_up_kbps = 0, audio_bitrate_down_kbps = 0 })
            .Sample(40, new { audio_bitrate_up_kbps = 32, audio_bitrate_down_kbps = 0 });

        var issue = Assert.Single(script.Issues(IssueKinds.SilentMedia));

        Assert.Equal(ParticipantScript.At(5), issue.StartedAt);
        Assert.Equal(ParticipantScript.At(40), issue.EndedAt);
        Assert.Equal(30, issue.Evidence.Worst);
    }

    [Fact]
    public void Silence_for_just_under_30_seconds_or_with_audio_disabled_is_not_silent_media()
    {
        var brief = new ParticipantScript().Event("audio_enabled", 0)
            .Sample(5, new { bitrate_up_kbps = 0, bitrate_down_kbps = 0 }).Sample(34.9, new { bitrate_up_kbps = 0, bitrate_down_kbps = 0 });
        var muted = new ParticipantScript().Event("audio_enabled", 0).Event("audio_disabled", 1)
            .Sample(5, new { bitrate_up_kbps = 0 }).Sample(60, new { bitrate_up_kbps = 0 });

        Assert.Empty(brief.Issues(IssueKinds.SilentMedia));
        Assert.Empty(muted.Issues(IssueKinds.SilentMedia));
    }

    [Fact]
    public void Disabling_audio_clears_silent_media()
    {
        var script = new ParticipantScript().Event("audio_enabled", 0)
            .Sample(5, new { bitrate_up_kbps = 0 }).Sample(40, new { bitrate_up_kbps = 0 }).Event("audio_disabled", 45);

        Assert.Equal(ParticipantScript.At(45), Assert.Single(script.Issues(IssueKinds.SilentMedia)).EndedAt);
    }
}
