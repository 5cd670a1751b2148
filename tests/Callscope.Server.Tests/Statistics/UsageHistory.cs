using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests.Statistics;

/// <summary>
/// A small known history in two rooms, ingested through the API, with the clock at <see cref="CallscopeApp.Start"/>
/// (2026-11-25 10:00 UTC):
/// <list type="bullet">
/// <item>beta, 23 Nov: Cai (tablet) 23:00–23:25; the session is then empty and ending soon until 23:32.</item>
/// <item>alpha, 23–24 Nov, across midnight: Ana (desktop) 23:30–00:30, Ben (mobile) 23:40–00:10.</item>
/// <item>beta, 24 Nov: Dee (smart TV) 00:05–00:15, while alpha is busy: two sessions and three people at once.</item>
/// <item>alpha, now: Fay (desktop) since 09:55, live.</item>
/// </list>
/// Beta's empty first session overlaps alpha's start, so counting it would make two concurrent sessions on the 23rd.
/// </summary>
public sealed class UsageHistory : IAsyncLifetime
{
    public static readonly DateTimeOffset Day23 = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);

    public CallscopeApp App { get; } = new();

    public HttpClient Api { get; private set; } = null!;

    public string AlphaId { get; private set; } = null!;

    public string BetaId { get; private set; } = null!;

    public string SessionId { get; private set; } = null!;

    public string ParticipantId { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Api = App.Api();
        var alpha = await ApiAssert.OkAsync(await ApiAssert.PostJsonAsync(Api, "/api/v1/rooms", new { friendly_url = "alpha", max_participants = 8 }));
        var beta = await ApiAssert.OkAsync(await ApiAssert.PostJsonAsync(Api, "/api/v1/rooms", new { friendly_url = "beta", description = "Beta room" }));
        AlphaId = alpha.GetProperty("id").GetString()!;
        BetaId = beta.GetProperty("id").GetString()!;

        var night = Day23.AddHours(23);
        await Events.PostAsync(Api,
            Join("beta", "cai", night, "tablet"), Events.Left("beta", "cai", night.AddMinutes(25)),
            Join("alpha", "ana", night.AddMinutes(30), "desktop"), Join("alpha", "ben", night.AddMinutes(40), "mobile"),
            Events.Left("alpha", "ben", night.AddMinutes(70)), Events.Left("alpha", "ana", night.AddMinutes(90)),
            Join("beta", "dee", night.AddMinutes(65), "smarttv"), Events.Left("beta", "dee", night.AddMinutes(75)));
        await Events.PostAsync(Api, Join("alpha", "fay", CallscopeApp.Start.AddMinutes(-5), "desktop"));
        await App.SettleAsync();

        var sessions = await ApiAssert.GetAsync(Api, "/api/v1/sessions?order=asc");
        Assert.Equal(4, sessions.GetProperty("total_count").GetInt32());
        SessionId = sessions.GetProperty("data")[1].GetProperty("id").GetString()!;
        var participants = await ApiAssert.GetAsync(Api, $"/api/v1/sessions/{SessionId}/participants?order=asc");
        ParticipantId = participants.GetProperty("data")[0].GetProperty("id").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await App.DisposeAsync();
    }

    private static object Join(string room, string who, DateTimeOffset at, string device) =>
        Events.Joined(room, who, at, data: new { client = new { device } });
}
