using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Callscope.Server.Tests.Infrastructure;
using CsvHelper;

namespace Callscope.Server.Tests.Statistics;

/// <summary><c>metrics</c>, the timeline's CSV, and the 400 problems of every statistics endpoint.</summary>
public sealed class StatisticsParameterTests(UsageHistory history) : IClassFixture<UsageHistory>
{
    private const string TimelineColumns =
        "start,end,max_concurrent_sessions,max_concurrent_participants,participation_minutes,desktop_participation_minutes," +
        "mobile_participation_minutes,tablet_participation_minutes,smarttv_participation_minutes,sessions";

    private HttpClient Api => history.Api;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Every statistics endpoint, with a field of its own besides <c>participation_minutes</c>.</summary>
    public static TheoryData<string, string> Endpoints() => new()
    {
        { "/api/v1/statistics", "rooms" },
        { "/api/v1/statistics/team/current", "max_concurrent_sessions" },
        { "/api/v1/statistics/current", "live_sessions" },
        { "/api/v1/rooms/{room}/statistics", "room_friendly_url" },
        { "/api/v1/rooms/{room}/statistics/current", "room_id" },
        { "/api/v1/sessions/{session}/statistics", "session_id" },
        { "/api/v1/participants/{participant}/statistics", "participant_name" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Metrics_keep_exactly_the_named_fields_in_the_answers_order(string template, string field)
    {
        var full = await ApiAssert.GetAsync(Api, Fill(template));
        var kept = await ApiAssert.GetAsync(Api, $"{Fill(template)}?metrics={field},%20participation_minutes");

        var order = full.EnumerateObject().Select(p => p.Name).Where(n => n == field || n == "participation_minutes");
        Assert.Equal(order, kept.EnumerateObject().Select(p => p.Name));
        Assert.Equal(full.GetProperty(field).GetRawText(), kept.GetProperty(field).GetRawText());
        Assert.Equal(full.GetProperty("participation_minutes").GetDouble(), kept.GetProperty("participation_minutes").GetDouble());
        Assert.True(full.EnumerateObject().Count() > 2);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task An_unknown_metric_an_empty_list_or_a_repeated_metrics_is_a_400_naming_it(string template, string field)
    {
        var unknown = await ApiAssert.ProblemAsync(
            await Api.GetAsync($"{Fill(template)}?metrics={field},participation_minutez", Ct), HttpStatusCode.BadRequest, "validation-failed");
        var empty = await ApiAssert.ProblemAsync(await Api.GetAsync($"{Fill(template)}?metrics=", Ct), HttpStatusCode.BadRequest, "validation-failed");
        var twice = await ApiAssert.ProblemAsync(
            await Api.GetAsync($"{Fill(template)}?metrics={field}&metrics=participation_minutes", Ct), HttpStatusCode.BadRequest, "validation-failed");

        Assert.Contains("participation_minutez", OnlyError(unknown, "metrics"), StringComparison.Ordinal);
        Assert.Contains("at least one field", OnlyError(empty, "metrics"), StringComparison.Ordinal);
        Assert.Contains("only once", OnlyError(twice, "metrics"), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Every_statistics_endpoint_answers_401_without_a_key(string template, string field)
    {
        using var anonymous = history.App.CreateClient();

        await ApiAssert.ProblemAsync(await anonymous.GetAsync($"{Fill(template)}?metrics={field}", Ct), HttpStatusCode.Unauthorized, "unauthorized");
        await ApiAssert.ProblemAsync(await anonymous.GetAsync("/api/v1/statistics/timeline", Ct), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Theory]
    [InlineData("date_start=2026-13-01", "date_start")]
    [InlineData("date_start=yesterday", "date_start")]
    [InlineData("date_end=2026-11-24T10:00:00", "date_end")]
    [InlineData("date_start=2026-11-24&date_end=2026-11-23", "date_start")]
    [InlineData("date_start=2026-11-24T10:00:00Z&date_end=2026-11-24T10:00:00Z", "date_start")]
    [InlineData("date_start=2026-12-01", "date_start")]
    [InlineData("date_start=2016-01-01&date_end=2026-11-24", "date_end")]
    [InlineData("date_start=9999-12-31&date_end=9999-12-31", "date_end")]
    [InlineData("date_start=0001-01-01", "date_end")]
    [InlineData("date_start=2026-11-01&date_start=2026-11-02", "date_start")]
    public async Task A_bad_period_is_a_400_naming_the_parameter_on_every_period_endpoint(string query, string field)
    {
        foreach (var path in (string[])["/api/v1/statistics", "/api/v1/rooms/alpha/statistics", "/api/v1/statistics/timeline"])
        {
            var problem = await ApiAssert.ProblemAsync(await Api.GetAsync($"{path}?{query}", Ct), HttpStatusCode.BadRequest, "validation-failed");

            Assert.False(string.IsNullOrEmpty(OnlyError(problem, field)));
        }
    }

    [Theory]
    [InlineData("interval=minute&date_start=2026-11-22&date_end=2026-11-24", "2 days")]
    [InlineData("interval=hour&date_start=2026-08-01&date_end=2026-11-02", "93 days")]
    [InlineData("interval=day&date_start=2016-08-01&date_end=2026-11-24", "3,700 days")]
    public async Task A_timeline_over_its_intervals_limit_is_a_400_that_says_the_limit(string query, string limit)
    {
        var problem = await ApiAssert.ProblemAsync(
            await Api.GetAsync($"/api/v1/statistics/timeline?{query}", Ct), HttpStatusCode.BadRequest, "validation-failed");

        Assert.Contains(limit, OnlyError(problem, "date_end"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_longest_hour_timeline_is_answered()
    {
        var hours = await ApiAssert.GetAsync(Api, "/api/v1/statistics/timeline?interval=hour&date_start=2026-08-01&date_end=2026-11-01");

        Assert.Equal(93 * 24, hours.GetProperty("points").GetArrayLength());
    }

    [Theory]
    [InlineData("interval=week", "interval")]
    [InlineData("interval=Day", "interval")]
    [InlineData("interval=day&interval=hour", "interval")]
    [InlineData("format=xml", "format")]
    public async Task An_unknown_interval_or_format_is_a_400(string query, string field)
    {
        var problem = await ApiAssert.ProblemAsync(
            await Api.GetAsync($"/api/v1/statistics/timeline?{query}", Ct), HttpStatusCode.BadRequest, "validation-failed");

        Assert.False(string.IsNullOrEmpty(OnlyError(problem, field)));
    }

    [Theory]
    [InlineData("format=csv", null)]
    [InlineData("", "text/csv")]
    [InlineData("", "application/json;q=0.5, text/csv")]
    public async Task A_timeline_as_csv_has_the_json_points_columns_in_order_and_rfc_3339_times(string query, string? accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/statistics/timeline?date_start=2026-11-23&date_end=2026-11-24&{query}");
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        using var response = await Api.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment; filename=\"timeline-2026-11-25.csv\"", response.Content.Headers.ContentDisposition?.ToString());
        Assert.StartsWith(TimelineColumns + "\r\n", text, StringComparison.Ordinal);
        var rows = Rows(text);
        Assert.Equal(2, rows.Count);
        Assert.Equal(["2026-11-23T00:00:00.000Z", "2026-11-24T00:00:00.000Z"], rows[0][..2]);
        Assert.Equal(["2026-11-24T00:00:00.000Z", "2026-11-25T00:00:00.000Z"], rows[1][..2]);
        Assert.Equal([1, 2, 75, 30, 20, 25, 0, 2], rows[0][2..].Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal([2, 3, 50, 30, 10, 0, 10, 1], rows[1][2..].Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Format_json_answers_json_whatever_the_accept_header_says()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/statistics/timeline?format=json");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));

        var body = await ApiAssert.OkAsync(await Api.SendAsync(request, Ct));

        Assert.Equal("day", body.GetProperty("interval").GetString());
        Assert.True(body.GetProperty("points").GetArrayLength() > 0);
        Assert.False(body.TryGetProperty("total_count", out _));
    }

    [Fact]
    public async Task The_openapi_document_lists_the_statistics_endpoints_with_their_parameters()
    {
        var paths = (await ApiAssert.GetAsync(history.App.CreateClient(), "/openapi/v1.json")).GetProperty("paths");

        string[] Parameters(string path) =>
            [.. paths.GetProperty(path).GetProperty("get").GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()!)];

        Assert.Equal(["date_start", "date_end", "metrics"], Parameters("/api/v1/statistics"));
        Assert.Equal(["metrics"], Parameters("/api/v1/statistics/team/current"));
        Assert.Equal(["metrics"], Parameters("/api/v1/statistics/current"));
        Assert.Equal(["date_start", "date_end", "interval", "format"], Parameters("/api/v1/statistics/timeline"));
        Assert.Equal(["room", "date_start", "date_end", "metrics"], Parameters("/api/v1/rooms/{room}/statistics"));
        Assert.Equal(["room", "metrics"], Parameters("/api/v1/rooms/{room}/statistics/current"));
        Assert.Equal(["id", "metrics"], Parameters("/api/v1/sessions/{id}/statistics"));
        Assert.Equal(["id", "metrics"], Parameters("/api/v1/participants/{id}/statistics"));
        var team = paths.GetProperty("/api/v1/statistics").GetProperty("get").GetProperty("responses").GetProperty("200");
        Assert.True(team.GetProperty("content").TryGetProperty("application/json", out _));
    }

    private string Fill(string template) => template
        .Replace("{room}", history.AlphaId, StringComparison.Ordinal)
        .Replace("{session}", history.SessionId, StringComparison.Ordinal)
        .Replace("{participant}", history.ParticipantId, StringComparison.Ordinal);

    /// <summary>The message of the problem's one error, which must name <paramref name="field"/>.</summary>
    private static string OnlyError(JsonElement problem, string field)
    {
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal(field, error.GetProperty("field").GetString());
        return error.GetProperty("message").GetString()!;
    }

    private static List<string[]> Rows(string text)
    {
        using var reader = CsvReader.FromText(text, CsvReaderOptions.Default with { Separator = ',', TrimWhitespace = false });
        var rows = new List<string[]>();
        while (reader.Read())
        {
            rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetString(i))]);
        }

        return rows;
    }
}
