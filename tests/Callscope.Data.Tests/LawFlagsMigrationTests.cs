using System.Text;
using Callscope.Core.Events;
using Callscope.Core.Ingest;
using Callscope.Data.Sessions;
using Dapper;

namespace Callscope.Data.Tests;

/// <summary>
/// Migration 0007 moved the law's flags out of event data (<c>"_passive": true</c>, <c>"_source": "api"</c>) into
/// <c>events.law_flags</c>: a store written before it must rebuild exactly the sessions it held.
/// </summary>
public sealed class LawFlagsMigrationTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = T.AddHours(6);

    [Fact]
    public async Task A_store_whose_flags_lived_in_event_data_rebuilds_the_same_sessions_once_migrated()
    {
        await using var store = new StoreHarness(Now);
        await store.IngestAsync(History());
        var before = Describe(store);

        // The store as it was before 0007: no law_flags column; the flags are only in the rows' data.
        using (var connection = store.Database.Open())
        {
            connection.Execute("ALTER TABLE events DROP COLUMN law_flags");
            connection.Execute("DELETE FROM schemaversions WHERE scriptname LIKE '%.0007_law_flags.sql'");
        }

        var ran = store.Database.Migrate(Now);
        // A law event earlier than everything makes the writer replay the room from its stored events.
        await store.IngestAsync([Event("early-close", EventTypes.RoomFinished, T.AddHours(-1), null, null)]);

        Assert.EndsWith(".0007_law_flags.sql", Assert.Single(ran), StringComparison.Ordinal);
        Assert.Equal(
            "early-close 0, ana-join 0, bot-join 1, ana-leave 0, bot-leave 1, ben-join 0, api-end 2, ben-leave 0, cy-join 0, mod-end 0",
            Flags(store));
        Assert.Equal(before, Describe(store));
        Assert.Contains("api by=admin@example.com", before, StringComparison.Ordinal);
        Assert.Contains("moderator by=ana", before, StringComparison.Ordinal);
    }

    /// <summary>
    /// Three sessions: in the first a LiveKit agent (passive) stays half an hour after the last person left; the second
    /// is ended through the REST API; the third by a moderator's own event, whose data names no source.
    /// </summary>
    private static List<IncomingEvent> History()
    {
        const string Agent = """{"_source":"livekit","livekit_event":"participant_joined","kind":"AGENT","_passive":true}""";
        const string AgentLeft = """{"_source":"livekit","livekit_event":"participant_left","reason":"left","kind":"AGENT","_passive":true}""";
        var passive = new LawFacts(LawFlags.Passive);
        return
        [
            Event("ana-join", EventTypes.ParticipantJoined, T, "ana", null),
            Event("bot-join", EventTypes.ParticipantJoined, T.AddMinutes(1), "bot", Agent) with { Facts = passive },
            Event("ana-leave", EventTypes.ParticipantLeft, T.AddMinutes(10), "ana", """{"reason":"left"}"""),
            Event("bot-leave", EventTypes.ParticipantLeft, T.AddMinutes(40), "bot", AgentLeft) with { Facts = passive with { Reason = "left" } },
            Event("ben-join", EventTypes.ParticipantJoined, T.AddHours(2), "ben", null),
            Event("api-end", EventTypes.SessionEnded, T.AddHours(2).AddMinutes(10), null, """{"_source":"api","ended_by":"admin@example.com"}""") with
            {
                Facts = new LawFacts(LawFlags.ApiEnd) { EndedBy = "admin@example.com" },
            },
            Event("ben-leave", EventTypes.ParticipantLeft, T.AddHours(2).AddMinutes(11), "ben", null),
            Event("cy-join", EventTypes.ParticipantJoined, T.AddHours(2).AddMinutes(50), "cy", null),
            Event("mod-end", EventTypes.SessionEnded, T.AddHours(3), null, """{"ended_by":"ana"}"""),
        ];
    }

    private static IncomingEvent Event(string id, string type, DateTimeOffset at, string? who, string? data) =>
        new(id, type, at, Now, null, new RoomRef(null, "alpha"), who is null ? null : new ParticipantRef(who, who, null, who + "-c1"), data);

    private static string Flags(StoreHarness store)
    {
        using var connection = store.Database.Open();
        return string.Join(", ", connection.Query<(string Id, long Flags)>("SELECT id, law_flags FROM events ORDER BY ts, id")
            .Select(e => $"{e.Id} {e.Flags}"));
    }

    private static string Describe(StoreHarness store)
    {
        var text = new StringBuilder();
        var paging = new Paging(Limit: 1000, Descending: false);
        foreach (var s in store.Queries.List(store.Team, new SessionFilter(), paging).Data)
        {
            text.Append($"session {s.Start:HH:mm:ss}-{s.End:HH:mm:ss} {s.EndReason} by={s.EndedBy} left={s.LastParticipantLeftAt:HH:mm:ss} max={s.MaxConcurrentParticipants}\n");
            foreach (var p in store.Queries.Participants(store.Team, new ParticipantFilter(SessionId: s.Id), paging).Data)
            {
                text.Append($"  {p.ExternalId}: {string.Join(" ", p.Connections.Select(c => $"[{c.JoinTime:HH:mm:ss}-{c.LeaveTime:HH:mm:ss} {c.LeaveReason}]"))}\n");
            }
        }

        return text.ToString();
    }
}
