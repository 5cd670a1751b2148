using System.Text.Json;
using System.Text.Json.Nodes;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests.LiveKit;

/// <summary>Genuine LiveKit webhooks (built and signed with LiveKit's npm packages) through the real endpoint.</summary>
public sealed class LiveKitWebhookTests
{
    private static readonly DateTimeOffset T0 = CallscopeApp.Start;

    private static string At(double seconds) => T0.AddMilliseconds(Math.Round(seconds * 1000)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_full_call_gives_one_session_with_both_participants_their_connections_and_their_events_logs()
    {
        var call = WebhookScenario.Load("full-call");
        await using var app = new CallscopeApp();
        await app.ConnectLiveKitAsync(call);

        await app.DeliverAllAsync(call.Requests);
        app.MoveClockTo(T0.AddSeconds(200));

        var sessions = await app.GetJsonAsync("/api/v1/sessions");
        Assert.Equal(1, sessions.GetProperty("total_count").GetInt32());
        var session = sessions.GetProperty("data")[0];
        Assert.Equal("weekly-sync", session.GetProperty("room_friendly_url").GetString());
        Assert.Equal(At(1.6), session.GetProperty("start_time").GetString());
        Assert.Equal("ending_soon", session.GetProperty("status").GetString());
        Assert.Equal(At(130), session.GetProperty("last_participant_left_at").GetString());
        Assert.Equal(At(130 + 420), session.GetProperty("ending_at").GetString());
        Assert.Equal(2, session.GetProperty("participants_total").GetInt32());
        Assert.Equal(2, session.GetProperty("max_concurrent_participants").GetInt32());

        var id = session.GetProperty("id").GetString();
        var participants = (await app.GetJsonAsync($"/api/v1/sessions/{id}/participants")).GetProperty("data").EnumerateArray().ToList();
        var alice = participants.Single(p => p.GetProperty("external_id").GetString() == "alice");
        var bob = participants.Single(p => p.GetProperty("external_id").GetString() == "bob");

        Assert.Equal("Alice Example", alice.GetProperty("participant_name").GetString());
        Assert.Equal(0, alice.GetProperty("reconnects").GetInt32());
        AssertConnections(alice, (At(1.6), At(120), "left", Sid(call, "02-participant_joined")));
        Assert.Equal(1, bob.GetProperty("reconnects").GetInt32());
        AssertConnections(bob,
            (At(4.3), At(60), "network", Sid(call, "04-participant_joined")),
            (At(62.5), At(130), "left", Sid(call, "09-participant_joined")));

        Assert.Equal(
            [("participant_joined", At(1.6)), ("audio_enabled", At(3.1)), ("video_enabled", At(5.2)), ("video_disabled", At(90.4)),
             ("audio_disabled", At(120)), ("participant_left", At(120))],
            await LogOf(app, alice));
        Assert.Equal(
            [("participant_joined", At(4.3)), ("audio_enabled", At(6.4)), ("audio_disabled", At(60)), ("participant_left", At(60)),
             ("participant_joined", At(62.5)), ("audio_enabled", At(63.8)), ("participant_left", At(130))],
            await LogOf(app, bob));

        await app.AdvanceAsync(T0.AddSeconds(600) - app.Clock.GetUtcNow());
        var ended = await app.GetJsonAsync($"/api/v1/sessions/{id}");
        Assert.Equal("ended", ended.GetProperty("status").GetString());
        Assert.Equal("grace_expired", ended.GetProperty("end_reason").GetString());
        Assert.Equal(At(130 + 420), ended.GetProperty("session_end_time").GetString());
    }

    [Fact]
    public async Task Events_keep_LiveKit_ids_and_what_LiveKit_said_and_never_the_room_TURN_password()
    {
        var call = WebhookScenario.Load("full-call");
        await using var app = new CallscopeApp();
        await app.ConnectLiveKitAsync(call);
        await app.DeliverAllAsync(call.Requests);

        var log = await app.RoomLogAsync("weekly-sync");
        Assert.Equal(call.Requests.Select(r => r.Id).Order(), log.Select(e => e.Id).Order());

        var started = log.Single(e => e.Type == "room_started").Data;
        Assert.Equal("room_started", started["livekit_event"]!.GetValue<string>());
        Assert.StartsWith("RM_", started["room_sid"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(20, started["departure_timeout"]!.GetValue<int>());
        Assert.Equal(T0.AddMilliseconds(200), log.Single(e => e.Type == "room_started").Timestamp);

        var left = log.First(e => e.Type == "participant_left").Data;
        Assert.Equal("network", left["reason"]!.GetValue<string>());
        Assert.Equal("SIGNAL_CLOSE", left["disconnect_reason"]!.GetValue<string>());
        Assert.Equal(At(4.3), left["joined_at"]!.GetValue<string>());
        Assert.Equal("STANDARD", left["kind"]!.GetValue<string>());

        var camera = log.Single(e => e.Type == "video_enabled").Data;
        Assert.Equal("track_published", camera["livekit_event"]!.GetValue<string>());
        Assert.Equal("CAMERA", camera["source"]!.GetValue<string>());
        Assert.Equal("VIDEO", camera["track_type"]!.GetValue<string>());
        Assert.Equal(1280, camera["width"]!.GetValue<int>());
        Assert.Equal("AUDIO", log.First(e => e.Type == "audio_enabled").Data["track_type"]!.GetValue<string>());

        var finished = log.Single(e => e.Type == "room_finished");
        Assert.Equal("ROOM_END_IDLE_TIMEOUT", finished.Data["room_end_reason"]!.GetValue<string>());

        var stored = app.StoredEvents();
        Assert.Equal(call.Requests.Count, stored.Count);
        Assert.DoesNotContain("TURNPASSWORD", stored.AllData, StringComparison.Ordinal);
        Assert.DoesNotContain("turnPassword", stored.AllData, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Duplicates_and_a_reordered_delivery_give_the_same_sessions_participants_and_logs()
    {
        var call = WebhookScenario.Load("full-call");
        await using var inOrder = new CallscopeApp();
        await inOrder.ConnectLiveKitAsync(call);
        await inOrder.DeliverAllAsync(call.Requests);
        inOrder.MoveClockTo(T0.AddSeconds(200));

        // LiveKit retries re-send byte-identical requests; every token is still valid 200 s after the first event.
        await using var shuffled = new CallscopeApp();
        await shuffled.ConnectLiveKitAsync(call);
        shuffled.MoveClockTo(T0.AddSeconds(200));
        var order = new Random(20261125);
        var deliveries = call.Requests.Concat(call.Requests).OrderBy(_ => order.Next()).ToList();
        var seen = new HashSet<string>();
        foreach (var request in deliveries)
        {
            var answer = await shuffled.DeliverAsync(request, atSendingTime: false);
            var first = seen.Add(request.Id);
            Assert.Equal(first ? 1 : 0, answer.GetProperty("accepted").GetInt32());
            Assert.Equal(first ? 0 : 1, answer.GetProperty("duplicates").GetInt32());
        }

        var expected = await Snapshot(inOrder);
        Assert.Equal(expected, await Snapshot(shuffled));
        Assert.Contains("\"reconnects\":1", expected, StringComparison.Ordinal);

        await inOrder.AdvanceAsync(T0.AddSeconds(600) - inOrder.Clock.GetUtcNow());
        await shuffled.AdvanceAsync(T0.AddSeconds(600) - shuffled.Clock.GetUtcNow());
        var afterGrace = await Snapshot(inOrder);
        Assert.Equal(afterGrace, await Snapshot(shuffled));
        Assert.Contains("grace_expired", afterGrace, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agents_recorders_and_ingress_are_recorded_but_neither_start_nor_keep_a_session_alive()
    {
        var scenario = WebhookScenario.Load("passive");
        await using var app = new CallscopeApp();
        await app.ConnectLiveKitAsync(scenario);

        await app.DeliverAllAsync(scenario.Requests.Take(3));
        Assert.Equal(0, (await app.GetJsonAsync("/api/v1/sessions")).GetProperty("total_count").GetInt32());

        await app.DeliverAllAsync(scenario.Requests.Skip(3));
        app.MoveClockTo(T0.AddSeconds(100));
        var session = (await app.GetJsonAsync("/api/v1/sessions")).GetProperty("data").EnumerateArray().Single();
        Assert.Equal(At(10.5), session.GetProperty("start_time").GetString());
        Assert.Equal(At(40), session.GetProperty("last_participant_left_at").GetString());
        Assert.Equal("ending_soon", session.GetProperty("status").GetString());
        Assert.Equal(1, session.GetProperty("max_concurrent_participants").GetInt32());

        var recorderIdentity = JsonDocument.Parse(scenario["egress_started"].Body).RootElement.GetProperty("egressInfo").GetProperty("egressId").GetString()!;
        var participants = (await app.GetJsonAsync($"/api/v1/sessions/{session.GetProperty("id").GetString()}/participants"))
            .GetProperty("data").EnumerateArray().ToDictionary(p => p.GetProperty("external_id").GetString()!);
        Assert.Contains("carol", participants.Keys);
        Assert.Contains(recorderIdentity, participants.Keys);
        Assert.DoesNotContain("agent-assistant", participants.Keys);
        Assert.True(At(41) == participants[recorderIdentity].GetProperty("leave_time").GetString(), participants[recorderIdentity].ToString());

        var log = await app.RoomLogAsync("agent-room");
        Assert.Equal(
            ["room_started", "participant_joined", "agent_job_started", "participant_joined", "egress_started", "participant_joined",
             "ingress_started", "ingress_ended", "participant_left", "egress_ended", "participant_left", "agent_job_ended", "participant_left",
             "room_finished"],
            log.Select(e => e.Type));
        var job = log.Single(e => e.Type == "agent_job_started").Data;
        Assert.Equal("assistant", job["agent_name"]!.GetValue<string>());
        Assert.Equal("JS_RUNNING", job["status"]!.GetValue<string>());
        Assert.Equal("JS_SUCCESS", log.Single(e => e.Type == "agent_job_ended").Data["status"]!.GetValue<string>());
        Assert.Equal("EGRESS_COMPLETE", log.Single(e => e.Type == "egress_ended").Data["status"]!.GetValue<string>());
        var ingressEnded = log.Single(e => e.Type == "ingress_ended").Data;
        Assert.Equal("ENDPOINT_INACTIVE", ingressEnded["status"]!.GetValue<string>());
        Assert.Equal("RTMP_INPUT", ingressEnded["input_type"]!.GetValue<string>());
        Assert.True(log.First(e => e.Type == "participant_joined").Data["_passive"]!.GetValue<bool>());

        var stored = app.StoredEvents().AllData;
        Assert.DoesNotContain("STREAMKEY", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("rtmp://", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_LiveKit_disconnect_reason_becomes_a_leave_reason_and_is_kept_by_name()
    {
        var scenario = WebhookScenario.Load("leave-reasons");
        await using var app = new CallscopeApp();
        await app.ConnectLiveKitAsync(scenario);
        await app.DeliverAllAsync(scenario.Requests);
        app.MoveClockTo(T0.AddSeconds(200));

        var participants = (await app.GetJsonAsync("/api/v1/rooms/reasons-room/participants?limit=100")).GetProperty("data").EnumerateArray()
            .ToDictionary(p => p.GetProperty("external_id").GetString()!, p => p.GetProperty("connections").EnumerateArray().Single());
        var expected = new Dictionary<string, string>
        {
            ["UNKNOWN_REASON"] = "left", ["CLIENT_INITIATED"] = "left", ["DUPLICATE_IDENTITY"] = "kicked", ["SERVER_SHUTDOWN"] = "error",
            ["PARTICIPANT_REMOVED"] = "kicked", ["ROOM_DELETED"] = "session_ended", ["STATE_MISMATCH"] = "error", ["JOIN_FAILURE"] = "timeout",
            ["MIGRATION"] = "network", ["SIGNAL_CLOSE"] = "network", ["ROOM_CLOSED"] = "session_ended", ["USER_UNAVAILABLE"] = "error",
            ["USER_REJECTED"] = "left", ["SIP_TRUNK_FAILURE"] = "error", ["CONNECTION_TIMEOUT"] = "timeout", ["MEDIA_FAILURE"] = "network",
            ["AGENT_ERROR"] = "error",
        };
        Assert.Equal(expected.Count + 1, participants.Count);
        foreach (var (reason, leaveReason) in expected)
        {
            Assert.True(participants[$"p-{reason}"].GetProperty("leave_reason").GetString() == leaveReason, $"{reason} should be '{leaveReason}'");
        }

        // A connection that never became active: its join is known only from the joined_at its leave carries.
        var aborted = participants["p-aborted"];
        Assert.Equal(At(150.5), aborted.GetProperty("join_time").GetString());
        Assert.Equal(At(170), aborted.GetProperty("leave_time").GetString());
        Assert.Equal("timeout", aborted.GetProperty("leave_reason").GetString());

        var log = await app.RoomLogAsync("reasons-room");
        var abortedLeave = log.Single(e => e.Id == scenario["participant_connection_aborted"].Id).Data;
        Assert.Equal("participant_connection_aborted", abortedLeave["livekit_event"]!.GetValue<string>());
        Assert.Equal("JOIN_FAILURE", abortedLeave["disconnect_reason"]!.GetValue<string>());
        Assert.Equal("UNKNOWN_REASON", log.Single(e => e.Id == scenario["participant_left-UNKNOWN_REASON"].Id).Data["disconnect_reason"]!.GetValue<string>());
    }

    /// <summary>The exact request of LIVEKIT.md section 8, signed by the server with its --dev key ("devkey"/"secret").</summary>
    [Fact]
    public async Task The_documented_server_sample_signed_with_the_dev_secret_is_accepted()
    {
        const string body = """{"event":"participant_joined","room":{"sid":"RM_iHpggfnVshJW","name":"harness-3i45f7ni","emptyTimeout":300,"departureTimeout":20,"creationTime":"1795600800","creationTimeMs":"1795600800000","turnPassword":"NhlCdUzZ0JYNa6JeYmHfSc0ReMABaNa1hhpjSLA1Mna","enabledCodecs":[{"mime":"audio/PCMU"},{"mime":"audio/PCMA"},{"mime":"audio/opus"},{"mime":"audio/red"},{"mime":"video/VP8"},{"mime":"video/H264"},{"mime":"video/VP9"},{"mime":"video/AV1"},{"mime":"video/H265"},{"mime":"video/rtx"}],"numParticipants":1},"participant":{"sid":"PA_i8KXZ4H5SDYa","identity":"alice","state":"ACTIVE","joinedAt":"1795600801","joinedAtMs":"1795600801600","name":"Alice Example","version":2,"permission":{"canSubscribe":true,"canPublish":true,"canPublishData":true},"attributes":{"locale":"en-GB","role":"host"}},"id":"EV_K4JRLMetSmaj","createdAt":"1795600802"}""";
        const string token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJkZXZrZXkiLCJleHAiOjE3OTU2MDExMDIsIm5iZiI6MTc5NTYwMDgwMiwiaWF0IjoxNzk1NjAwODAyLCJzaGEyNTYiOiJFUW9ZRWZWNzZvYUtjM21EaDhiU1crMnNVc0FMb3phZXlIUUw5bEF5bHpVPSJ9.JP3FSoD-vdImbQkMGB2hPSQmjSGOP-iIRp0yC93lpt0";
        var bytes = System.Text.Encoding.UTF8.GetBytes(body);
        Assert.Equal(838, bytes.Length);
        await using var app = new CallscopeApp();
        await app.ConnectLiveKitAsync(new WebhookScenario("documented", "devkey", "secret", []));
        var request = new WebhookRequest("sample", "participant_joined", "EV_K4JRLMetSmaj", DateTimeOffset.FromUnixTimeSeconds(1795600802), bytes,
            new Dictionary<string, string> { ["Content-Type"] = "application/webhook+json", ["User-Agent"] = "LiveKit", ["Authorization"] = token });

        Assert.Equal(1, (await app.DeliverAsync(request)).GetProperty("accepted").GetInt32());

        var participant = (await app.GetJsonAsync("/api/v1/participants")).GetProperty("data").EnumerateArray().Single();
        Assert.Equal("alice", participant.GetProperty("external_id").GetString());
        Assert.Equal("Alice Example", participant.GetProperty("participant_name").GetString());
        Assert.Equal(At(1.6), participant.GetProperty("join_time").GetString());
        Assert.Equal("PA_i8KXZ4H5SDYa", participant.GetProperty("connections")[0].GetProperty("connection_id").GetString());
        Assert.Equal("harness-3i45f7ni", participant.GetProperty("room_friendly_url").GetString());
        Assert.DoesNotContain("NhlCdUzZ0JYNa6JeYmHfSc0ReMABaNa1hhpjSLA1Mna", app.StoredEvents().AllData, StringComparison.Ordinal);
    }

    private static string Sid(WebhookScenario scenario, string requestName) =>
        scenario.Requests.Single(r => r.Name == requestName).Participant().GetProperty("sid").GetString()!;

    private static void AssertConnections(JsonElement participant, params (string Join, string Leave, string Reason, string Sid)[] expected) =>
        Assert.Equal(expected, participant.GetProperty("connections").EnumerateArray().Select(c => (
            c.GetProperty("join_time").GetString()!, c.GetProperty("leave_time").GetString()!, c.GetProperty("leave_reason").GetString()!,
            c.GetProperty("connection_id").GetString()!)));

    private static async Task<List<(string Type, string Timestamp)>> LogOf(CallscopeApp app, JsonElement participant) =>
        [.. (await app.GetJsonAsync($"/api/v1/participants/{participant.GetProperty("id").GetString()}/events?limit=100")).GetProperty("data")
            .EnumerateArray().Select(e => (e.GetProperty("type").GetString()!, e.GetProperty("timestamp").GetString()!))];

    /// <summary>What the API says about the team's sessions, without the ids each store generates for itself.</summary>
    private static async Task<string> Snapshot(CallscopeApp app)
    {
        var text = new System.Text.StringBuilder();
        foreach (var session in (await app.GetJsonAsync("/api/v1/sessions")).GetProperty("data").EnumerateArray())
        {
            var id = session.GetProperty("id").GetString();
            text.AppendLine(WithoutIds(session));
            foreach (var participant in (await app.GetJsonAsync($"/api/v1/sessions/{id}/participants")).GetProperty("data").EnumerateArray()
                         .OrderBy(p => p.GetProperty("external_id").GetString(), StringComparer.Ordinal))
            {
                text.AppendLine(WithoutIds(participant));
                var events = (await app.GetJsonAsync($"/api/v1/participants/{participant.GetProperty("id").GetString()}/events?limit=100"))
                    .GetProperty("data").EnumerateArray()
                    .Select(e => $"{e.GetProperty("timestamp")} {e.GetProperty("type")} {e.GetProperty("id")} {e.GetProperty("data")}")
                    .Order(StringComparer.Ordinal);
                text.AppendJoin('\n', events).AppendLine();
            }
        }

        return text.ToString();
    }

    private static string WithoutIds(JsonElement item)
    {
        var node = JsonNode.Parse(item.GetRawText())!.AsObject();
        foreach (var name in (string[])["id", "session_id", "room_id"])
        {
            node.Remove(name);
        }

        return node.ToJsonString();
    }
}
