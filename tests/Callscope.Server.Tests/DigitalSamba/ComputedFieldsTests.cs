using System.Text.Json;
using Callscope.Core.Events;
using Callscope.Data.Sessions;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests.DigitalSamba;

/// <summary>
/// The Digital Samba fields Callscope derives from events carry the values the scenario's events give them, and
/// those it has no events for are 0, false or null (SPEC section 4).
/// </summary>
public sealed class ComputedFieldsTests(ScenarioFixture fixture) : IClassFixture<ScenarioFixture>
{
    private static readonly string[] Devices = ["desktop", "mobile", "tablet", "smarttv"];

    private static readonly string[] WithoutSource =
    [
        "subscribed_minutes", "screen_subscribed_minutes", "transcription_minutes", "e2ee_minutes", "stored_recorded_minutes", "whiteboard_minutes",
        "captions_minutes", "breakout_minutes", "presentation_minutes", "questions", "answers", "polls",
    ];

    private HttpClient Api => fixture.Api;

    private CallScenario Scenario => fixture.Scenario;

    [Fact]
    public async Task Session_statistics_count_devices_media_recording_and_chat_from_the_events()
    {
        var s = await ApiAssert.GetAsync(Api, $"/api/v1/sessions/{Scenario.LiveSessionId}/statistics");

        Assert.Equal(2, s.GetProperty("live_participants").GetInt32());
        Assert.Equal(3, s.GetProperty("active_participants").GetInt32());
        Assert.Equal([1, 1, 1, 0], Devices.Select(d => s.GetProperty($"{d}_participants").GetInt32()));
        // Ana broadcast from minute 1 to 5 (microphone, then camera); Ben's camera ran from 6 until he left at 8.
        Assert.Equal(6, s.GetProperty("broadcasted_minutes").GetDouble());
        Assert.Equal(3, s.GetProperty("screen_broadcasted_minutes").GetDouble());
        // Recorded from 2 to 6, and again from 9 until now (10).
        Assert.Equal(5, s.GetProperty("recorded_minutes").GetDouble());
        Assert.Equal(3, s.GetProperty("public_chat_posts").GetInt32());
        Assert.Equal(2, s.GetProperty("active_roles").GetInt32());
        Assert.Equal(12, s.GetProperty("room_max_participants").GetInt32());
        Assert.Equal("EXT-7", s.GetProperty("room_external_id").GetString());
        Assert.Equal(JsonValueKind.Null, s.GetProperty("room_privacy").ValueKind);
        Assert.Equal(JsonValueKind.Null, s.GetProperty("room_source").ValueKind);
        foreach (var none in WithoutSource)
        {
            Assert.Equal(0, s.GetProperty(none).GetDouble());
        }

        Assert.Equal(s.ToString(), (await ApiAssert.GetAsync(Api, $"/api/v1/sessions/{Scenario.LiveSessionId}")).ToString());
    }

    [Fact]
    public async Task Session_list_items_name_the_room_and_the_peak_as_digital_samba_does()
    {
        var list = await ApiAssert.GetAsync(Api, "/api/v1/sessions?live=true");

        var item = Assert.Single(list.GetProperty("data").EnumerateArray());
        Assert.Equal("standup", item.GetProperty("friendly_url").GetString());
        Assert.Equal("Daily standup", item.GetProperty("description").GetString());
        Assert.Equal(3, item.GetProperty("participants_max").GetInt32());
        Assert.Equal("standup", item.GetProperty("room_friendly_url").GetString());
        Assert.Equal(3, item.GetProperty("max_concurrent_participants").GetInt32());
        Assert.True(item.GetProperty("live").GetBoolean());
    }

    [Fact]
    public async Task Participant_items_and_detail_carry_the_room_and_the_participants_own_chat_posts()
    {
        var list = await ApiAssert.GetAsync(Api, $"/api/v1/sessions/{Scenario.LiveSessionId}/participants?order=asc");
        var detail = await ApiAssert.GetAsync(Api, $"/api/v1/participants/{Scenario.AnaId}");

        var ana = list.GetProperty("data")[0];
        Assert.Equal("Ana", ana.GetProperty("name").GetString());
        Assert.Equal("standup", ana.GetProperty("friendly_url").GetString());
        Assert.Equal("EXT-7", ana.GetProperty("room_external_id").GetString());
        Assert.False(ana.GetProperty("room_is_deleted").GetBoolean());
        Assert.Equal("Ana", detail.GetProperty("participant_name").GetString());
        Assert.Equal("EXT-7", detail.GetProperty("room_external_id").GetString());
        Assert.Equal(2, detail.GetProperty("public_chat_posts").GetInt32());
        Assert.False(detail.GetProperty("e2ee").GetBoolean());
        Assert.Equal(0, detail.GetProperty("questions").GetInt32());
        Assert.Equal(0, detail.GetProperty("answers").GetInt32());
        Assert.Equal(JsonValueKind.Null, detail.GetProperty("room_privacy").ValueKind);
        Assert.Equal(10, detail.GetProperty("participation_minutes").GetDouble());
    }

