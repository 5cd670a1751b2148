using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task Posted_events_show_up_as_a_live_session()
    {
        await using var app = new CallscopeApp();
        var api = app.Api();

        await Events.PostAsync(api, Events.Joined("standup", "ana", CallscopeApp.Start));
        var sessions = await api.GetFromJsonAsync<JsonElement>("/api/v1/sessions", TestContext.Current.CancellationToken);

        Assert.Equal(1, sessions.GetProperty("total_count").GetInt32());
        Assert.Equal("live", sessions.GetProperty("data")[0].GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/health/ready", TestContext.Current.CancellationToken)).StatusCode);
    }
}
