using Callscope.Core.Law;
using Callscope.Core.Tests.Support;
using static Callscope.Core.Tests.Support.LawEvents;

namespace Callscope.Core.Tests;

/// <summary>
/// The store's fast path (append in arrival order, replay what was received when the sweep cannot append) must give
/// the sessions <see cref="RoomLaw.Compute"/> gives over the whole event set.
/// </summary>
public sealed class IncrementalPathTests
{
    private static readonly RoomPolicy SevenMinutes = RoomPolicy.Default;

    /// <summary>Small histories, each of which every arrival order is tried for.</summary>
    public static readonly TheoryData<string> Histories = [.. SmallHistories().Keys];

    [Fact]
    public void Events_arriving_in_time_order_all_take_the_fast_path_and_match_the_full_computation()
    {
        LawEvent[] events =
        [
            Join("A", at: 0, connection: "a1"), Join("B", at: 1), Leave("A", at: 3, connection: "a1", reason: "network"),
            Join("A", at: 4, connection: "a2"), SessionEnded(at: 8, by: "B"), Join("C", at: 9), Leave("C", at: 10),
            Join("D", at: 17), RoomClosed(at: 20),
        ];

        var room = IncrementalRoom.Receiving(events, SevenMinutes);

        Assert.Equal((events.Length, 0), (room.Appended, room.Replayed));
        AssertSameAsFullComputation(room, events, now: Minute(40));
    }

    [Fact]
    public void Late_participant_falls_back_to_a_replay_that_merges_the_sessions_as_the_full_computation_does()
    {
        LawEvent[] arrivals = [.. Stay("A", from: 0, to: 10), .. Stay("C", from: 30, to: 31), .. Stay("B", from: 12, to: 25)];

        var room = IncrementalRoom.Receiving(arrivals, SevenMinutes);

        Assert.Equal((4, 2), (room.Appended, room.Replayed));
        Assert.Single(room.Sweep.ViewAt(Minute(60)));
        AssertSameAsFullComputation(room, arrivals, now: Minute(60));
    }

    [Fact]
    public void Duplicate_delivery_falls_back_to_a_replay_that_counts_it_once()
    {
        LawEvent[] events = [Join("A", at: 0), Join("B", at: 3), Leave("A", at: 5), Leave("B", at: 12)];

        var room = IncrementalRoom.Receiving([.. events, events[1]], SevenMinutes);

        Assert.False(room.Sweep.CanAppend(events[3]));
        Assert.Equal((4, 1), (room.Appended, room.Replayed));
        AssertSameAsFullComputation(room, events, now: Minute(60));
    }

    [Fact]
    public void Leave_carrying_a_join_time_after_everything_seen_takes_the_fast_path()
    {
        LawEvent[] arrivals = [Join("B", at: 0), Leave("A", at: 10, joinedAt: 5)];

        var room = IncrementalRoom.Receiving(arrivals, SevenMinutes);

        Assert.Equal(0, room.Replayed);
        var connectionOfA = Assert.Single(Assert.Single(room.Sweep.Sessions).Participants.Single(p => p.ExternalId == "A").Connections);
        Assert.Equal((Minute(5), Minute(10)), (connectionOfA.JoinTime, connectionOfA.LeaveTime!.Value));
        AssertSameAsFullComputation(room, arrivals, now: Minute(60));
    }

    [Fact]
    public void Leave_carrying_a_join_time_before_the_last_event_seen_falls_back_to_a_replay()
    {
        LawEvent[] arrivals = [Join("B", at: 0), Join("C", at: 6), Leave("A", at: 10, joinedAt: 5)];

        var room = IncrementalRoom.Receiving(arrivals, SevenMinutes);

        Assert.Equal(1, room.Replayed);
        Assert.Equal(3, Assert.Single(room.Sweep.Sessions).MaxConcurrentParticipants);
        AssertSameAsFullComputation(room, arrivals, now: Minute(60));
    }

