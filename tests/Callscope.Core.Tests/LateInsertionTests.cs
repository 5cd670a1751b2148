using Callscope.Core.Law;
using Callscope.Core.Tests.Support;
using static Callscope.Core.Tests.Support.LawEvents;

namespace Callscope.Core.Tests;

/// <summary>
/// <see cref="RoomSweep.TryInsertLate"/> replays only the window of history a late event changes, and gives what a
/// replay of every event gives.
/// </summary>
public sealed class LateInsertionTests
{
    private static readonly RoomPolicy SevenMinutes = RoomPolicy.Default;

    [Fact]
    public void A_late_join_and_leave_inside_the_oldest_of_two_thousand_sessions_replays_and_changes_only_that_session()
    {
        // Session i: one participant from minute 10i to 10i + 1, ended by grace at 10i + 8.
        var history = Enumerable.Range(0, 2_000).SelectMany(i => Stay($"p{i % 5}", from: 10 * i, to: (10 * i) + 1, connection: $"c{i}")).ToList();
        var sweep = Stored(history);
        LawEvent[] late = [.. Stay("latecomer", from: 0.25, to: 0.5, connection: "late")];
        var store = new CountingStore([.. history, .. late]);

        var insertion = sweep.TryInsertLate(late, store.Load)!;

        Assert.Equal((Minute(0), Minute(10)), (insertion.From, insertion.Until));
        Assert.Equal((1, 1), (insertion.Before.Count, insertion.After.Count));
        Assert.Same(insertion.After[0], Assert.Single(insertion.Changed));
        Assert.Equal(4, store.Loaded);
        AssertSameAsFullReplay(sweep, [.. history, .. late]);
    }

    [Fact]
    public void A_late_stay_that_bridges_two_sessions_merges_them_and_the_later_one_becomes_an_alias()
    {
        LawEvent[] history = [.. Stay("A", from: 0, to: 1), .. Stay("B", from: 20, to: 21), .. Stay("C", from: 40, to: 41)];
        var sweep = Stored(history);
        var stored = sweep.Sessions.Select(s => new StoredSpan(SessionId.New(s.Start), s.Start, s.End)).ToList();
        LawEvent[] late = [.. Stay("D", from: 5, to: 16)];

        var insertion = sweep.TryInsertLate(late, new CountingStore([.. history, .. late]).Load)!;
        var writes = insertion.Identify(stored);

        Assert.Equal((2, 1), (insertion.Before.Count, insertion.After.Count));
        Assert.Equal(Minute(40), insertion.Until);
        Assert.Equal(stored[0].Id, Assert.Single(writes.Write).Id);
        Assert.Equal(new SessionAlias(stored[1].Id, stored[0].Id), Assert.Single(writes.Aliases));
        Assert.Equal(new[] { stored[1].Id }, writes.Removed);
        AssertSameAsFullReplay(sweep, [.. history, .. late]);
    }

    [Fact]
    public void A_late_leave_of_an_identity_first_seen_in_a_later_session_replays_past_it()
    {
        // C's leave at minute 40 closes nothing and starts a session, as long as C was never seen before it.
        LawEvent[] history = [.. Stay("A", from: 0, to: 1), .. Stay("B", from: 20, to: 21), Leave("C", at: 40), .. Stay("D", from: 60, to: 61)];
        var sweep = Stored(history);
        LawEvent[] late = [Leave("C", at: 0.5)];

        var insertion = sweep.TryInsertLate(late, new CountingStore([.. history, .. late]).Load)!;

        Assert.Contains(Minute(40), insertion.Before.Select(s => s.Start));
        Assert.DoesNotContain(Minute(40), insertion.After.Select(s => s.Start));
        Assert.Equal(new[] { Minute(0) }, insertion.Changed.Select(s => s.Start));
        AssertSameAsFullReplay(sweep, [.. history, .. late]);
    }

    [Fact]
    public void A_late_join_replays_from_the_join_it_makes_unnecessary_however_far_back_the_leave_inferred_it()
    {
        // X's leave at minute 30 carries a join time of minute 2: without a join, X is taken to be present from 2.
        LawEvent[] history = [.. Stay("A", from: 0, to: 1), Leave("X", at: 30, connection: "x", joinedAt: 2)];
        var sweep = Stored(history);
        LawEvent[] late = [Join("X", at: 25, connection: "x")];

        var insertion = sweep.TryInsertLate(late, new CountingStore([.. history, .. late]).Load)!;

        Assert.Equal(Minute(0), insertion.From);
        Assert.Equal(new[] { Minute(0), Minute(25) }, insertion.After.Select(s => s.Start));
        AssertSameAsFullReplay(sweep, [.. history, .. late]);
    }

