using System.Collections.Concurrent;
using Callscope.Core.Law;
using Callscope.Core.Tests.Support;
using CsCheck;

namespace Callscope.Core.Tests;

/// <summary>
/// Rule 7 over generated histories: the sessions depend only on the set of events a room received and the time,
/// whatever the arrival order and however often an event was delivered. Each room is computed on its own.
/// Set <c>CALLSCOPE_PROPERTY_ITERATIONS</c> to run more than <see cref="PropertyRuns.DefaultIterations"/> cases.
/// </summary>
public sealed class OrderIndependencePropertyTests
{
    [Fact]
    public void Every_arrival_order_with_duplicates_gives_the_same_sessions_as_the_event_set()
    {
        HistoryGenerator.Histories.Sample(history =>
        {
            foreach (var room in history.Rooms)
            {
                var fromTheSet = RoomLaw.Compute(room.Events, room.Policy, room.Now);
                var asDelivered = RoomLaw.Compute(history.ArrivalsIn(room), room.Policy, room.Now);

                PropertyRuns.SameSessions($"room {room.Name}", SessionText.Describe(fromTheSet), SessionText.Describe(asDelivered));
            }
        }, writeLine: PropertyRuns.Report, iter: PropertyRuns.Iterations, print: history => history.ToString());
    }

    [Fact]
    public void Incremental_path_gives_the_sessions_of_the_full_computation_after_every_arrival()
    {
        HistoryGenerator.Histories.Sample(history =>
        {
            foreach (var room in history.Rooms)
            {
                var incremental = new IncrementalRoom(room.Policy);
                List<LawEvent> received = [];
                foreach (var e in history.ArrivalsIn(room))
                {
                    incremental.Receive(e);
                    received.Add(e);

                    PropertyRuns.SameSessions(
                        $"room {room.Name} after receiving {e.Id} ({received.Count} received)",
                        SessionText.Describe(RoomLaw.Compute(received, room.Policy, room.Now)),
                        SessionText.Describe(incremental.Sweep.ViewAt(room.Now)));
                }
            }
        }, writeLine: PropertyRuns.Report, iter: PropertyRuns.Iterations, print: history => history.ToString());
    }

    [Fact]
    public void Computed_sessions_keep_the_invariants_of_the_rules()
    {
        HistoryGenerator.Histories.Sample(history =>
        {
            foreach (var room in history.Rooms)
            {
                var sessions = RoomLaw.Compute(history.ArrivalsIn(room), room.Policy, room.Now);
                var context = $"room {room.Name}:\n{SessionText.Describe(sessions)}";

                SessionInvariants.Check(room.Events, sessions, room.Now, context);
            }
        }, writeLine: PropertyRuns.Report, iter: PropertyRuns.Iterations, print: history => history.ToString());
    }

    /// <summary>Guards the generator: a property over histories that never reach a situation proves nothing about it.</summary>
    [Fact]
    public void Generated_histories_reach_every_situation_the_properties_are_meant_to_cover()
    {
        var reached = new ConcurrentDictionary<string, int>();

        HistoryGenerator.Histories.Sample(history =>
        {
            foreach (var room in history.Rooms)
            {
                foreach (var situation in Situations(history, room))
                {
                    reached.AddOrUpdate(situation, 1, (_, count) => count + 1);
                }
            }
        }, iter: PropertyRuns.DefaultIterations);

        var unreached = ExpectedSituations.Except(reached.Keys).ToList();
        Assert.Empty(unreached);
    }

    private static readonly string[] ExpectedSituations =
    [
        "several sessions in a room", "join one second before the grace deadline", "join exactly at the grace deadline",
        "join one second after the grace deadline", "end by grace", "end by moderator", "end by api", "end by session length",
        "live at now", "ending soon at now", "reconnect", "leave reason network", "leave reason room_closed",
        "leave reason session_ended", "join missing", "join and leave at one instant", "join time taken from the leave", "passive connection",
        "participant without identity", "events at the same instant", "duplicate delivery", "fast path", "replay",
    ];

    private static IEnumerable<string> Situations(GeneratedHistory history, GeneratedRoom room)
    {
        var sessions = RoomLaw.Compute(room.Events, room.Policy, room.Now);
        var incremental = IncrementalRoom.Receiving(history.ArrivalsIn(room), room.Policy);
        var leaveIds = room.Events.Where(e => e.Kind == LawKind.Leave).Select(e => e.Id).ToHashSet();
        var connections = sessions.SelectMany(s => s.Participants).SelectMany(p => p.Connections).ToList();
        var second = TimeSpan.FromSeconds(1);

        IEnumerable<(bool Reached, string Situation)> checks =
        [
            (sessions.Count >= 2, "several sessions in a room"),
            (sessions.Any(s => ReturnsAt(s, room.Policy.GracePeriod - second)), "join one second before the grace deadline"),
            (sessions.Zip(sessions.Skip(1)).Any(p => p.First.EndReason == EndReasons.GraceExpired && p.First.End == p.Second.Start), "join exactly at the grace deadline"),
            (sessions.Zip(sessions.Skip(1)).Any(p => p.First.EndReason == EndReasons.GraceExpired && p.First.End + second == p.Second.Start), "join one second after the grace deadline"),
            (sessions.Any(s => s.EndReason == EndReasons.GraceExpired), "end by grace"),
            (sessions.Any(s => s.EndReason == EndReasons.Moderator), "end by moderator"),
            (sessions.Any(s => s.EndReason == EndReasons.Api), "end by api"),
            (sessions.Any(s => s.EndReason == EndReasons.SessionLength), "end by session length"),
            (sessions.Any(s => s.Status == SessionStatus.Live), "live at now"),
            (sessions.Any(s => s.Status == SessionStatus.EndingSoon), "ending soon at now"),
            (sessions.SelectMany(s => s.Participants).Any(p => p.Reconnects > 0), "reconnect"),
            (connections.Any(c => c.LeaveReason == LeaveReasons.Network), "leave reason network"),
            (connections.Any(c => c.LeaveReason == LeaveReasons.RoomClosed), "leave reason room_closed"),
            (connections.Any(c => c.LeaveReason == LeaveReasons.SessionEnded), "leave reason session_ended"),
            (connections.Any(c => c.JoinMissing), "join missing"),
            (connections.Any(c => c.LeaveTime == c.JoinTime && !c.JoinMissing), "join and leave at one instant"),
            (connections.Any(c => leaveIds.Contains(c.OpenEventId) && !c.JoinMissing), "join time taken from the leave"),
            (connections.Any(c => c.Passive), "passive connection"),
            (sessions.SelectMany(s => s.Participants).Any(p => p.ExternalId is null), "participant without identity"),
            (room.Events.GroupBy(e => e.Time).Any(g => g.Count() > 1), "events at the same instant"),
            (history.ArrivalsIn(room).Count() > room.Events.Count, "duplicate delivery"),
            (incremental.Appended > 1, "fast path"),
            (incremental.Replayed > 0, "replay"),
        ];
        return checks.Where(c => c.Reached).Select(c => c.Situation);
    }

    /// <summary>The session became empty at some time L, and someone joined it at exactly L + <paramref name="after"/>.</summary>
    private static bool ReturnsAt(SessionRecord session, TimeSpan after)
    {
        var active = session.Participants.SelectMany(p => p.Connections).Where(c => !c.Passive).ToList();
        return active.Any(left => left.LeaveTime is { } emptyAt
            && !active.Any(c => c.JoinTime <= emptyAt && (c.LeaveTime is null || c.LeaveTime > emptyAt))
            && active.Any(c => c.JoinTime == emptyAt + after));
    }
}
