using Callscope.Core;
using Callscope.Core.Ingest;
using Callscope.Data.Rooms;
using Callscope.Data.Teams;
using Callscope.Data.Writing;
using Dapper;

namespace Callscope.Data.Tests;

/// <summary>
/// A settings change and the recomputation it causes are one transaction of the writer: after it, the stored setting
/// and the live session's deadline agree, and a failure anywhere in it leaves both as they were. Rooms are created by
/// one routine, whether a command or an event names them first.
/// </summary>
public sealed class SettingsChangeTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("team", 120)]
    [InlineData("room", 60)]
    public async Task A_new_grace_period_and_the_live_sessions_new_deadline_are_stored_together(string scope, int grace)
    {
        await using var store = await RoomWithEndingSessionAsync();

        await ChangeGraceAsync(store, scope, grace);

        // Ana left at T+1min: the session now ends one grace period after that.
        Assert.Equal(((long?)grace, T.AddMinutes(1).AddSeconds(grace)), Stored(store, scope));
    }

    [Theory]
    [InlineData("team", 120)]
    [InlineData("room", 60)]
    public async Task A_failure_while_the_live_session_follows_a_new_grace_period_leaves_the_setting_and_the_session_as_they_were(string scope, int grace)
    {
        await using var store = await RoomWithEndingSessionAsync();
        var before = Stored(store, scope);
        RefuseSessionWrites(store, refuse: true);

        await Assert.ThrowsAsync<WriteFailedException>(() => ChangeGraceAsync(store, scope, grace));

        Assert.Equal((scope == "team" ? 420 : (long?)null, T.AddMinutes(8)), before);
        Assert.Equal(before, Stored(store, scope));

        // Nothing of the failed change lingers in the writer's memory of the room either.
        RefuseSessionWrites(store, refuse: false);
        await ChangeGraceAsync(store, scope, grace);
        Assert.Equal(((long?)grace, T.AddMinutes(1).AddSeconds(grace)), Stored(store, scope));
    }

    [Fact]
    public async Task A_team_change_that_keeps_the_grace_period_and_length_stores_the_rest()
    {
        await using var store = await RoomWithEndingSessionAsync();

        var team = await store.Pipeline.SendAsync(new ChangeTeamCommand(store.Team, new TeamSettings("Acme", 5, 420, null)), Ct);

        Assert.Equal(new TeamSettings("Acme", 5, 420, null), team!.Settings);
        Assert.Equal(team, new TeamStore(store.Database, store.Clock).Find(store.Team));
        Assert.Equal(((long?)420, T.AddMinutes(8)), Stored(store, "team"));
    }

    [Fact]
    public async Task Creating_a_room_with_the_name_of_a_live_room_stores_nothing_and_answers_name_taken()
    {
        await using var store = await RoomWithEndingSessionAsync();

        var result = await store.Pipeline.SendAsync(new CreateRoomCommand(store.Team, Settings("standup")), Ct);

        Assert.Equal(new RoomResult(RoomOutcome.NameTaken), result);
        Assert.Equal(1, new RoomStore(store.Database).List(store.Team, 10, 0, false, null).TotalCount);
    }

    [Fact]
    public async Task Renaming_a_room_to_the_name_of_a_live_room_changes_nothing_and_answers_name_taken()
    {
        await using var store = await RoomWithEndingSessionAsync();
        var board = (await store.Pipeline.SendAsync(new CreateRoomCommand(store.Team, Settings("board")), Ct)).Room!;

        var result = await store.Pipeline.SendAsync(new ChangeRoomCommand(store.Team, board.Id, Settings("standup") with { GracePeriod = 60 }), Ct);

        Assert.Equal(new RoomResult(RoomOutcome.NameTaken), result);
        Assert.Equal(board, new RoomStore(store.Database).Find(store.Team, board.Id.ToString()));
    }

    [Fact]
    public async Task Changing_a_deleted_room_answers_not_found()
    {
        await using var store = await RoomWithEndingSessionAsync();
        var board = (await store.Pipeline.SendAsync(new CreateRoomCommand(store.Team, Settings("board")), Ct)).Room!;
        Assert.True(await store.Pipeline.SendAsync(new DeleteRoomCommand(store.Team, board.Id, "admin"), Ct));

        var result = await store.Pipeline.SendAsync(new ChangeRoomCommand(store.Team, board.Id, Settings("board")), Ct);

        Assert.Equal(new RoomResult(RoomOutcome.NotFound), result);
    }

    [Fact]
    public async Task A_room_created_by_command_takes_the_events_that_name_it_with_its_own_grace_period()
    {
        await using var store = new StoreHarness(T.AddMinutes(1));
        var created = await store.Pipeline.SendAsync(new CreateRoomCommand(store.Team, Settings("board") with { GracePeriod = 30 }), Ct);

        await IngestJoinAndLeaveAsync(store, "board");

        Assert.Equal(RoomOutcome.Stored, created.Outcome);
        var rooms = new RoomStore(store.Database).List(store.Team, 10, 0, false, null);
        Assert.Equal(created.Room!.Id, Assert.Single(rooms.Data).Id);
        Assert.Equal(T.AddMinutes(1).AddSeconds(30), Deadline(store, created.Room.Id));
    }

    private static RoomSettings Settings(string name) => new(name, null, null, null, null, null);

    /// <summary>Ana joined "standup" at T and left at T+1min, now: its session is live until the team's 420 s grace period runs out.</summary>
    private static async Task<StoreHarness> RoomWithEndingSessionAsync()
    {
        var store = new StoreHarness(T.AddMinutes(1));
        await IngestJoinAndLeaveAsync(store, "standup");
        return store;
    }

    private static async Task IngestJoinAndLeaveAsync(StoreHarness store, string room)
    {
        var ana = new ParticipantRef("ana", "Ana", "attendee", "c-ana");
        var result = await store.IngestAsync(
        [
            new IncomingEvent($"{room}-join", "participant_joined", T, T, null, new RoomRef(null, room), ana, null),
            new IncomingEvent($"{room}-leave", "participant_left", T.AddMinutes(1), T.AddMinutes(1), null, new RoomRef(null, room), ana, null),
        ]);
        Assert.Equal(2, result.Accepted);
    }

    private static Task ChangeGraceAsync(StoreHarness store, string scope, int grace)
    {
        if (scope == "team")
        {
            var team = new TeamStore(store.Database, store.Clock).Find(store.Team)!;
            return store.Pipeline.SendAsync(new ChangeTeamCommand(store.Team, team.Settings with { GracePeriod = grace }), Ct);
        }

        var room = Standup(store);
        return store.Pipeline.SendAsync(new ChangeRoomCommand(store.Team, room.Id, room.Settings with { GracePeriod = grace }), Ct);
    }

    private static Room Standup(StoreHarness store) => new RoomStore(store.Database).Find(store.Team, "standup")!;

    /// <summary>The grace period stored for the team or the room, and the stored deadline of the room's live session.</summary>
    private static (long? Grace, DateTimeOffset Deadline) Stored(StoreHarness store, string scope)
    {
        var room = Standup(store);
        using var connection = store.Database.Open();
        var grace = scope == "team"
            ? connection.ExecuteScalar<long?>("SELECT grace_period FROM teams WHERE id = @id", new { id = store.Team.ToString() })
            : connection.ExecuteScalar<long?>("SELECT grace_period FROM rooms WHERE id = @id", new { id = room.Id.ToString() });
        return (grace, Deadline(store, room.Id));
    }

    private static DateTimeOffset Deadline(StoreHarness store, RoomId room)
    {
        using var connection = store.Database.Open();
        return DbTime.At(connection.QuerySingle<long>(
            "SELECT deadline FROM sessions WHERE room_id = @room AND end_time IS NULL", new { room = room.ToString() }));
    }

    /// <summary>A real failure of the store while the writer writes sessions: a trigger that refuses every session row.</summary>
    private static void RefuseSessionWrites(StoreHarness store, bool refuse)
    {
        using var connection = store.Database.Open();
        var sql = (store.PostgresConnectionString is null, refuse) switch
        {
            (true, true) => """
                CREATE TRIGGER refuse_session_inserts BEFORE INSERT ON sessions BEGIN SELECT RAISE(ABORT, 'sessions are refused'); END;
                CREATE TRIGGER refuse_session_updates BEFORE UPDATE ON sessions BEGIN SELECT RAISE(ABORT, 'sessions are refused'); END;
                """,
            (true, false) => "DROP TRIGGER refuse_session_inserts; DROP TRIGGER refuse_session_updates;",
            (false, true) => """
                CREATE FUNCTION refuse_sessions() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'sessions are refused'; END $$;
                CREATE TRIGGER refuse_session_writes BEFORE INSERT OR UPDATE ON sessions FOR EACH ROW EXECUTE FUNCTION refuse_sessions();
                """,
            (false, false) => "DROP TRIGGER refuse_session_writes ON sessions;",
        };
        connection.Execute(sql);
    }
}
