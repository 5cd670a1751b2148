using System.Globalization;
using Callscope.Core;
using Callscope.Core.Diagnosis;
using Callscope.Core.Ingest;
using Callscope.Data.Diagnosis;
using Callscope.Data.Dialects;
using Callscope.Data.Sessions;
using Callscope.Data.Writing;
using Dapper;

namespace Callscope.Data.Tests;

/// <summary>
/// The diagnosis worker against a real store (the suite's provider): which participants it looks at, what it keeps,
/// and that the kept issues follow the law when a late event moves participants between sessions.
/// </summary>
public sealed class DiagnosisWorkerTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_lossy_participant_gets_its_issue_and_the_room_is_no_longer_due()
    {
        await using var store = new StoreHarness(T.AddHours(1));
        using var worker = new DiagnosisWorker(store.Database, store.Pipeline);
        await store.IngestAsync([.. Call("standup", "bob", T, lossy: true)]);
        var issues = new IssueQueries(store.Database);
        Assert.Equal(1, issues.Pending());

        Assert.Equal(1, await worker.RunOnceAsync(Ct));

        Assert.Equal(0, issues.Pending());
        var bob = Participant(store, "bob");
        var issue = Assert.Single(issues.ForParticipant(store.Team, bob));
        Assert.Equal(("high_packet_loss", "bob"), (issue.Kind, issue.ParticipantExternalId));
        Assert.Equal(new IssueCounts(1, 0), Participant(store, "bob").Issues);
        Assert.Equal(new IssueCounts(1, 0), store.Queries.Find(store.Team, bob.SessionId.ToString())!.Issues);
    }

    [Fact]
    public async Task An_answer_for_an_older_version_of_the_room_is_dropped()
    {
        await using var store = new StoreHarness(T.AddHours(1));
        using var worker = new DiagnosisWorker(store.Database, store.Pipeline);
        await store.IngestAsync([.. Call("standup", "bob", T, lossy: true)]);
        var room = Participant(store, "bob").RoomId;
        var version = QueueVersion(store, room);
        await worker.RunOnceAsync(Ct);

        // A slower node's answer, computed before the issues were found, arrives late: it must not erase them.
        var stale = await store.Pipeline.SendAsync(new StoreIssuesCommand(store.Team, room, version - 1, [new ParticipantIssues(Participant(store, "bob").Id, Participant(store, "bob").SessionId, [])]), Ct);

        Assert.False(stale);
        Assert.Single(new IssueQueries(store.Database).ForParticipant(store.Team, Participant(store, "bob")));
    }

    [Fact]
    public async Task When_a_late_event_merges_two_sessions_the_issues_follow_the_participant_to_the_surviving_session()
    {
        await using var store = new StoreHarness(T.AddHours(1));
        using var worker = new DiagnosisWorker(store.Database, store.Pipeline);
        // Ana's session ends 7 minutes after she leaves at T+1m; Bob, on a lossy network, starts another one at T+10m.
        var ana = new ParticipantRef("ana", "Ana", null, "c-ana");
        await store.IngestAsync(
        [
            new IncomingEvent("ana-join", "participant_joined", T, T, null, new RoomRef(null, "standup"), ana, null),
            new IncomingEvent("ana-left", "participant_left", T.AddMinutes(1), T.AddMinutes(1), null, new RoomRef(null, "standup"), ana, null),
        ]);
        await store.IngestAsync([.. Call("standup", "bob", T.AddMinutes(10), lossy: true)]);
        await worker.RunOnceAsync(Ct);
        var before = Participant(store, "bob");
        Assert.Single(new IssueQueries(store.Database).ForParticipant(store.Team, before));

        // Carl was in the call from T+5m to T+11m: one session from T on, and Bob is a participant of it.
        var carl = new ParticipantRef("carl", "Carl", null, "c-carl");
        await store.IngestAsync(
        [
            new IncomingEvent("carl-join", "participant_joined", T.AddMinutes(5), T.AddHours(1), null, new RoomRef(null, "standup"), carl, null),
            new IncomingEvent("carl-left", "participant_left", T.AddMinutes(11), T.AddHours(1), null, new RoomRef(null, "standup"), carl, null),
        ]);
        await worker.RunOnceAsync(Ct);

        var after = Participant(store, "bob");
        Assert.NotEqual(before.Id, after.Id);
        var issue = Assert.Single(new IssueQueries(store.Database).ForParticipant(store.Team, after));
        Assert.Equal(after.SessionId, issue.SessionId);
        using var connection = store.Database.Open();
        Assert.Equal(0, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM issues WHERE participant_id NOT IN (SELECT id FROM participants)"));
        Assert.Equal(1, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM issues"));
    }

    [Fact]
    public async Task New_thresholds_find_the_issues_again_over_the_whole_history()
    {
        await using var store = new StoreHarness(T.AddHours(1));
        using var worker = new DiagnosisWorker(store.Database, store.Pipeline);
        await store.IngestAsync([.. Call("standup", "bob", T, lossy: true)]);
        await worker.RunOnceAsync(Ct);
        var issues = new IssueQueries(store.Database);

        Assert.True(await store.Pipeline.SendAsync(new ChangeDiagnosisCommand(store.Team, DiagnosisSettings.Defaults with { PacketLossPct = 9 }), Ct));
        Assert.Equal(1, issues.Pending());
        await worker.RunOnceAsync(Ct);

        Assert.Empty(issues.ForParticipant(store.Team, Participant(store, "bob")));
        Assert.Equal(9, issues.Settings(store.Team).PacketLossPct);
    }

    [Fact]
    public async Task A_node_that_does_not_diagnose_marks_nothing()
    {
        await using var store = new StoreHarness(T.AddHours(1));
        store.Pipeline.Diagnosing = false;

        await store.IngestAsync([.. Call("standup", "bob", T, lossy: true)]);

        Assert.Equal(0, new IssueQueries(store.Database).Pending());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task The_kept_issues_are_the_same_whatever_order_and_batches_the_events_arrive_in_and_however_often(int seed)
    {
        var events = Call("standup", "bob", T, lossy: true).Concat(Call("standup", "eve", T.AddSeconds(2), lossy: false)).ToList();
        var inOrder = await KeptAsync([events]);

        var random = new Random(seed);
        var shuffled = events.Concat(events.Where(_ => random.Next(3) == 0)).OrderBy(_ => random.Next()).ToList();
        var batches = shuffled.Chunk(1 + random.Next(6)).Select(b => (IReadOnlyList<IncomingEvent>)b.DistinctBy(e => e.Id).ToList()).ToList();

        Assert.Equal(inOrder, await KeptAsync(batches));
        Assert.Contains("bob high_packet_loss", inOrder, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_participant_is_diagnosed_from_exactly_the_events_its_log_shows()
    {
        await using var store = new StoreHarness(T.AddHours(1));
        using var worker = new DiagnosisWorker(store.Database, store.Pipeline);
        var room = new RoomRef(null, "standup");
        var nobody = new ParticipantRef(null, null, null, "c-nobody");
        // Bob's own samples are clean. Mallory's lossy ones carry Bob's connection but her identity, so they are hers;
        // samples naming no one are the log of whoever holds their connection (Eve's), or of no one.
        var events = Call("standup", "bob", T, lossy: false).Concat(Call("standup", "eve", T.AddSeconds(1), lossy: false))
            .Concat(Samples("mallory", new ParticipantRef("mallory", "MALLORY", null, "c-bob"), T.AddSeconds(2)))
            .Concat(Samples("to-eve", new ParticipantRef(null, null, null, "c-eve"), T.AddSeconds(3)))
            .Concat(Samples("to-nobody", nobody, T.AddSeconds(4)))
            .Append(new IncomingEvent("guest-join", "participant_joined", T.AddSeconds(5), T.AddSeconds(5), null, room, new ParticipantRef(null, "Guest", null, "c-guest"), null))
            .Concat(Samples("guest", new ParticipantRef(null, "Guest", null, "c-guest"), T.AddSeconds(6)))
            .Append(new IncomingEvent("mallory-join", "participant_joined", T.AddSeconds(2), T.AddSeconds(2), null, room, new ParticipantRef("mallory", "MALLORY", null, "c-mallory"), null))
            .ToList();
        await store.IngestAsync(events);

        Assert.Equal(1, await worker.RunOnceAsync(Ct));

        var issues = new IssueQueries(store.Database);
        var participants = store.Queries.Participants(store.Team, new ParticipantFilter(), new Paging(Limit: 100)).Data;
        Assert.Equal(4, participants.Count);
        foreach (var p in participants)
        {
            var log = store.Queries.Events(store.Team, p, null, new Paging(Limit: 1000)).Data;
            var expected = ParticipantDiagnosis.Diagnose(log.Select(e => DiagnosisEvent.FromJson(e.Id, e.Type, e.Timestamp, e.ConnectionId, e.DataJson)));
            var kept = issues.ForParticipant(store.Team, p);
            Assert.Equal(expected.Select(i => (i.Kind, i.StartedAt, i.EndedAt, i.Evidence.Count)), kept.Select(i => (i.Kind, i.StartedAt, i.EndedAt, i.Evidence.Count)));
            Assert.Equal(p.Name is "BOB" ? [] : ["high_packet_loss"], kept.Select(i => i.Kind).ToArray());
        }
    }

    [Fact]
    public async Task Storing_a_rooms_issues_replaces_its_participants_issues_only_and_finds_them_by_participant()
    {
        await using var store = new StoreHarness(T.AddHours(1));
        using var worker = new DiagnosisWorker(store.Database, store.Pipeline);
        await store.IngestAsync([.. Call("standup", "bob", T, lossy: true), .. Call("standup", "eve", T.AddSeconds(1), lossy: true),
            .. Call("retro", "carol", T, lossy: true)]);
        Assert.Equal(2, await worker.RunOnceAsync(Ct));
        var (bob, eve, carol) = (Participant(store, "bob"), Participant(store, "eve"), Participant(store, "carol"));
        var issues = new IssueQueries(store.Database);
        var eveIssues = issues.ForParticipant(store.Team, eve);

        // A newer answer for the standup: Bob's issue is gone, Eve's stays as it was; the retro is not the standup's to touch.
        var version = QueueVersion(store, bob.RoomId) + 1;
        using (var connection = store.Database.Open())
        {
            connection.Execute("UPDATE diagnosis_queue SET version = @version WHERE room_id = @room", new { version, room = bob.RoomId.ToString() });
        }

        var found = new List<ParticipantIssues>
        {
            new(bob.Id, bob.SessionId, []),
            new(eve.Id, eve.SessionId, [.. eveIssues.Select(i => new DiagnosedIssue(i.Kind, i.Severity, i.StartedAt, i.EndedAt, i.ConnectionId, i.Evidence, i.Summary))]),
        };
        Assert.True(await store.Pipeline.SendAsync(new StoreIssuesCommand(store.Team, bob.RoomId, version, found), Ct));

        Assert.Empty(issues.ForParticipant(store.Team, bob));
        Assert.Equal(eveIssues.Select(i => i.Id), issues.ForParticipant(store.Team, eve).Select(i => i.Id));
        Assert.Equal("high_packet_loss", Assert.Single(issues.ForParticipant(store.Team, carol)).Kind);
        if (store.Database.Provider == DatabaseProvider.Sqlite)
        {
            // Through the participants' index, not every issue of the team under the table's key.
            using var connection = store.Database.Open();
            var plan = connection.Query<(long, long, long, string Detail)>(
                "EXPLAIN QUERY PLAN SELECT id " + StoreIssuesCommand.KeptIssues(store.Database.Dialect), new { participants = new[] { bob.Id.ToString(), eve.Id.ToString() } });
            Assert.Contains("issues_by_participant", string.Join("\n", plan.Select(r => r.Detail)), StringComparison.Ordinal);
        }
    }

    /// <summary>Ten samples 5 s apart with 8 % loss, sent as <paramref name="who"/>.</summary>
    private static IEnumerable<IncomingEvent> Samples(string name, ParticipantRef who, DateTimeOffset start) =>
        Enumerable.Range(1, 10).Select(i => new IncomingEvent($"{name}-q{i}", "quality_sample", start.AddSeconds(5 * i), start.AddSeconds(5 * i), null,
            new RoomRef(null, "standup"), who, """{"packet_loss_pct":8,"rtt_ms":90}"""));

    /// <summary>The issues kept after ingesting the batches one by one, diagnosing after each, as text to compare.</summary>
    private static async Task<string> KeptAsync(IReadOnlyList<IReadOnlyList<IncomingEvent>> batches)
    {
        await using var store = new StoreHarness(T.AddHours(1));
        using var worker = new DiagnosisWorker(store.Database, store.Pipeline);
        foreach (var batch in batches)
        {
            await store.IngestAsync(batch);
            await worker.RunOnceAsync(Ct);
        }

        var issues = new IssueQueries(store.Database);
        return string.Join("\n", store.Queries.Participants(store.Team, new ParticipantFilter(), new Paging(Limit: 100)).Data.OrderBy(p => p.ExternalId)
            .SelectMany(p => issues.ForParticipant(store.Team, p).Select(i =>
                $"{p.ExternalId} {i.Kind} {i.StartedAt:O} {i.EndedAt:O} {i.Evidence.Count} {i.Evidence.Worst} {i.Summary}")));
    }

    /// <summary>A participant who joins, sends ten samples 5 s apart (8 % loss when lossy) and leaves.</summary>
    private static IEnumerable<IncomingEvent> Call(string room, string who, DateTimeOffset start, bool lossy)
    {
        var p = new ParticipantRef(who, who.ToUpperInvariant(), null, "c-" + who);
        var r = new RoomRef(null, room);
        yield return new IncomingEvent($"{who}-join", "participant_joined", start, start, null, r, p, null);
        for (var i = 1; i <= 10; i++)
        {
            var loss = (lossy ? 8.0 : 0.2).ToString(CultureInfo.InvariantCulture);
            yield return new IncomingEvent($"{who}-q{i}", "quality_sample", start.AddSeconds(5 * i), start.AddSeconds(5 * i), null, r, p,
                $$"""{"packet_loss_pct":{{loss}},"rtt_ms":90}""");
        }

        yield return new IncomingEvent($"{who}-left", "participant_left", start.AddSeconds(60), start.AddSeconds(60), null, r, p, null);
    }

    private static ParticipantView Participant(StoreHarness store, string externalId) =>
        store.Queries.Participants(store.Team, new ParticipantFilter(), new Paging(Limit: 100)).Data.Single(p => p.ExternalId == externalId);

    private static long QueueVersion(StoreHarness store, RoomId room)
    {
        using var connection = store.Database.Open();
        return connection.ExecuteScalar<long>("SELECT version FROM diagnosis_queue WHERE room_id = @room", new { room = room.ToString() });
    }
}
