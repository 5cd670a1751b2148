using System.Globalization;
using System.Text.Json;
using Callscope.Core.Events;
using Callscope.Core.Ingest;
using Callscope.Server.Ingestion;
using Callscope.Server.LiveKit;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests;

/// <summary>The two sources, native and LiveKit, as implementations of one contract: what each hands the shared step.</summary>
public sealed class IngestSourcesTests
{
    private static readonly DateTimeOffset T0 = CallscopeApp.Start;

    public static TheoryData<int> SecondsAhead() => [-30, 0, 5, 6, 60, 3600];

    [Theory]
    [MemberData(nameof(SecondsAhead))]
    public void Both_sources_place_an_event_in_time_by_the_one_clock_rule(int ahead)
    {
        var sent = T0.AddSeconds(ahead);

        var native = Assert.Single(Native($$$"""{"id":"e1","type":"room_finished","timestamp":"{{{sent:yyyy-MM-dd'T'HH:mm:ss'Z'}}}","room":{"friendly_url":"r"}}""").Events);
        var livekit = Assert.Single(LiveKit($$"""{"event":"room_finished","room":{"name":"r"},"id":"EV_1","createdAt":"{{sent.ToUnixTimeSeconds()}}"}""").Events);

        var rule = EventRules.Clamp(sent, T0);
        Assert.Equal(rule, (native.Timestamp, native.Skew));
        Assert.Equal(rule, (livekit.Timestamp, livekit.Skew));
    }

    [Theory]
    [InlineData("AGENT")]
    [InlineData("EGRESS")]
    [InlineData("INGRESS")]
    public void A_LiveKit_agent_recorder_or_ingress_participant_is_passive_through_the_typed_flag(string kind)
    {
        var join = Assert.Single(LiveKit(Joined(kind)).Events);
        var leave = Assert.Single(LiveKit(Left(kind)).Events);

        Assert.Equal(LawFlags.Passive, join.LawFlags);
        Assert.Equal(LawFlags.Passive, leave.LawFlags);
        // The log still shows the marker; the law does not need it.
        Assert.Contains("\"_passive\":true", join.DataJson, StringComparison.Ordinal);
        Assert.True((join with { DataJson = join.DataJson!.Replace("\"_passive\":true", "\"_passive\":false", StringComparison.Ordinal) }).ToLaw()!.Passive);
        Assert.True(leave.ToLaw()!.Passive);
    }

    [Fact]
    public void A_standard_LiveKit_participant_is_not_passive()
    {
        var join = Assert.Single(LiveKit(Joined("STANDARD")).Events);

        Assert.Equal(LawFlags.None, join.LawFlags);
        Assert.False(join.ToLaw()!.Passive);
    }

    [Theory]
    [InlineData("_passive", "true")]
    [InlineData("_source", "\"api\"")]
    public void A_native_event_cannot_set_a_law_flag_through_its_data(string member, string value)
    {
        var type = member == "_source" ? EventTypes.SessionEnded : EventTypes.ParticipantJoined;

        var batch = Native($$$"""{"id":"e1","type":"{{{type}}}","timestamp":"2026-11-25T10:00:00Z","room":{"friendly_url":"r"},"participant":{"external_id":"ana"},"data":{"{{{member}}}":{{{value}}}}}""");
        var plain = Assert.Single(Native($$$"""{"id":"e1","type":"{{{type}}}","timestamp":"2026-11-25T10:00:00Z","room":{"friendly_url":"r"},"participant":{"external_id":"ana"}}""").Events);

        Assert.True(batch.Refused);
        Assert.Equal(("data." + member, 0), (batch.Problems.Single().Field, batch.Problems.Single().Index));
        Assert.Equal(LawFlags.None, plain.LawFlags);
    }

    private static SourceBatch Native(string eventJson)
    {
        using var body = JsonDocument.Parse($$"""{"events":[{{eventJson}}]}""");
        return NativeEventReader.Read(body.RootElement, T0);
    }

    private static SourceBatch LiveKit(string json) =>
        WebhookMapper.Read(new WebhookDelivery(JsonSerializer.Deserialize(json, LiveKitJsonContext.Default.WebhookEvent)!, "fallback"), T0);

    private static string Joined(string kind) =>
        $$"""{"event":"participant_joined","room":{"name":"r"},"participant":{"sid":"PA_1","identity":"bot","kind":"{{kind}}","joinedAtMs":"{{Ms(-10)}}"},"id":"EV_1","createdAt":"{{Seconds(-9)}}"}""";

    private static string Left(string kind) =>
        $$"""{"event":"participant_left","room":{"name":"r"},"participant":{"sid":"PA_1","identity":"bot","kind":"{{kind}}","joinedAtMs":"{{Ms(-10)}}","disconnectReason":"CLIENT_INITIATED"},"id":"EV_2","createdAt":"{{Seconds(-1)}}"}""";

    private static string Ms(int seconds) => T0.AddSeconds(seconds).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    private static string Seconds(int seconds) => T0.AddSeconds(seconds).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
}
