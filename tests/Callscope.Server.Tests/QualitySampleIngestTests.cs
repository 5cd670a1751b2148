using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Callscope.Core.Ingest;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests;

/// <summary>Quality samples through the native ingest: their data is checked member by member, stored whole, and documented.</summary>
public sealed class QualitySampleIngestTests : IAsyncLifetime
{
    private readonly CallscopeApp app = new();
    private HttpClient api = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Every member the diagnosis and the chart read, each at a value the rules take, and one of the client's own.</summary>
    private static readonly Dictionary<string, object> FullSample = new()
    {
        ["rtt_ms"] = 48.5, ["jitter_ms"] = 3.2, ["packet_loss_pct"] = 0.4, ["mos"] = 4.3,
        ["bitrate_up_kbps"] = 1450, ["bitrate_down_kbps"] = 2100, ["audio_bitrate_up_kbps"] = 32, ["audio_bitrate_down_kbps"] = 28.5,
        ["fps"] = 29.97, ["width"] = 1280, ["height"] = 720, ["score"] = 4.5,
        ["quality_limitation"] = "bandwidth", ["candidate_type"] = "relay", ["network_type"] = "cellular", ["connection_state"] = "connected",
        ["codec"] = "VP8",
    };

    public ValueTask InitializeAsync()
    {
        api = app.Api();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_sample_with_bad_members_refuses_the_batch_naming_the_event_and_each_field_and_stores_nothing()
    {
        var start = CallscopeApp.Start;
        var batch = Events.Batch(
            Events.Joined("clinic", "ana", start, connection: "c-ana"),
            Events.Of("quality_sample", "clinic", "ana", start.AddSeconds(5), FullSample, connection: "c-ana"),
            Events.Of("quality_sample", "clinic", "ana", start.AddSeconds(10), new { rtt_ms = 40, mos = 7, width = 1280.5, candidate_type = "turn", network_type = "NaN" }, connection: "c-ana"));

        var response = await api.PostAsJsonAsync("/api/v1/ingest/events", batch, Ct);

        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "validation-failed");
        var errors = problem.GetProperty("errors").EnumerateArray()
            .Select(e => $"{e.GetProperty("index").GetInt32()} {e.GetProperty("field").GetString()}: {e.GetProperty("message").GetString()}");
        Assert.Equal(
            [
                "2 data.mos: 'data.mos' must be a number from 1 to 5.",
                "2 data.width: 'data.width' must be a number from 0 to 16,384, with no fraction.",
                "2 data.candidate_type: 'data.candidate_type' must be one of: host, srflx, prflx, relay.",
                "2 data.network_type: 'data.network_type' must be one of: wifi, ethernet, cellular, vpn, bluetooth, wimax, mixed, none, other, unknown.",
            ],
            errors);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task A_sample_with_a_number_sent_as_text_is_refused_with_its_field_named()
    {
        var response = await api.PostAsJsonAsync("/api/v1/ingest/events", Events.Batch(
            Events.Of("quality_sample", "clinic", "ana", CallscopeApp.Start, new { packet_loss_pct = "Infinity" })), Ct);

        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "validation-failed");
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal(0, error.GetProperty("index").GetInt32());
        Assert.Equal("data.packet_loss_pct", error.GetProperty("field").GetString());
        Assert.Equal("'data.packet_loss_pct' must be a number from 0 to 100.", problem.GetProperty("message").GetString());
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task A_full_sample_is_stored_and_read_back_whole_in_the_participants_events_log()
    {
        var start = CallscopeApp.Start.AddMinutes(-1);

        await Events.PostAsync(api,
            Events.Joined("clinic", "ana", start, connection: "c-ana"),
            Events.Of("quality_sample", "clinic", "ana", start.AddSeconds(5), FullSample, connection: "c-ana"),
            Events.Of("quality_sample", "clinic", "ana", start.AddSeconds(10), new { rtt_ms = (int?)null, connection_state = (string?)null }, connection: "c-ana"));

        var participants = await ApiAssert.GetAsync(api, "/api/v1/participants");
        var participant = Assert.Single(participants.GetProperty("data").EnumerateArray()).GetProperty("id").GetString();
        var log = await ApiAssert.GetAsync(api, $"/api/v1/participants/{participant}/events?type=quality_sample");
        var samples = log.GetProperty("data").EnumerateArray().OrderBy(e => e.GetProperty("timestamp").GetDateTimeOffset()).Select(e => e.GetProperty("data")).ToList();
        Assert.Equal(2, samples.Count);
        Assert.Equal(
            FullSample.Select(m => $"{m.Key}={Convert.ToString(m.Value, CultureInfo.InvariantCulture)}").Order(StringComparer.Ordinal),
            samples[0].EnumerateObject().Select(m => $"{m.Name}={Show(m.Value)}").Order(StringComparer.Ordinal));
        Assert.Equal(JsonValueKind.Null, samples[1].GetProperty("rtt_ms").ValueKind);
    }

    [Fact]
    public async Task The_openapi_document_describes_quality_sample_data_with_the_ingest_rules_ranges_and_values()
    {
        var document = await ApiAssert.GetAsync(app.CreateClient(), "/openapi/v1.json");

        var schema = document.GetProperty("components").GetProperty("schemas").GetProperty("QualitySampleData");
        var properties = schema.GetProperty("properties");
        Assert.Equal(
            FullSample.Keys.Where(k => k != "codec").Order(StringComparer.Ordinal),
            properties.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        foreach (var field in EventRules.NumericFields.Where(f => f.EventType == "quality_sample"))
        {
            var member = properties.GetProperty(field.Name);
            Assert.Equal(field.Whole ? "integer" : "number", member.GetProperty("type").GetString());
            Assert.Equal(field.Min, member.GetProperty("minimum").GetDouble());
            Assert.Equal(field.Max, member.GetProperty("maximum").GetDouble());
            Assert.False(string.IsNullOrWhiteSpace(member.GetProperty("description").GetString()));
        }

        foreach (var field in EventRules.ChoiceFields.Where(f => f.EventType == "quality_sample"))
        {
            var member = properties.GetProperty(field.Name);
            Assert.Equal("string", member.GetProperty("type").GetString());
            Assert.Equal(field.Values, member.GetProperty("enum").EnumerateArray().Select(v => v.GetString()));
        }

        Assert.Contains("milliseconds", properties.GetProperty("rtt_ms").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("kbit/s", properties.GetProperty("audio_bitrate_up_kbps").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("quality_sample", schema.GetProperty("description").GetString(), StringComparison.Ordinal);

        var body = document.GetProperty("paths").GetProperty("/api/v1/ingest/events").GetProperty("post")
            .GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        var item = body.GetProperty("properties").GetProperty("events").GetProperty("items");
        Assert.Equal("quality_sample", item.GetProperty("if").GetProperty("properties").GetProperty("type").GetProperty("const").GetString());
        Assert.Equal("#/components/schemas/QualitySampleData", item.GetProperty("then").GetProperty("properties").GetProperty("data").GetProperty("$ref").GetString());
    }

    private static string? Show(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number ? value.GetDouble().ToString(CultureInfo.InvariantCulture) : value.GetString();

    private async Task AssertNothingStoredAsync()
    {
        var sessions = await ApiAssert.GetAsync(api, "/api/v1/sessions");
        Assert.Equal(0, sessions.GetProperty("total_count").GetInt32());
        var participants = await ApiAssert.GetAsync(api, "/api/v1/participants");
        Assert.Equal(0, participants.GetProperty("total_count").GetInt32());
        var rooms = await ApiAssert.GetAsync(api, "/api/v1/rooms");
        Assert.Equal(0, rooms.GetProperty("total_count").GetInt32());
    }
}
