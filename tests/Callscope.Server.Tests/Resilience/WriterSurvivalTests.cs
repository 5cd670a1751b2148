using System.Net;
using System.Net.Http.Json;
using Callscope.Data;
using Callscope.Server.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Callscope.Server.Tests.Resilience;

/// <summary>
/// The single writer meets an exception nobody planned for: a stored event whose time is out of any calendar's range
/// (written behind the server's back), read when its room is recomputed. The command that touched it fails alone with
/// a 500 problem, the cause is logged once, and the writer goes on serving everyone else.
/// </summary>
public sealed class WriterSurvivalTests : IAsyncLifetime
{
    private readonly CallscopeApp app = new();
    private readonly CapturedLogs logs = new();
    private HttpClient api = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        api = app.Api();
        app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task An_unexpected_failure_fails_its_command_and_the_writer_goes_on()
    {
        var at = CallscopeApp.Start.AddMinutes(-10);
        await Events.PostAsync(api, Events.Joined("broken", "ana", at.AddMinutes(1)));
        CorruptHistoryOf("broken");

        // A late event makes the writer recompute the room from its stored events, and the corrupt one throws.
        var late = await api.PostAsJsonAsync("/api/v1/ingest/events", Events.Batch(Events.Joined("broken", "ben", at)), Ct);
        await ApiAssert.ProblemAsync(late, HttpStatusCode.InternalServerError, "internal-error");
        var again = await api.PostAsJsonAsync("/api/v1/ingest/events", Events.Batch(Events.Joined("broken", "cleo", at.AddSeconds(1))), Ct);
        await ApiAssert.ProblemAsync(again, HttpStatusCode.InternalServerError, "internal-error");

        // Nothing of the failed commands was stored, and the writer still serves other rooms.
        var fine = await Events.PostAsync(api, Events.Joined("fine", "dan", at.AddMinutes(2)));
        Assert.Equal(1, fine.GetProperty("accepted").GetInt32());
        var live = await ApiAssert.GetAsync(api, "/api/v1/sessions?live=true");
        var rooms = live.GetProperty("data").EnumerateArray().Select(s => s.GetProperty("friendly_url").GetString()).ToList();
        Assert.Contains("fine", rooms);
        Assert.Equal(0, EventsOf("ben") + EventsOf("cleo"));

        // Each failure is logged once, by the writer, with its cause; the request pipeline does not log it again.
        var failures = logs.Entries.Where(e => e.Level >= LogLevel.Error).ToList();
        Assert.Equal(2, failures.Count);
        Assert.All(failures, e => Assert.IsType<ArgumentOutOfRangeException>(e.Exception));
    }

    /// <summary>Stores, directly, a join of the room at a millisecond no calendar reaches.</summary>
    private void CorruptHistoryOf(string room)
    {
        using var connection = app.Services.GetRequiredService<CallscopeDatabase>().Open();
        var roomId = connection.ExecuteScalar<string>("SELECT id FROM rooms WHERE friendly_url = @room", new { room });
        connection.Execute(
            """
            INSERT INTO events (team_id, id, room_id, type, ts, received_at, law, external_id)
            VALUES (@team, 'corrupt', @roomId, 'participant_joined', @ts, @ts, 1, 'ghost')
            """,
            new { team = app.TeamId.ToString(), roomId, ts = long.MaxValue / 2 });
    }

    private long EventsOf(string who)
    {
        using var connection = app.Services.GetRequiredService<CallscopeDatabase>().Open();
        return connection.ExecuteScalar<long>("SELECT COUNT(*) FROM events WHERE external_id = @who", new { who });
    }
}