    [Fact]
    public async Task Current_statistics_name_their_period_and_count_the_recorder_running_now()
    {
        var current = await ApiAssert.GetAsync(Api, "/api/v1/statistics/current");

        Assert.Equal("2026-11-01", current.GetProperty("date_start").GetString());
        Assert.Equal("2026-11-25", current.GetProperty("date_end").GetString());
        Assert.Equal(1, current.GetProperty("active_recorders").GetInt32());
        Assert.Equal(1, current.GetProperty("live_sessions").GetInt32());
        Assert.Equal(2, current.GetProperty("live_participants").GetInt32());
    }

    [Fact]
    public async Task Events_answers_the_webhook_event_names_as_a_bare_array_and_event_types_the_ingest_types_in_a_list_envelope()
    {
        var events = await ApiAssert.GetAsync(Api, "/api/v1/events");
        var types = await ApiAssert.GetAsync(Api, "/api/v1/event-types");

        // Digital Samba's "Get available events used for triggering webhooks": the names alone, with no envelope.
        Assert.Equal(JsonValueKind.Array, events.ValueKind);
        Assert.All(events.EnumerateArray(), e => Assert.Equal(JsonValueKind.String, e.ValueKind));
        Assert.Equal(
            ["participant_joined", "participant_left", "session_started", "session_ended", "session_ending_soon", "participant_issue"],
            events.EnumerateArray().Select(e => e.GetString()));

        // The ingest's vocabulary keeps the list envelope, whole in its first page and in its own order.
        Assert.Equal(JsonValueKind.Object, types.ValueKind);
        Assert.Equal(EventTypes.All.Count, types.GetProperty("total_count").GetInt32());
        Assert.Equal(EventTypes.All, types.GetProperty("data").EnumerateArray().Select(e => e.GetString()!));
    }

    [Fact]
    public async Task Rooms_carry_digital_sambas_meeting_settings_as_switched_off()
    {
        var room = await ApiAssert.GetAsync(Api, $"/api/v1/rooms/{Scenario.RoomId}");

        Assert.Equal("standup", room.GetProperty("friendly_url").GetString());
        Assert.Equal(12, room.GetProperty("max_participants").GetInt32());
        Assert.False(room.GetProperty("chat_enabled").GetBoolean());
        Assert.Equal(0, room.GetProperty("roles").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, room.GetProperty("privacy").ValueKind);
    }
}

/// <summary><see cref="SessionActivity.Measure"/> on its own: intervals, leaves, ends and order ties.</summary>
public sealed class SessionActivityTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    private static ActivityEvent At(int minute, string type, string? who = "ana") => new(type, T0.AddMinutes(minute), who);

    [Fact]
    public void Microphone_and_camera_overlapping_count_once_per_participant()
    {
        var activity = SessionActivity.Measure([At(0, "audio_enabled"), At(2, "video_enabled"), At(4, "audio_disabled"), At(6, "video_disabled")], T0.AddMinutes(60));

        Assert.Equal(6, activity.BroadcastedMinutes);
    }

    [Fact]
    public void A_leave_or_the_end_of_the_span_stops_what_is_still_on()
    {
        var activity = SessionActivity.Measure(
            [At(0, "screenshare_started"), At(3, "participant_left"), At(5, "screenshare_started", "ben"), At(1, "recording_started", null)],
            T0.AddMinutes(10));

        Assert.Equal(3 + 5, activity.ScreenBroadcastedMinutes);
        Assert.Equal(9, activity.RecordedMinutes);
        Assert.True(activity.Recording);
    }

    [Fact]
    public void A_failed_recording_stops_it_and_a_repeated_start_does_not_restart_it()
    {
        var activity = SessionActivity.Measure(
            [At(0, "recording_started", null), At(2, "recording_started", null), At(4, "recording_failed", null), At(5, "chat_message"), At(6, "chat_message", "ben")],
            T0.AddMinutes(10));

        Assert.Equal(4, activity.RecordedMinutes);
        Assert.False(activity.Recording);
        Assert.Equal(2, activity.PublicChatPosts);
        Assert.Equal(0, activity.BroadcastedMinutes);
    }

    [Fact]
    public void The_measure_does_not_depend_on_the_order_events_arrive_in()
    {
        string[] types = [.. SessionActivity.Types];
        string?[] people = ["ana", "ben", "cai", null];
        for (var seed = 0; seed < 200; seed++)
        {
            var random = new Random(seed);
            // Distinct times: events of the same time are measured in the order given, on purpose.
            var minutes = Enumerable.Range(0, 60).OrderBy(_ => random.Next()).Take(random.Next(1, 40)).ToList();
            var events = minutes.Select(m => At(m, types[random.Next(types.Length)], people[random.Next(people.Length)])).ToList();

            var inOrder = SessionActivity.Measure(events.OrderBy(e => e.At), T0.AddMinutes(50));
            var shuffled = SessionActivity.Measure(events.OrderBy(_ => random.Next()), T0.AddMinutes(50));

            Assert.Equal(inOrder, shuffled);
        }
    }

    [Fact]
    public void Events_after_the_span_are_not_counted()
    {
        var activity = SessionActivity.Measure([At(0, "video_enabled"), At(12, "video_disabled"), At(13, "chat_message")], T0.AddMinutes(10));

        Assert.Equal(10, activity.BroadcastedMinutes);
        Assert.Equal(0, activity.PublicChatPosts);
    }
}
