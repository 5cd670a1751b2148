using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests.DigitalSamba;

/// <summary>
/// A room is reached by name in paths, so names that a route or a room id would shadow are refused wherever a member
/// names a room: POST and PATCH /rooms and the dashboard's room form (Callscope.Core.Rooms.RoomNames).
/// </summary>
public sealed partial class RoomNameTests : IAsyncLifetime
{
    private readonly CallscopeApp app = new();
    private HttpClient api = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Refused() =>
    [
        "live", "LIVE", "Live", "a/b", "/", "standup/", "a\\b", ".", "..", "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
        "{3F2504E0-4F89-11D3-9A0C-0305E82C3301}", "3f2504e04f8911d39a0c0305e82c3301", "tab\there", "line\nbreak", new string('x', 201),
    ];

    public async ValueTask InitializeAsync()
    {
        api = app.Api();
        await ApiAssert.OkAsync(await api.PostAsJsonAsync("/api/v1/rooms", new { friendly_url = "standup" }, Ct));
    }

    public async ValueTask DisposeAsync()
    {
        api.Dispose();
        await app.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task The_api_refuses_to_create_or_rename_a_room_to_a_name_paths_cannot_reach(string name)
    {
        var created = await api.PostAsJsonAsync("/api/v1/rooms", new { friendly_url = name }, Ct);
        var renamed = await api.PatchAsync("/api/v1/rooms/standup", JsonContent.Create(new { friendly_url = name }), Ct);

        foreach (var response in new[] { created, renamed })
        {
            var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "validation-failed");
            Assert.Equal("friendly_url", problem.GetProperty("errors")[0].GetProperty("field").GetString());
        }

        var rooms = await ApiAssert.GetAsync(api, "/api/v1/rooms");
        Assert.Equal(["standup"], rooms.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("friendly_url").GetString()));
    }

    [Theory]
    [InlineData("livestream")]
    [InlineData("Salle de réunion")]
    [InlineData("3f2504e0")]
    public async Task Names_that_only_resemble_a_reserved_one_are_accepted(string name)
    {
        var created = await ApiAssert.OkAsync(await api.PostAsJsonAsync("/api/v1/rooms", new { friendly_url = name }, Ct));

        Assert.Equal(name, created.GetProperty("friendly_url").GetString());
        Assert.Equal(created.GetProperty("id").GetString(), (await ApiAssert.GetAsync(api, $"/api/v1/rooms/{Uri.EscapeDataString(name)}")).GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("live")]
    [InlineData("a/b")]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    public async Task The_dashboards_room_form_refuses_such_names_and_stores_nothing(string name)
    {
        var browser = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await PostFormAsync(browser, "/signin", new() { ["Form.Email"] = CallscopeApp.AdminEmail, ["Form.Password"] = CallscopeApp.AdminPassword });

        var answer = await PostFormAsync(browser, "/rooms/new", new() { ["Form.FriendlyUrl"] = name });

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var page = WebUtility.HtmlDecode(await answer.Content.ReadAsStringAsync(Ct));
        Assert.Contains(Core.Rooms.RoomNames.Problem(name)!, page, StringComparison.Ordinal);
        Assert.Equal(1, (await ApiAssert.GetAsync(api, "/api/v1/rooms")).GetProperty("total_count").GetInt32());
    }

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string url, Dictionary<string, string> fields)
    {
        var form = await client.GetStringAsync(url, Ct);
        fields["__RequestVerificationToken"] = Token().Match(form).Groups[1].Value;
        var response = await client.PostAsync(url, new FormUrlEncodedContent(fields), Ct);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect, $"{url}: {(int)response.StatusCode}");
        return response;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
