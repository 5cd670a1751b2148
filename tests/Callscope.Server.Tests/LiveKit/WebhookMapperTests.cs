using System.Text.Json;
using Callscope.Server.LiveKit;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests.LiveKit;

/// <summary>The time and id choices of the mapping, on hand-made events where a real server's timing would be luck.</summary>
public sealed class WebhookMapperTests
{
    private static readonly DateTimeOffset T0 = CallscopeApp.Start;
    private static readonly long Second = T0.ToUnixTimeSeconds();

    private static WebhookEvent Parse(string json) => JsonSerializer.Deserialize(json, LiveKitJsonContext.Default.WebhookEvent)!;

    [Fact]
    public void A_leave_announced_in_the_same_whole_second_as_its_join_is_placed_just_after_the_join()
    {
        var leave = Parse($$"""{"event":"participant_left","room":{"name":"r"},"participant":{"sid":"PA_1","identity":"a","joinedAt":"{{Second + 1}}","joinedAtMs":"{{Second * 1000 + 1700}}","disconnectReason":"CLIENT_INITIATED"},"id":"EV_1","createdAt":"{{Second + 1}}"}""");

        var mapped = WebhookMapper.Map(leave, "fallback", T0.AddSeconds(2))!;

        Assert.Equal(T0.AddMilliseconds(1701), mapped.Timestamp);
        Assert.Equal("participant_left", mapped.Type);
    }

    [Fact]
    public void A_track_event_uses_its_version_time_only_when_that_is_within_a_second_of_when_it_was_sent()
    {
        const string Template = """{"event":"track_unpublished","room":{"name":"r"},"participant":{"sid":"PA_1","identity":"a"},"track":{"sid":"TR_1","source":"SCREEN_SHARE","version":{"unixMicro":"VERSION"}},"id":"EV_1","createdAt":"SENT"}""";
        WebhookEvent Event(long micros) => Parse(Template.Replace("VERSION", micros.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("SENT", (Second + 30).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

        var fresh = WebhookMapper.Map(Event((Second + 30) * 1_000_000 + 250_000), "f", T0.AddMinutes(1))!;
        var stale = WebhookMapper.Map(Event((Second + 3) * 1_000_000), "f", T0.AddMinutes(1))!;

        Assert.Equal("screenshare_stopped", fresh.Type);
        Assert.Equal(T0.AddSeconds(30.25), fresh.Timestamp);
        Assert.Equal(T0.AddSeconds(30), stale.Timestamp);
    }

    [Fact]
    public void A_time_more_than_five_seconds_ahead_of_the_server_clock_is_clamped_and_the_skew_kept()
    {
        var ahead = Parse($$"""{"event":"room_finished","room":{"name":"r"},"id":"EV_1","createdAt":"{{Second + 60}}"}""");

        var mapped = WebhookMapper.Map(ahead, "f", T0)!;

        Assert.Equal(T0, mapped.Timestamp);
        Assert.Equal(TimeSpan.FromSeconds(60), mapped.Skew);
    }

    [Fact]
    public void An_event_without_an_id_gets_the_id_derived_from_its_body_and_one_without_a_room_is_not_placed()
    {
        var noId = Parse("""{"event":"room_started","room":{"name":"r"},"createdAt":"1795600800"}""");
        var noRoom = Parse("""{"event":"egress_started","egressInfo":{"egressId":"EG_1"},"id":"EV_2","createdAt":"1795600800"}""");

        Assert.Equal("livekit-abc", WebhookMapper.Map(noId, "livekit-abc", T0)!.Id);
        Assert.Null(WebhookMapper.Map(noRoom, "f", T0));
    }

    [Fact]
    public void Parsing_is_lenient_as_protobuf_JSON_readers_are()
    {
        var odd = Parse("""{"event":"participant_joined","room":{"name":"r","emptyTimeout":"300","somethingNew":{"x":[1,2]}},"participant":{"sid":"PA_1","identity":"a","kind":4,"joinedAtMs":1795600801000},"id":"EV_1","createdAt":1795600802}""");

        var mapped = WebhookMapper.Map(odd, "f", T0.AddSeconds(3))!;

        Assert.Equal(T0.AddSeconds(1), mapped.Timestamp);
        Assert.Equal(300, odd.Room!.EmptyTimeout);
        Assert.Contains("\"kind\":\"4\"", mapped.DataJson, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"event":"room_started","roomEndReason":1.5}""")]
    [InlineData("""{"event":"room_started","createdAt":"soon"}""")]
    [InlineData("""{"event":"room_started","createdAt":"99999999999999999999999"}""")]
    [InlineData("""{"event":"room_started","room":"weekly-sync"}""")]
    [InlineData("""{"event":"participant_joined","participant":{"kind":true}}""")]
    [InlineData("""{"event":["room_started"]}""")]
    public void A_body_of_the_wrong_shape_is_refused_as_malformed_JSON(string json) =>
        Assert.Throws<JsonException>(() => Parse(json));

    [Fact]
    public void Absurd_times_are_ignored_rather_than_overflowing()
    {
        var absurd = Parse("""{"event":"participant_left","room":{"name":"r"},"participant":{"sid":"PA_1","joinedAtMs":"9223372036854775807"},"id":"EV_1","createdAt":"-5"}""");

        var mapped = WebhookMapper.Map(absurd, "f", T0)!;

        Assert.Equal(T0, mapped.Timestamp);
        Assert.DoesNotContain("joined_at", mapped.DataJson, StringComparison.Ordinal);
    }
}
