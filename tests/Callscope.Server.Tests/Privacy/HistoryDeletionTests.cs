using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Callscope.Server.Tests.Audit;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests.Privacy;

/// <summary>
/// Digital Samba's data-deletion endpoints and erasure by person (docs/api.md, deleting history), on the store the suite
/// runs on: personal data goes, every session's results and the statistics stay, and nothing later brings a name back.
/// </summary>
public sealed class HistoryDeletionTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T = CallscopeApp.Start;
    private static readonly string[] JoinsAndLeaves = ["participant_joined", "participant_left"];
    private readonly CallscopeApp app = new();
    private HttpClient api = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        api = app.Api();
        app.Clock.SetUtcNow(T.AddHours(2));
        // standup: ana (two connections, a desktop) and ben (a phone), 0 → 9, ending at 16. Then ana again alone, 30 → 40.
        await Events.PostAsync(api,
            Events.Joined("standup", "ana", T, "c1", data: new { client = new { device = "desktop", os = "macOS", browser = "Firefox", user_agent = "Mozilla/5.0" } }),
            Events.Of("audio_enabled", "standup", "ana", T.AddSeconds(5), connection: "c1"),
            Events.Of("screenshare_started", "standup", "ana", T.AddSeconds(10), connection: "c1"),
            Events.Of("screenshare_stopped", "standup", "ana", T.AddSeconds(70), connection: "c1"),
            Events.Of("chat_message", "standup", "ana", T.AddSeconds(80), connection: "c1"),
            Events.Of("quality_sample", "standup", "ana", T.AddSeconds(30), new { rtt_ms = 42, packet_loss_pct = 0.5 }, "c1"),
            Events.Of("app_error", "standup", "ana", T.AddSeconds(40), new { message = "Ana Ruiz could not share" }, "c1"),
            Events.Left("standup", "ana", T.AddMinutes(2), "c1", data: new { reason = "network" }),
            Events.Joined("standup", "ana", T.AddMinutes(3), "c2"),
            Events.Joined("standup", "ben", T.AddMinutes(1), "c3", data: new { client = new { device = "mobile", os = "iOS" } }),
            Events.Left("standup", "ben", T.AddMinutes(8), "c3"),
            Events.Left("standup", "ana", T.AddMinutes(9), "c2"),
            Events.Joined("standup", "ana", T.AddMinutes(30), "c4"),
            Events.Left("standup", "ana", T.AddMinutes(40), "c4"),
            Events.Joined("planning", "ana", T.AddMinutes(5), "p1"),
            Events.Left("planning", "ana", T.AddMinutes(6), "p1"),
            Events.Joined("planning", "carl", T.AddMinutes(5), "p2"),
            Events.Left("planning", "carl", T.AddMinutes(7), "p2"));
        await app.SettleAsync();

        // The diagnosis finds ana's app error in the background: the results compared below include it.
        var first = await SessionAsync("standup", T);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((await ApiAssert.GetAsync(api, $"/api/v1/sessions/{first}")).GetProperty("issues").GetProperty("errors").GetInt32() == 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(20), "the diagnosis found no issue in time");
            await Task.Delay(50, Ct);
        }
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Deleting_a_sessions_history_anonymises_its_participants_and_keeps_its_results_and_statistics()
    {
        var session = await SessionAsync("standup", T);
        var before = await ResultsAsync(session);
        var ana = await ParticipantAsync(session, "ana");

        var response = await api.DeleteAsync($"/api/v1/sessions/{session}/resources", Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(before, await ResultsAsync(session));
        var participants = (await ApiAssert.GetAsync(api, $"/api/v1/sessions/{session}/participants?order=asc")).GetProperty("data");
        Assert.Equal(2, participants.GetArrayLength());
        foreach (var p in participants.EnumerateArray())
        {
            Assert.Equal("Deleted participant", p.GetProperty("name").GetString());
            Assert.Equal(JsonValueKind.Null, p.GetProperty("external_id").ValueKind);
            var detail = await ApiAssert.GetAsync(api, $"/api/v1/participants/{p.GetProperty("id").GetString()}");
            Assert.Equal(JsonValueKind.Null, detail.GetProperty("system").ValueKind);
            Assert.Equal(JsonValueKind.Null, detail.GetProperty("browser").ValueKind);
            var events = await ApiAssert.GetAsync(api, $"/api/v1/participants/{p.GetProperty("id").GetString()}/events");
            Assert.Equal(0, events.GetProperty("total_count").GetInt32());
        }

        Assert.Equal(["desktop", "mobile"], participants.EnumerateArray().Select(p => p.GetProperty("device").GetString()).Order());
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/v1/participants/{ana}", Ct)).StatusCode);

        // The room's log keeps nothing of theirs in that session; the room's other session and the other room are untouched.
        var roomLog = await ApiAssert.GetAsync(api, $"/api/v1/rooms/standup/events?date_end={Iso(T.AddMinutes(20))}");
        Assert.Equal(0, roomLog.GetProperty("total_count").GetInt32());
        Assert.Equal(["ANA"], await NamesAsync(await SessionAsync("standup", T.AddMinutes(30))));
        Assert.Equal(["ANA", "CARL"], await NamesAsync(await SessionAsync("planning", T.AddMinutes(5))));

        // The audit log says who deleted what, and how much.
        var entry = await AuditKit.OneAsync(api, "data.deleted");
        Assert.Equal(("developer_key", "session", session), (AuditKit.Actor(entry), AuditKit.TargetType(entry), AuditKit.TargetId(entry)));
        Assert.Equal(2, entry.GetProperty("details").GetProperty("participants").GetInt32());
    }

    [Fact]
    public async Task A_late_event_after_the_deletion_brings_no_name_back_and_changes_only_what_it_adds()
    {
        var session = await SessionAsync("standup", T);
        var before = await ApiAssert.GetAsync(api, $"/api/v1/sessions/{session}");
        await api.DeleteAsync($"/api/v1/sessions/{session}/resources", Ct);

        // A late pair inside the session's span replays its window from the stored events; so does a resent erased event.
        var resent = await Events.PostAsync(api,
            Events.Joined("standup", "dan", T.AddMinutes(4), "c9"),
            Events.Left("standup", "dan", T.AddMinutes(5), "c9"));
        await app.SettleAsync();

        Assert.Equal(2, resent.GetProperty("accepted").GetInt32());
        var after = await ApiAssert.GetAsync(api, $"/api/v1/sessions/{session}");
        Assert.Equal(before.GetProperty("session_start_time").GetString(), after.GetProperty("session_start_time").GetString());
        Assert.Equal(before.GetProperty("session_end_time").GetString(), after.GetProperty("session_end_time").GetString());
        Assert.Equal(before.GetProperty("participants_total").GetInt32() + 1, after.GetProperty("participants_total").GetInt32());
        Assert.Equal(before.GetProperty("participation_minutes").GetDouble() + 1, after.GetProperty("participation_minutes").GetDouble());
        Assert.Equal(["DAN", "Deleted participant", "Deleted participant"], await NamesAsync(session));
    }

    [Fact]
    public async Task A_resent_event_of_an_erased_participant_is_a_duplicate_and_no_name_comes_back()
    {
        var session = await SessionAsync("standup", T.AddMinutes(30));
        await api.PostAsJsonAsync("/api/v1/ingest/events", Events.Batch(
            Events.Joined("standup", "eve", T.AddMinutes(31), "e1", id: "evt-resent"), Events.Left("standup", "eve", T.AddMinutes(32), "e1")), Ct);
        await app.SettleAsync();
        await api.DeleteAsync($"/api/v1/sessions/{session}/resources", Ct);

        var again = await Events.PostAsync(api, Events.Joined("standup", "eve", T.AddMinutes(31), "e1", id: "evt-resent"));

        Assert.Equal(1, again.GetProperty("duplicates").GetInt32());
        Assert.Equal(["Deleted participant", "Deleted participant"], await NamesAsync(session));
    }

    [Fact]
    public async Task A_live_session_or_a_room_with_one_is_refused_with_422_and_nothing_changes()
    {
        await Events.PostAsync(api, Events.Joined("standup", "fay", T.AddMinutes(110), "f1"));
        var live = await SessionAsync("standup", T.AddMinutes(110));

        var session = await api.DeleteAsync($"/api/v1/sessions/{live}/resources", Ct);
        var room = await api.DeleteAsync("/api/v1/rooms/standup/resources", Ct);

        await ApiAssert.ProblemAsync(session, HttpStatusCode.UnprocessableEntity, "session-live");
        await ApiAssert.ProblemAsync(room, HttpStatusCode.UnprocessableEntity, "room-live");
        Assert.Equal(["FAY"], await NamesAsync(live));
        Assert.Equal(["ANA", "BEN"], await NamesAsync(await SessionAsync("standup", T)));
    }

    [Fact]
    public async Task Another_teams_or_an_unknown_id_is_404_and_a_bad_body_is_400()
    {
        var session = await SessionAsync("standup", T);
        var (_, otherKey) = app.CreateTeam("Other team");
        var other = app.Api(otherKey);

        await ApiAssert.ProblemAsync(await other.DeleteAsync($"/api/v1/sessions/{session}/resources", Ct), HttpStatusCode.NotFound, "not-found");
        await ApiAssert.ProblemAsync(await other.DeleteAsync("/api/v1/rooms/standup/resources", Ct), HttpStatusCode.NotFound, "not-found");
        await ApiAssert.ProblemAsync(await api.DeleteAsync($"/api/v1/sessions/{Guid.NewGuid()}/resources", Ct), HttpStatusCode.NotFound, "not-found");
        await ApiAssert.ProblemAsync(await api.DeleteAsync("/api/v1/sessions/not-an-id/resources", Ct), HttpStatusCode.NotFound, "not-found");
        await ApiAssert.ProblemAsync(await api.DeleteAsync("/api/v1/rooms/nowhere/resources", Ct), HttpStatusCode.NotFound, "not-found");
        var notTheirs = await other.DeleteAsync("/api/v1/participants?external_id=ana", Ct);
        Assert.Equal(0, (await ApiAssert.OkAsync(notTheirs)).GetProperty("participants").GetInt32());

        foreach (var body in (string[])["{\"delete_history\": \"yes\"}", "[true]", "{\"delete_hist\": true}", "{\"delete_history\": 1}"])
        {
            await ApiAssert.ProblemAsync(await DeleteWithBodyAsync($"/api/v1/sessions/{session}/resources", body), HttpStatusCode.BadRequest, "validation-failed");
        }

        await ApiAssert.ProblemAsync(await DeleteWithBodyAsync($"/api/v1/sessions/{session}/resources", "{"), HttpStatusCode.BadRequest, "malformed-json");
        var both = await DeleteWithBodyAsync("/api/v1/rooms/planning", "{\"delete_history\": true, \"delete_resources\": false}");
        await ApiAssert.ProblemAsync(both, HttpStatusCode.BadRequest, "validation-failed");
        Assert.Equal(["ANA", "BEN"], await NamesAsync(session));
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/rooms/planning", Ct)).StatusCode);
    }

    [Fact]
    public async Task Delete_history_false_changes_nothing_and_still_answers_204()
    {
        var session = await SessionAsync("standup", T);

        var response = await DeleteWithBodyAsync($"/api/v1/sessions/{session}/resources", "{\"delete_history\": false}");
        var room = await DeleteWithBodyAsync("/api/v1/rooms/standup/resources", "{\"delete_history\": false}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, room.StatusCode);
        Assert.Equal(["ANA", "BEN"], await NamesAsync(session));
        Assert.Equal(10, (await ApiAssert.GetAsync(api, $"/api/v1/participants/{await ParticipantAsync(session, "ana")}/events")).GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task Deleting_a_rooms_history_anonymises_all_its_sessions_and_keeps_the_rooms_statistics()
    {
        var first = await SessionAsync("standup", T);
        var second = await SessionAsync("standup", T.AddMinutes(30));
        var before = new[] { await ResultsAsync(first), await ResultsAsync(second) };
        var roomStatistics = await ApiAssert.GetAsync(api, "/api/v1/rooms/standup/statistics?date_start=2026-11-25&date_end=2026-11-25");

        var response = await DeleteWithBodyAsync("/api/v1/rooms/standup/resources", "{\"delete_history\": true}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(before[0], await ResultsAsync(first));
        Assert.Equal(before[1], await ResultsAsync(second));
        Assert.Equal(roomStatistics.GetRawText(),
            (await ApiAssert.GetAsync(api, "/api/v1/rooms/standup/statistics?date_start=2026-11-25&date_end=2026-11-25")).GetRawText());
        Assert.Equal(["Deleted participant", "Deleted participant"], await NamesAsync(first));
        Assert.Equal(["Deleted participant"], await NamesAsync(second));
        Assert.Equal(0, (await ApiAssert.GetAsync(api, "/api/v1/rooms/standup/events")).GetProperty("total_count").GetInt32());
        Assert.Equal(["ANA", "CARL"], await NamesAsync(await SessionAsync("planning", T.AddMinutes(5))));
    }

    [Fact]
    public async Task Deleting_a_room_with_delete_resources_ends_it_erases_its_history_and_keeps_its_sessions()
    {
        await Events.PostAsync(api, Events.Joined("planning", "gus", T.AddMinutes(110), "g1"));
        var ended = await SessionAsync("planning", T.AddMinutes(5));
        var live = await SessionAsync("planning", T.AddMinutes(110));
        var before = await ResultsAsync(ended);

        var response = await DeleteWithBodyAsync("/api/v1/rooms/planning", "{\"delete_resources\": true}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(before, (await ResultsAsync(ended)).Replace("\"room_is_deleted\":true", "\"room_is_deleted\":false", StringComparison.Ordinal));
        Assert.Contains("\"room_is_deleted\":true", await ResultsAsync(ended), StringComparison.Ordinal);
        Assert.Equal(["Deleted participant", "Deleted participant"], await NamesAsync(ended));
        Assert.Equal(["Deleted participant"], await NamesAsync(live));
        Assert.Equal("api", (await ApiAssert.GetAsync(api, $"/api/v1/sessions/{live}")).GetProperty("end_reason").GetString());
    }

    [Fact]
    public async Task Erasing_a_person_anonymises_them_in_every_room_counts_what_it_touched_and_keeps_the_statistics()
    {
        var sessions = new[] { await SessionAsync("standup", T), await SessionAsync("standup", T.AddMinutes(30)), await SessionAsync("planning", T.AddMinutes(5)) };
        var before = new List<string>();
        foreach (var s in sessions)
        {
            before.Add(await ResultsAsync(s));
        }

        var team = await ApiAssert.GetAsync(api, "/api/v1/statistics?date_start=2026-11-25&date_end=2026-11-25");

        var answer = await ApiAssert.OkAsync(await api.DeleteAsync("/api/v1/participants?external_id=ana", Ct));

        Assert.Equal(2, answer.GetProperty("rooms").GetInt32());
        Assert.Equal(3, answer.GetProperty("sessions").GetInt32());
        Assert.Equal(3, answer.GetProperty("participants").GetInt32());
        // 14 events of ana's: quality_sample and app_error go, the 12 joins, leaves, media and chat events stay without her.
        Assert.Equal(2, answer.GetProperty("events_deleted").GetInt32());
        Assert.Equal(12, answer.GetProperty("events_anonymised").GetInt32());
        Assert.Equal(14, answer.GetProperty("events").GetInt32());
        var after = new List<string>();
        foreach (var s in sessions)
        {
            after.Add(await ResultsAsync(s));
        }

        Assert.Equal(before, after);
        Assert.Equal(team.GetRawText(), (await ApiAssert.GetAsync(api, "/api/v1/statistics?date_start=2026-11-25&date_end=2026-11-25")).GetRawText());
        Assert.Equal(["BEN", "Deleted participant"], await NamesAsync(sessions[0]));
        Assert.Equal(["CARL", "Deleted participant"], await NamesAsync(sessions[2]));
        Assert.Equal(0, (await ApiAssert.GetAsync(api, "/api/v1/participants?limit=100")).GetProperty("data").EnumerateArray()
            .Count(p => p.GetProperty("external_id").GetString() == "ana"));

        // The audit entry counts what the erasure touched but does not keep whom it erased.
        var entry = await AuditKit.OneAsync(api, "data.deleted");
        Assert.Equal(("person", (string?)null), (AuditKit.TargetType(entry), AuditKit.TargetId(entry)));
        Assert.Equal(3, entry.GetProperty("details").GetProperty("participants").GetInt32());
        Assert.DoesNotContain("ana", AuditKit.AllRows(app), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Erasing_a_person_needs_an_external_id_answers_zeros_for_nobody_and_waits_for_their_live_session()
    {
        await ApiAssert.ProblemAsync(await api.DeleteAsync("/api/v1/participants", Ct), HttpStatusCode.BadRequest, "validation-failed");
        await ApiAssert.ProblemAsync(await api.DeleteAsync("/api/v1/participants?external_id=", Ct), HttpStatusCode.BadRequest, "validation-failed");
        await ApiAssert.ProblemAsync(await api.DeleteAsync("/api/v1/participants?external_id=a&external_id=b", Ct), HttpStatusCode.BadRequest, "validation-failed");
        var nobody = await ApiAssert.OkAsync(await api.DeleteAsync("/api/v1/participants?external_id=nobody", Ct));
        Assert.All(nobody.EnumerateObject(), p => Assert.Equal(0, p.Value.GetInt32()));

        await Events.PostAsync(api, Events.Joined("planning", "carl", T.AddMinutes(110), "p9"));
        await ApiAssert.ProblemAsync(await api.DeleteAsync("/api/v1/participants?external_id=carl", Ct), HttpStatusCode.UnprocessableEntity, "participant-live");
        Assert.Equal(["ANA", "CARL"], await NamesAsync(await SessionAsync("planning", T.AddMinutes(5))));
    }

    [Fact]
    public async Task Pending_webhook_messages_lose_the_erased_persons_name_and_identity()
    {
        var created = await ApiAssert.OkAsync(await api.PostAsJsonAsync("/api/v1/webhooks",
            new { endpoint = "https://hooks.example.com/erasure", events = JoinsAndLeaves }, Ct));
        var webhook = created.GetProperty("id").GetString()!;
        // Disabled, its deliveries wait: they are pending when the erasure comes.
        await ApiAssert.OkAsync(await api.PatchAsJsonAsync($"/api/v1/webhooks/{webhook}", new { enabled = false }, Ct));
        await Events.PostAsync(api,
            Events.Joined("hooks", "zoe", T.AddMinutes(60), "z1"), Events.Left("hooks", "zoe", T.AddMinutes(61), "z1"),
            Events.Joined("hooks", "yan", T.AddMinutes(60), "y1"), Events.Left("hooks", "yan", T.AddMinutes(62), "y1"));
        await app.SettleAsync();

        var answer = await ApiAssert.OkAsync(await api.DeleteAsync("/api/v1/participants?external_id=zoe", Ct));

        Assert.Equal(2, answer.GetProperty("webhook_deliveries").GetInt32());
        var deliveries = (await ApiAssert.GetAsync(api, $"/api/v1/webhooks/{webhook}/deliveries")).GetProperty("data").EnumerateArray()
            .Select(d => d.GetProperty("payload").GetProperty("data")).ToList();
        Assert.Equal(4, deliveries.Count);
        Assert.Equal(["Deleted participant", "Deleted participant", "YAN", "YAN"], deliveries.Select(d => d.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(deliveries, d => d.GetProperty("external_id").GetString() == "zoe");
    }

    [Fact]
    public async Task The_openapi_document_lists_the_deletions_at_digital_sambas_paths_with_their_optional_bodies()
    {
        var paths = (await ApiAssert.GetAsync(app.CreateClient(), "/openapi/v1.json")).GetProperty("paths");

        foreach (var (path, name) in (ValueTuple<string, string>[])[("/api/v1/sessions/{id}/resources", "DeleteSessionResources"),
                     ("/api/v1/rooms/{room}/resources", "DeleteRoomResources"), ("/api/v1/participants", "EraseParticipant"), ("/api/v1/rooms/{room}", "DeleteRoom")])
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"OpenAPI lacks {path}");
            var delete = item.GetProperty("delete");
            Assert.Equal(name, delete.GetProperty("operationId").GetString());
            if (name != "EraseParticipant")
            {
                Assert.False(delete.GetProperty("requestBody").TryGetProperty("required", out var required) && required.GetBoolean());
            }
        }

        Assert.Contains(paths.GetProperty("/api/v1/participants").GetProperty("delete").GetProperty("parameters").EnumerateArray(),
            p => p.GetProperty("name").GetString() == "external_id");
    }

    /// <summary>The session's detail, statistics and list item, with nothing that an erasure may change.</summary>
    private async Task<string> ResultsAsync(string session)
    {
        var list = (await ApiAssert.GetAsync(api, "/api/v1/sessions?limit=100")).GetProperty("data").EnumerateArray()
            .Single(s => s.GetProperty("id").GetString() == session);
        var results = new JsonObject
        {
            ["session"] = JsonNode.Parse((await ApiAssert.GetAsync(api, $"/api/v1/sessions/{session}")).GetRawText()),
            ["statistics"] = JsonNode.Parse((await ApiAssert.GetAsync(api, $"/api/v1/sessions/{session}/statistics")).GetRawText()),
            ["item"] = JsonNode.Parse(list.GetRawText()),
        };
        return results.ToJsonString();
    }

    private async Task<string> SessionAsync(string room, DateTimeOffset start) =>
        (await ApiAssert.GetAsync(api, $"/api/v1/rooms/{room}/sessions?limit=100")).GetProperty("data").EnumerateArray()
        .Single(s => s.GetProperty("start_time").GetDateTimeOffset() == start).GetProperty("id").GetString()!;

    private async Task<string> ParticipantAsync(string session, string who) =>
        (await ApiAssert.GetAsync(api, $"/api/v1/sessions/{session}/participants")).GetProperty("data").EnumerateArray()
        .Single(p => p.GetProperty("external_id").GetString() == who).GetProperty("id").GetString()!;

    private async Task<string[]> NamesAsync(string session) =>
        [.. (await ApiAssert.GetAsync(api, $"/api/v1/sessions/{session}/participants")).GetProperty("data").EnumerateArray()
            .Select(p => p.GetProperty("name").GetString()!).Order(StringComparer.Ordinal)];

    private async Task<HttpResponseMessage> DeleteWithBodyAsync(string url, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        return await api.SendAsync(request, Ct);
    }

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
