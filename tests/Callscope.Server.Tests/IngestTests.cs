using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests;

public sealed class IngestTests : IAsyncLifetime
{
    private readonly CallscopeApp app = new();
    private HttpClient api = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        api = app.Api();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Accepted_batch_answers_202_with_counts()
    {
        var body = await Events.PostAsync(api, Events.Joined("standup", "ana", CallscopeApp.Start), Events.Joined("standup", "ben", CallscopeApp.Start));

        Assert.Equal(2, body.GetProperty("accepted").GetInt32());
        Assert.Equal(0, body.GetProperty("duplicates").GetInt32());
    }

    [Fact]
    public async Task A_repeated_event_id_counts_once()
    {
        var join = Events.Joined("standup", "ana", CallscopeApp.Start, id: "evt-same");

        var first = await Events.PostAsync(api, join, join);
        var second = await Events.PostAsync(api, join);

        Assert.Equal(1, first.GetProperty("accepted").GetInt32());
        Assert.Equal(1, first.GetProperty("duplicates").GetInt32());
        Assert.Equal(0, second.GetProperty("accepted").GetInt32());
        Assert.Equal(1, second.GetProperty("duplicates").GetInt32());
        var participant = await OnlyParticipantAsync();
        var events = await ApiAssert.GetAsync(api, $"/api/v1/participants/{participant.GetProperty("id").GetString()}/events");
        Assert.Equal(1, events.GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task A_batch_with_one_bad_event_stores_nothing()
    {
        var bad = new { id = "evt-bad", type = "participant_joined", timestamp = "yesterday", room = new { friendly_url = "other" }, participant = new { } };

        var response = await api.PostAsJsonAsync("/api/v1/ingest/events", Events.Batch(Events.Joined("standup", "ana", CallscopeApp.Start), bad), Ct);

        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "validation-failed");
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal(1, error.GetProperty("index").GetInt32());
        Assert.Equal("timestamp", error.GetProperty("field").GetString());
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Every_problem_of_a_batch_is_listed()
    {
        var response = await api.PostAsJsonAsync("/api/v1/ingest/events", Events.Batch(
            new { id = "", type = "participant_joined", timestamp = "2026-11-25T10:00:00Z", room = new { friendly_url = "a" }, participant = new { } },
            new { id = "x", type = 5, timestamp = "2026-11-25T10:00:00Z", room = new { friendly_url = "a" } },
            new { id = "y", type = "participant_left", timestamp = "2026-11-25T10:00:00Z", room = new { id = "not-a-uuid" }, participant = new { }, data = new { reason = "bored" } }), Ct);

        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "validation-failed");
        var fields = problem.GetProperty("errors").EnumerateArray().Select(e => $"{e.GetProperty("index").GetInt32()}:{e.GetProperty("field").GetString()}").ToList();
        Assert.Equal(["0:id", "1:type", "2:room.id", "2:data.reason"], fields);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task An_unknown_room_id_rejects_the_whole_batch()
    {
        var unknown = new
        {
            id = "evt-unknown-room", type = "participant_joined", timestamp = "2026-11-25T10:00:00Z",
            room = new { id = Guid.NewGuid() }, participant = new { external_id = "ana" },
        };

        var response = await api.PostAsJsonAsync("/api/v1/ingest/events", Events.Batch(Events.Joined("new-room", "ana", CallscopeApp.Start), unknown), Ct);

        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "validation-failed");
        Assert.Equal("room.id", problem.GetProperty("errors")[0].GetProperty("field").GetString());
        await AssertNothingStoredAsync();
        var rooms = await ApiAssert.GetAsync(api, "/api/v1/rooms");
        Assert.Equal(0, rooms.GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task A_batch_of_1001_events_is_refused()
    {
        var events = Enumerable.Range(0, 1001).Select(i => Events.Joined("big", $"p{i}", CallscopeApp.Start)).ToArray();

        var response = await api.PostAsJsonAsync("/api/v1/ingest/events", Events.Batch(events), Ct);

        await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "validation-failed");
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task An_empty_batch_is_refused()
    {
        var response = await api.PostAsJsonAsync("/api/v1/ingest/events", Events.Batch(), Ct);

        await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "validation-failed");
    }

    [Theory]
    [InlineData("{\"events\": [")]
    [InlineData("not json at all")]
    [InlineData("")]
    public async Task Malformed_json_is_a_400_problem(string body)
    {
        var response = await api.PostAsync("/api/v1/ingest/events", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "malformed-json");
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Invalid_utf8_is_a_400_problem()
    {
        var bytes = new ByteArrayContent([.. "{\"events\":[{\"id\":\""u8, 0xC3, 0x28, .. "\"}]}"u8]);
        bytes.Headers.ContentType = new("application/json");

        var response = await api.PostAsync("/api/v1/ingest/events", bytes, Ct);

        await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "malformed-json");
    }

    [Fact]
    public async Task Oversized_strings_are_refused()
    {
        var huge = new string('x', 201);

        var response = await api.PostAsJsonAsync("/api/v1/ingest/events", Events.Batch(Events.Joined("standup", huge, CallscopeApp.Start)), Ct);

        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "validation-failed");
        Assert.Equal("participant.external_id", problem.GetProperty("errors")[0].GetProperty("field").GetString());
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_415()
    {
        var response = await api.PostAsync("/api/v1/ingest/events", new StringContent("{}", Encoding.UTF8, "text/plain"), Ct);

        await ApiAssert.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
    }

    [Fact]
    public async Task Ingest_without_a_key_is_401()
    {
        var anonymous = app.CreateClient();

        var response = await anonymous.PostAsJsonAsync("/api/v1/ingest/events", Events.Batch(Events.Joined("standup", "ana", CallscopeApp.Start)), Ct);

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task A_timestamp_far_ahead_of_the_server_clock_is_clamped_and_the_skew_kept()
    {
        await Events.PostAsync(api, Events.Joined("standup", "ana", CallscopeApp.Start.AddMinutes(30)));

        var participant = await OnlyParticipantAsync();
        Assert.Equal("2026-11-25T10:00:00.000Z", participant.GetProperty("join_time").GetString());
        var events = await ApiAssert.GetAsync(api, $"/api/v1/participants/{participant.GetProperty("id").GetString()}/events");
        Assert.Equal(30 * 60 * 1000, events.GetProperty("data")[0].GetProperty("clock_skew_ms").GetInt64());
    }

    [Fact]
    public async Task Chat_messages_keep_only_the_fact()
    {
        await Events.PostAsync(api, Events.Joined("standup", "ana", CallscopeApp.Start),
            Events.Of("chat_message", "standup", "ana", CallscopeApp.Start.AddSeconds(1), new { text = "my password is hunter2" }));

        var participant = await OnlyParticipantAsync();
        var events = await ApiAssert.GetAsync(api, $"/api/v1/participants/{participant.GetProperty("id").GetString()}/events?type=chat_message");
        var chat = Assert.Single(events.GetProperty("data").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, chat.GetProperty("data").ValueKind);
    }

    [Fact]
    public async Task Every_known_numeric_field_that_is_not_finite_or_out_of_range_is_refused_field_by_field()
    {
        var cases = (from field in Core.Ingest.EventRules.NumericFields
                     from value in new[] { "1e400", "-1e400", "-1", "\"7\"", "true", Over(field) }
                     select (field.Name, value)).ToList();
        var batch = string.Join(",", cases.Select((c, i) =>
            $$$"""{"id":"q{{{i}}}","type":"quality_sample","timestamp":"2026-11-25T10:00:00Z","room":{"friendly_url":"standup"},"participant":{"external_id":"ana"},"data":{"{{{c.Name}}}":{{{c.value}}}}}"""));

        var response = await api.PostAsync("/api/v1/ingest/events", new StringContent($$"""{"events":[{{batch}}]}""", Encoding.UTF8, "application/json"), Ct);

        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "validation-failed");
        var errors = problem.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("index").GetInt32(), e.GetProperty("field").GetString())).ToList();
        Assert.Equal(cases.Select((c, i) => (i, (string?)("data." + c.Name))), errors);
        await AssertNothingStoredAsync();
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    public async Task NaN_and_Infinity_are_not_JSON_and_are_refused(string literal)
    {
        var body = $$$"""{"events":[{"id":"q","type":"quality_sample","timestamp":"2026-11-25T10:00:00Z","room":{"friendly_url":"standup"},"participant":{"external_id":"ana"},"data":{"rtt_ms":{{{literal}}}}}]}""";

        var response = await api.PostAsync("/api/v1/ingest/events", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "malformed-json");
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Quality_samples_at_the_ends_of_every_range_are_stored_and_shown_as_given()
    {
        await Events.PostAsync(api, Events.Joined("standup", "ana", CallscopeApp.Start),
            Events.Of("quality_sample", "standup", "ana", CallscopeApp.Start.AddSeconds(1),
                new { rtt_ms = 60_000, jitter_ms = 0, packet_loss_pct = 100, bitrate_up_kbps = 10_000_000, bitrate_down_kbps = 0.5, fps = 1000, score = 5 }));

        var participant = await OnlyParticipantAsync();
        var events = await ApiAssert.GetAsync(api, $"/api/v1/participants/{participant.GetProperty("id").GetString()}/events?type=quality_sample");
        var data = Assert.Single(events.GetProperty("data").EnumerateArray()).GetProperty("data");
        Assert.Equal(60_000, data.GetProperty("rtt_ms").GetDouble());
        Assert.Equal(100, data.GetProperty("packet_loss_pct").GetDouble());
        Assert.Equal(5, data.GetProperty("score").GetDouble());
    }

    [Fact]
    public async Task Room_names_the_room_rules_refuse_are_refused_at_ingest_too()
    {
        string[] names = ["live", "Live", "team/room", "a\\b", "..", "0b9d3c52-8f0e-4c59-a2c6-1f1e7d2f0a11", "bell\u0007", "tab\tinside", new string('r', 201)];
        var batch = string.Join(",", names.Select((name, i) =>
            $$$"""{"id":"r{{{i}}}","type":"participant_joined","timestamp":"2026-11-25T10:00:00Z","room":{"friendly_url":{{{JsonSerializer.Serialize(name)}}}},"participant":{"external_id":"ana"}}"""));

        var response = await api.PostAsync("/api/v1/ingest/events", new StringContent($$"""{"events":[{{batch}}]}""", Encoding.UTF8, "application/json"), Ct);

        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "validation-failed");
        var errors = problem.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("index").GetInt32(), e.GetProperty("field").GetString())).ToList();
        Assert.Equal(names.Select((_, i) => (i, (string?)"room.friendly_url")), errors);
        await AssertNothingStoredAsync();
        Assert.Equal(0, (await ApiAssert.GetAsync(api, "/api/v1/rooms")).GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task Identities_and_names_with_control_characters_are_refused()
    {
        var response = await api.PostAsJsonAsync("/api/v1/ingest/events", Events.Batch(
            Events.Joined("standup", "ana\u001b[2J", CallscopeApp.Start),
            Events.Joined("standup", "line\nbreak", CallscopeApp.Start, connection: "c\u0001")), Ct);

        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "validation-failed");
        var fields = problem.GetProperty("errors").EnumerateArray().Select(e => $"{e.GetProperty("index").GetInt32()}:{e.GetProperty("field").GetString()}").ToList();
        Assert.Equal(["0:participant.external_id", "0:participant.name", "1:participant.external_id", "1:participant.name", "1:participant.connection_id"], fields);
        await AssertNothingStoredAsync();
    }

    private static string Over(Core.Ingest.NumericField field) =>
        (field.Max + Math.Max(1, field.Max / 1000)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task<JsonElement> OnlyParticipantAsync()
    {
        var participants = await ApiAssert.GetAsync(api, "/api/v1/participants");
        return Assert.Single(participants.GetProperty("data").EnumerateArray());
    }

    private async Task AssertNothingStoredAsync()
    {
        var sessions = await ApiAssert.GetAsync(api, "/api/v1/sessions");
        Assert.Equal(0, sessions.GetProperty("total_count").GetInt32());
        var participants = await ApiAssert.GetAsync(api, "/api/v1/participants");
        Assert.Equal(0, participants.GetProperty("total_count").GetInt32());
    }
}
