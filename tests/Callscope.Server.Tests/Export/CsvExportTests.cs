using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Callscope.Server.Tests.Infrastructure;
using Callscope.Server.Tests.Security;
using CsvHelper;

namespace Callscope.Server.Tests.Export;

public sealed class CsvExportTests : IAsyncLifetime
{
    private readonly CallscopeApp app = new();
    private HttpClient api = null!;

    public async ValueTask InitializeAsync()
    {
        api = app.Api();
        // Seven sessions in three rooms: two live, five ended, with eleven participants among them.
        var t = CallscopeApp.Start.AddHours(-5);
        for (var i = 0; i < 5; i++)
        {
            var room = i % 2 == 0 ? "support-desk" : "weekly-sync";
            await Events.PostAsync(api, Events.Joined(room, $"ana-{i}", t.AddMinutes(i * 40)), Events.Joined(room, $"ben-{i}", t.AddMinutes(i * 40 + 1)),
                Events.Left(room, $"ana-{i}", t.AddMinutes(i * 40 + 10)), Events.Left(room, $"ben-{i}", t.AddMinutes(i * 40 + 11)));
            await app.AdvanceAsync(TimeSpan.FromMinutes(10));
        }

        await Events.PostAsync(api, Events.Joined("board-room", "cleo", CallscopeApp.Start.AddMinutes(-3)));
        await Events.PostAsync(api, Events.Joined("support-desk", "dan", CallscopeApp.Start.AddMinutes(-2)));
        await app.SettleAsync();
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Theory]
    [InlineData("/api/v1/sessions", "")]
    [InlineData("/api/v1/sessions", "order=asc")]
    [InlineData("/api/v1/participants", "")]
    [InlineData("/api/v1/participants", "order=asc")]
    public async Task The_csv_holds_every_item_of_every_json_page_in_the_same_order_and_format(string list, string query)
    {
        var items = await AllPagesAsync(list, query);

        var (header, rows) = await CsvAsync($"{list}?{Join(query, "format=csv")}");

        Assert.True(items.Count > 6, $"only {items.Count} items");
        Assert.Equal(Flatten(items[0]).Select(c => c.Name), header);
        Assert.Equal(items.Select(i => Flatten(i).Select(c => c.Text).ToArray()), rows);
    }

    [Theory]
    [InlineData("/api/v1/sessions", "live=true")]
    [InlineData("/api/v1/sessions", "live=false")]
    [InlineData("/api/v1/sessions", "q=weekly")]
    [InlineData("/api/v1/sessions", "has_issues=false")]
    [InlineData("/api/v1/sessions", "date_start=2026-11-25T07:00:00Z&date_end=2026-11-25T08:30:00Z")]
    [InlineData("/api/v1/participants", "live=true")]
    [InlineData("/api/v1/participants", "live=false&order=asc")]
    [InlineData("/api/v1/participants", "has_issues=false")]
    [InlineData("/api/v1/participants", "date_start=2026-11-25T07:00:00Z")]
    public async Task Every_filter_of_the_json_list_applies_to_the_csv(string list, string query)
    {
        var all = await AllPagesAsync(list, string.Empty);
        var filtered = await AllPagesAsync(list, query);

        var (_, rows) = await CsvAsync($"{list}?{Join(query, "format=csv")}");

        Assert.NotEmpty(filtered);
        Assert.True(filtered.Count < all.Count || query.StartsWith("has_issues", StringComparison.Ordinal), $"{query} filtered nothing out");
        Assert.Equal(filtered.Select(i => i.GetProperty("id").GetString()), rows.Select(r => r[0]));
    }

