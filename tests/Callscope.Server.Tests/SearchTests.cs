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

    [Theory]
    [InlineData("%")]
    [InlineData("_")]
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