    [Fact]
    public void Join_arriving_after_its_leave_is_reconciled_by_a_replay()
    {
        LawEvent[] arrivals = [Leave("A", at: 10, connection: "a1", joinedAt: 2), Join("A", at: 2, connection: "a1")];

        var room = IncrementalRoom.Receiving(arrivals, SevenMinutes);

        Assert.Equal(1, room.Replayed);
        var connection = Assert.Single(Assert.Single(Assert.Single(room.Sweep.Sessions).Participants).Connections);
        Assert.Equal(arrivals[1].Id, connection.OpenEventId);
        AssertSameAsFullComputation(room, arrivals, now: Minute(60));
    }

    [Fact]
    public void Event_after_a_passed_deadline_takes_the_fast_path_and_ends_the_session_at_its_deadline()
    {
        LawEvent[] arrivals = [.. Stay("A", from: 0, to: 10), Join("B", at: 30)];

        var room = IncrementalRoom.Receiving(arrivals, SevenMinutes);

        Assert.Equal(0, room.Replayed);
        Assert.Equal(Minute(17), room.Sweep.Sessions[0].End);
        AssertSameAsFullComputation(room, arrivals, now: Minute(31));
    }

    [Theory]
    [MemberData(nameof(Histories))]
    public void Every_arrival_order_of_a_small_history_matches_the_full_computation(string history)
    {
        var events = SmallHistories()[history];
        var expected = SessionText.Describe(RoomLaw.Compute(events, SevenMinutes, Minute(60)));

        var results = Permutations(events)
            .Select(order => SessionText.Describe(IncrementalRoom.Receiving(order, SevenMinutes).Sweep.ViewAt(Minute(60))))
            .ToList();

        Assert.All(results, actual => Assert.Equal(expected, actual));
    }

    private static void AssertSameAsFullComputation(IncrementalRoom room, IEnumerable<LawEvent> events, DateTimeOffset now) =>
        Assert.Equal(SessionText.Describe(RoomLaw.Compute(events, room.Sweep.Policy, now)), SessionText.Describe(room.Sweep.ViewAt(now)));

    private static Dictionary<string, LawEvent[]> SmallHistories() => new()
    {
        ["reconnect within grace"] = [.. Stay("A", from: 0, to: 10, connection: "a1"), .. Stay("A", from: 15, to: 20, connection: "a2")],
        ["join at the grace deadline"] = [.. Stay("A", from: 0, to: 10), Join("B", at: 17)],
        ["overlapping participants"] = [.. Stay("A", from: 0, to: 5), .. Stay("B", from: 3, to: 12)],
        ["moderator end"] = [Join("A", at: 0), Join("B", at: 1), SessionEnded(at: 4, by: "A"), Join("B", at: 6), Leave("B", at: 7)],
        ["late merge"] = [.. Stay("A", from: 0, to: 10), .. Stay("C", from: 30, to: 31), .. Stay("B", from: 12, to: 25)],
        ["leave carrying its join time"] = [Leave("A", at: 10, connection: "a1", joinedAt: 2), Join("A", at: 2, connection: "a1"), Join("B", at: 5)],
        ["join missing"] = [Join("B", at: 0), Leave("A", at: 5), Leave("B", at: 6), Join("C", at: 13)],
        ["same instant"] = [.. Stay("A", from: 0, to: 4), Join("B", at: 4), SessionEnded(at: 4, by: "B"), RoomClosed(at: 4), Join("C", at: 4)],
    };

    private static IEnumerable<LawEvent[]> Permutations(LawEvent[] events)
    {
        if (events.Length <= 1)
        {
            yield return events;
            yield break;
        }

        for (var i = 0; i < events.Length; i++)
        {
            LawEvent[] rest = [.. events[..i], .. events[(i + 1)..]];
            foreach (var tail in Permutations(rest))
            {
                yield return [events[i], .. tail];
            }
        }
    }
}