    [Fact]
    public async Task The_room_filter_and_the_room_scoped_lists_export_one_room()
    {
        var room = (await AllPagesAsync("/api/v1/sessions", "q=weekly"))[0].GetProperty("room_id").GetString();
        var expected = (await AllPagesAsync("/api/v1/sessions", $"room_id={room}")).Select(i => i.GetProperty("id").GetString()).ToList();
        var participants = (await AllPagesAsync("/api/v1/participants", $"room_id={room}")).Select(i => i.GetProperty("id").GetString()).ToList();

        Assert.Equal(2, expected.Count);
        Assert.Equal(expected, (await CsvAsync($"/api/v1/sessions?room_id={room}&format=csv")).Rows.Select(r => r[0]));
        Assert.Equal(expected, (await CsvAsync("/api/v1/rooms/weekly-sync/sessions?format=csv")).Rows.Select(r => r[0]));
        Assert.Equal(participants, (await CsvAsync("/api/v1/rooms/weekly-sync/participants?format=csv")).Rows.Select(r => r[0]));
    }

    [Fact]
    public async Task Accept_text_csv_answers_an_attachment_in_utf8_without_bom_and_with_crlf_line_ends()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/sessions?live=true");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));

        using var response = await api.SendAsync(request, TestContext.Current.CancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("attachment; filename=\"sessions-2026-11-25.csv\"", response.Content.Headers.ContentDisposition?.ToString());
        Assert.NotEqual(0xEF, bytes[0]);
        var text = Encoding.UTF8.GetString(bytes);
        Assert.StartsWith("id,start_time,end_time,room_id,", text, StringComparison.Ordinal);
        Assert.Contains("issues_warnings,issues_errors,issues_worst\r\n", text, StringComparison.Ordinal);
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        Assert.Equal(4, text.Split("\r\n").Length); // the header, two live sessions and the end of the last line
        Assert.DoesNotContain("\n", text.Replace("\r\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_accept_header_that_prefers_json_gets_json()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/sessions");
        request.Headers.Accept.ParseAdd("application/json, text/csv;q=0.5");

        using var response = await api.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_empty_result_is_the_header_line_alone()
    {
        var text = await api.GetStringAsync("/api/v1/participants?format=csv&date_start=2030-01-01", TestContext.Current.CancellationToken);

        Assert.Equal("id,external_id,session_id,room_id,room_external_id,room_is_deleted,name,role,friendly_url,join_time,leave_time,live,"
            + "room_friendly_url,participant_name,device,system,browser,participation_minutes,reconnects,issues_warnings,issues_errors,issues_worst\r\n", text);
    }

    [Theory]
    [InlineData("/api/v1/sessions?format=csv&live=maybe", "live")]
    [InlineData("/api/v1/sessions?format=csv&date_start=yesterday", "date_start")]
    [InlineData("/api/v1/participants?format=csv&room_id=not-a-uuid", "room_id")]
    [InlineData("/api/v1/sessions?format=xml", "format")]
    [InlineData("/api/v1/sessions?format=csv&limit=10", "limit")]
    [InlineData("/api/v1/participants?format=csv&after=x", "after")]
    public async Task A_bad_filter_is_the_same_400_problem_as_for_json(string url, string field)
    {
        var body = await ApiAssert.ProblemAsync(await api.GetAsync(url, TestContext.Current.CancellationToken), HttpStatusCode.BadRequest, "validation-failed");

        Assert.Contains(field, body.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Names_a_spreadsheet_would_run_as_formulas_are_neutralised_and_numbers_stay_numbers()
    {
        string[] hostile = ["=HYPERLINK(\"http://x\")", "+1", "-1", "@x"];
        await Events.PostAsync(api, [.. hostile.Select((who, i) => Events.Joined("hostile-room", who, CallscopeApp.Start.AddSeconds(-i - 1)))]);
        await app.SettleAsync();

        var (header, rows) = await CsvAsync("/api/v1/rooms/hostile-room/participants?format=csv&order=asc");

        var names = rows.Select(r => r[Array.IndexOf(header, "name")]).ToList();
        Assert.Equal(["'+1", "'-1", "'=HYPERLINK(\"HTTP://X\")", "'@X"], names.Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal("0", r[Array.IndexOf(header, "reconnects")]));
        Assert.All(rows, r => Assert.Matches("^[0-9.]+$", r[Array.IndexOf(header, "participation_minutes")]));
    }

    [Fact]
    public async Task Quotes_commas_and_line_breaks_round_trip()
    {
        // Names cannot hold control characters; a room's description can.
        const string who = "o'brien, \"the boss\"";
        const string description = "Line one, \"quoted\"\r\nline two\nline three";
        await Events.PostAsync(api, Events.Joined("quoted-room", who, CallscopeApp.Start.AddSeconds(-1)));
        await app.SettleAsync();
        using var patch = await api.PatchAsJsonAsync("/api/v1/rooms/quoted-room", new { description }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);

        var (header, rows) = await CsvAsync("/api/v1/rooms/quoted-room/participants?format=csv");
        var (sessionHeader, sessions) = await CsvAsync("/api/v1/rooms/quoted-room/sessions?format=csv");

        Assert.Equal(who, Assert.Single(rows)[Array.IndexOf(header, "external_id")]);
        Assert.Equal(who.ToUpperInvariant(), rows[0][Array.IndexOf(header, "name")]);
        Assert.Equal(description, Assert.Single(sessions)[Array.IndexOf(sessionHeader, "description")]);
    }

    [Fact]
    public async Task A_signed_in_viewer_exports_with_the_dashboard_cookie()
    {
        SignedIn.AddMember(app, "viewer@example.test", "viewer");
        using var member = await SignedIn.AsAsync(app, "viewer@example.test", "viewer-password-2468");

        using var response = await member.Client.GetAsync("/api/v1/sessions?format=csv&live=true", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_sessions_page_links_to_the_csv_of_its_tab_search_and_problem_filter()
    {
        using var admin = await SignedIn.AsAdminAsync(app);
        var html = await admin.Client.GetStringAsync("/?tab=ended&q=support&problems=1", TestContext.Current.CancellationToken);

        var href = System.Text.RegularExpressions.Regex.Match(html, "href=\"([^\"]*)\" download>Export CSV<").Groups[1].Value;
        using var response = await admin.Client.GetAsync(System.Net.WebUtility.HtmlDecode(href), TestContext.Current.CancellationToken);

        Assert.Equal("/api/v1/sessions?format=csv&live=false&q=support&has_issues=true", System.Net.WebUtility.HtmlDecode(href));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<List<JsonElement>> AllPagesAsync(string list, string query)
    {
        var items = new List<JsonElement>();
        string? after = null;
        do
        {
            var page = await ApiAssert.GetAsync(api, $"{list}?{Join(query, "limit=3")}{(after is null ? string.Empty : "&after=" + after)}");
            var data = page.GetProperty("data").EnumerateArray().ToList();
            items.AddRange(data);
            after = data.Count == 3 ? data[^1].GetProperty("id").GetString() : null;
        }
        while (after is not null);

        return items;
    }

    private async Task<(string[] Header, List<string[]> Rows)> CsvAsync(string url)
    {
        using var response = await api.GetAsync(url, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url} answered {(int)response.StatusCode}: {text}");
        using var reader = CsvReader.FromText(text, CsvReaderOptions.Default with { Separator = ',', TrimWhitespace = false });
        var rows = new List<string[]>();
        while (reader.Read())
        {
            rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetString(i))]);
        }

        return ([.. reader.Headers], rows);
    }

    /// <summary>A JSON item's scalar fields as the CSV writes them: nested objects joined by <c>_</c>, lists left out.</summary>
    private static IEnumerable<(string Name, string Text)> Flatten(JsonElement item, string prefix = "")
    {
        foreach (var property in item.EnumerateObject())
        {
            var name = prefix + property.Name;
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var inner in Flatten(property.Value, name + "_"))
                    {
                        yield return inner;
                    }

                    break;
                case JsonValueKind.Array:
                    break;
                case JsonValueKind.String:
                    yield return (name, property.Value.GetString()!);
                    break;
                case JsonValueKind.Null:
                    yield return (name, string.Empty);
                    break;
                default:
                    yield return (name, property.Value.GetRawText());
                    break;
            }
        }
    }

    private static string Join(string query, string more) => query.Length == 0 ? more : $"{query}&{more}";
}