    [Fact]
    public void A_late_stay_that_merges_every_session_reads_the_history_in_a_few_windows_not_one_a_session()
    {
        var history = Enumerable.Range(0, 256).SelectMany(i => Stay($"p{i % 5}", from: 10 * i, to: (10 * i) + 1, connection: $"c{i}")).ToList();
        var sweep = Stored(history);
        LawEvent[] late = [.. Stay("host", from: 0.5, to: 2_555, connection: "host")];
        var store = new CountingStore([.. history, .. late]);

        var insertion = sweep.TryInsertLate(late, store.Load)!;

        Assert.Equal((256, 1), (insertion.Before.Count, insertion.After.Count));
        Assert.InRange(store.Reads, 1, 10);
        AssertSameAsFullReplay(sweep, [.. history, .. late]);
    }

    [Fact]
    public void Events_that_can_be_appended_are_and_the_late_ones_are_handed_back()
    {
        LawEvent[] history = [.. Stay("A", from: 0, to: 10)];
        var sweep = Stored(history);

        var late = sweep.AppendInOrder([Join("C", at: 12), Join("B", at: 5), Leave("C", at: 13)]);

        Assert.Equal(new[] { Join("B", at: 5) }, late);
        Assert.Equal(Leave("C", at: 13).Order, sweep.Cursor);
    }

    [Fact]
    public void After_the_policy_changed_while_sessions_existed_only_a_full_replay_is_exact()
    {
        LawEvent[] history = [.. Stay("A", from: 0, to: 1), .. Stay("B", from: 20, to: 21)];
        var sweep = Stored(history);
        sweep.Reconfigure(new RoomPolicy(TimeSpan.FromMinutes(30), null), Minute(22));
        var before = SessionText.Describe(sweep.Sessions);

        var insertion = sweep.TryInsertLate([.. Stay("C", from: 5, to: 6)], new CountingStore(history).Load);

        Assert.False(sweep.CanInsertLate);
        Assert.Null(insertion);
        Assert.Equal(before, SessionText.Describe(sweep.Sessions));
    }

    [Fact]
    public void A_policy_set_before_any_session_started_keeps_late_insertion_exact()
    {
        var sweep = new RoomSweep(SevenMinutes);
        sweep.Reconfigure(new RoomPolicy(TimeSpan.FromMinutes(2), null), Minute(0));
        LawEvent[] history = [.. Stay("A", from: 0, to: 1), .. Stay("B", from: 20, to: 21)];
        Assert.Empty(sweep.AppendInOrder(history));
        LawEvent[] late = [.. Stay("C", from: 2.5, to: 4)];

        var insertion = sweep.TryInsertLate(late, new CountingStore([.. history, .. late]).Load);

        Assert.NotNull(insertion);
        PropertyRuns.SameSessions("after the late stay",
            SessionText.Describe(RoomLaw.Replay([.. history, .. late], sweep.Policy).Sessions), SessionText.Describe(sweep.Sessions));
    }

    /// <summary>A room's sweep as the writer keeps it: replayed from its events, with every session written.</summary>
    private static RoomSweep Stored(IEnumerable<LawEvent> history)
    {
        var sweep = RoomLaw.Replay(history, SevenMinutes);
        sweep.TakeTouched();
        return sweep;
    }

    private static void AssertSameAsFullReplay(RoomSweep sweep, IReadOnlyList<LawEvent> events) =>
        PropertyRuns.SameSessions("after the late events",
            SessionText.Describe(RoomLaw.Replay(events, sweep.Policy).Sessions), SessionText.Describe(sweep.Sessions));

    /// <summary>A room's stored events, counting how many a late insertion reads back.</summary>
    private sealed class CountingStore(IReadOnlyList<LawEvent> events)
    {
        public int Loaded { get; private set; }

        public int Reads { get; private set; }

        public IEnumerable<LawEvent> Load(DateTimeOffset from, DateTimeOffset? until)
        {
            var window = events.Where(e => e.Time >= from && (until is not { } u || e.Time < u)).ToList();
            Loaded += window.Count;
            Reads++;
            return window;
        }
    }
}
