using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests;

public sealed class SearchTests : IAsyncLifetime
{
    private readonly CallscopeApp app = new();
    private HttpClient api = null!;

    public async ValueTask InitializeAsync()
    {
        api = app.Api();
        await Events.PostAsync(api, Events.Joined("Customer-Support", "ana", CallscopeApp.Start), Events.Joined("weekly-sync", "ben", CallscopeApp.Start));
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Q_finds_a_session_by_its_id()
    {
        var target = await SessionOfAsync("weekly-sync");

        var found = await SearchAsync(target.Id);

        Assert.Equal([target.Id], found);
    }

    [Fact]
    public async Task Q_finds_a_session_by_the_first_characters_of_its_id()
    {
        var target = await SessionOfAsync("weekly-sync");

        var found = await SearchAsync(target.Id[..8]);

        Assert.Contains(target.Id, found);
    }

    [Fact]
    public async Task Q_finds_a_session_by_its_room_id()
    {
        var target = await SessionOfAsync("Customer-Support");

        var found = await SearchAsync(target.RoomId);

        Assert.Equal([target.Id], found);
    }

    [Fact]
    public async Task Q_finds_a_session_by_part_of_the_room_name_ignoring_case()
    {
        var target = await SessionOfAsync("Customer-Support");

        var found = await SearchAsync("mer-sup");

        Assert.Equal([target.Id], found);
    }

    [Fact]
    public async Task Q_follows_a_room_renamed_or_described_after_its_sessions()
    {
        var target = await SessionOfAsync("weekly-sync");
        await ApiAssert.OkAsync(await api.PatchAsync($"/api/v1/rooms/{target.RoomId}",
            SessionLifecycleTests.Json(new { friendly_url = "quarterly-review", description = "Finance and Legal" }), TestContext.Current.CancellationToken));

        Assert.Empty(await SearchAsync("weekly"));
        Assert.Equal([target.Id], await SearchAsync("TERLY-REV"));
        Assert.Equal([target.Id], await SearchAsync("nce and leg"));
    }

    [Fact]
    public async Task Q_finds_exactly_the_rooms_whose_name_or_description_contains_it_at_every_length()
    {
        // Two characters or fewer are scanned; three or more are looked up in a trigram index, then checked: both
        // must give the answer of a plain substring test.
        await Events.PostAsync(api,
            Events.Joined("alpha-team", "cy", CallscopeApp.Start), Events.Joined("Alphabet", "di", CallscopeApp.Start),
            Events.Joined("beta_ALPHA", "ed", CallscopeApp.Start), Events.Joined("été-réunion", "fa", CallscopeApp.Start),
            Events.Joined("say \"hi\"", "gu", CallscopeApp.Start));
        var alphabet = await SessionOfAsync("Alphabet");
        await ApiAssert.OkAsync(await api.PatchAsync($"/api/v1/rooms/{alphabet.RoomId}",
            SessionLifecycleTests.Json(new { description = "Letters, from A to Z" }), TestContext.Current.CancellationToken));
        var sessions = (await ApiAssert.GetAsync(api, "/api/v1/sessions")).GetProperty("data").EnumerateArray()
            .Select(s => (Id: s.GetProperty("id").GetString()!, Text: $"{s.GetProperty("friendly_url").GetString()}\n{s.GetProperty("description").GetString()}"))
            .ToList();
        string[] words = ["alpha-team", "ALPHABET", "letters, from", "réunion", "say \"hi\"", "zzz-none"];
        var queries = words.SelectMany(w => Enumerable.Range(1, Math.Min(6, w.Length)).SelectMany(n => new[] { w[..n], w[^n..] }))
            .Where(q => !string.IsNullOrWhiteSpace(q) && q.Any(char.IsLetter)).Distinct().ToList();

        foreach (var q in queries)
        {
            var expected = sessions.Where(s => s.Text.Contains(q.Trim(), StringComparison.OrdinalIgnoreCase)).Select(s => s.Id).Order(StringComparer.Ordinal);
            Assert.True(expected.SequenceEqual((await SearchAsync(q)).Order(StringComparer.Ordinal)), $"q={q}");
        }

        Assert.True(queries.Count > 40, $"{queries.Count} queries");
    }

    [Theory]
    [InlineData("%")]
    [InlineData("_")]
    [InlineData("\"")]
    [InlineData("\"sup\"")]
    [InlineData("sup\" OR \"weekly")]
    [InlineData("sup*")]
    [InlineData("' OR 1=1 --")]
    [InlineData("<script>alert(1)</script>")]
    public async Task Q_treats_wildcards_sql_and_html_as_plain_text(string q) => Assert.Empty(await SearchAsync(q));

    private async Task<List<string>> SearchAsync(string q)
    {
        var result = await ApiAssert.GetAsync(api, "/api/v1/sessions?q=" + Uri.EscapeDataString(q));
        return [.. result.GetProperty("data").EnumerateArray().Select(s => s.GetProperty("id").GetString()!)];
    }

    private async Task<(string Id, string RoomId)> SessionOfAsync(string room)
    {
        var sessions = await ApiAssert.GetAsync(api, "/api/v1/sessions");
        var session = sessions.GetProperty("data").EnumerateArray().Single(s => s.GetProperty("friendly_url").GetString() == room);
        return (session.GetProperty("id").GetString()!, session.GetProperty("room_id").GetString()!);
    }
}
