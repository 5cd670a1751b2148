using Callscope.Core;
using Callscope.Core.Ingest;
using Callscope.Data.Sessions;
using Callscope.Data.Writing;
using Dapper;

namespace Callscope.Data.Tests;

/// <summary>
/// Retention takes a deleted session's aliases with it: the ids of the sessions a late event merged into it name
/// nothing once it is gone.
/// </summary>
public sealed class RetentionAliasTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Deleting_a_merged_session_deletes_the_aliases_of_the_sessions_it_absorbed()
    {
        await using var store = new StoreHarness(T.AddDays(3));
        // Ana's session ends 7 minutes after she leaves; Bob's starts after it. Carl, told late, was there from T+5m to
        // T+11m: the two are one session, and the second one's id becomes an alias of it.
        await store.IngestAsync([Event("ana-join", "participant_joined", "ana", T), Event("ana-left", "participant_left", "ana", T.AddMinutes(1))]);
        await store.IngestAsync([Event("bob-join", "participant_joined", "bob", T.AddMinutes(10)), Event("bob-left", "participant_left", "bob", T.AddMinutes(12))]);
        var absorbed = Sessions(store);
        Assert.Equal(2, absorbed.Count);
        await store.IngestAsync([Event("carl-join", "participant_joined", "carl", T.AddMinutes(5)), Event("carl-left", "participant_left", "carl", T.AddMinutes(11))]);
        var merged = Assert.Single(Sessions(store));
        Assert.Equal(1, Aliases(store));
        Assert.Equal(merged.Id, store.Queries.Find(store.Team, absorbed.Single(s => s.Id != merged.Id).Id.ToString())!.Id);

        var step = await store.Pipeline.SendAsync(new RetentionCommand(store.Team, DbTime.Ms(T.AddDays(1)), [merged.RoomId], 10_000), Ct);

        Assert.True(step.Finished);
        Assert.Empty(Sessions(store));
        Assert.Equal(0, Aliases(store));
    }

    private static IncomingEvent Event(string id, string type, string who, DateTimeOffset at) =>
        new(id, type, at, at, null, new RoomRef(null, "standup"), new ParticipantRef(who, who, null, "c-" + who), null);

    private static IReadOnlyList<SessionView> Sessions(StoreHarness store) =>
        store.Queries.List(store.Team, new SessionFilter(), new Paging(Limit: 100)).Data;

    private static long Aliases(StoreHarness store)
    {
        using var connection = store.Database.Open();
        return connection.ExecuteScalar<long>("SELECT COUNT(*) FROM session_aliases WHERE team_id = @team", new { team = store.Team.ToString() });
    }
}
