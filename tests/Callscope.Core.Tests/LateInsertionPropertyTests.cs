using Callscope.Core.Law;
using Callscope.Core.Tests.Support;
using CsCheck;

namespace Callscope.Core.Tests;

/// <summary>
/// Late events over generated histories: a sweep that takes every batch through <see cref="RoomSweep.TryInsertLate"/>
/// (replaying only a window of history for the events that sort before its cursor) holds after every batch exactly
/// the sessions a replay of every event received gives, and a store written from what each insertion reports holds
/// them too, with the ids <see cref="SessionIdentity.Assign"/> gives the recomputed sessions, rewriting only what changed.
/// </summary>
public sealed class LateInsertionPropertyTests
{
    /// <summary>Histories whose arrivals are cut into batches of one to four deliveries.</summary>
    private static readonly Gen<(GeneratedHistory History, int[] BatchSizes)> Batched =
        Gen.Select(HistoryGenerator.Histories, Gen.Int[1, 4].Array[16]);

    [Fact]
    public void Late_insertion_gives_the_sessions_of_a_full_replay_after_every_batch()
    {
        Batched.Sample(input =>
        {
            var (history, sizes) = input;
            foreach (var room in history.Rooms)
            {
                var late = new LateRoom(room.Policy);
                foreach (var batch in Batches(history.ArrivalsIn(room), sizes))
                {
                    late.Receive(batch);
                    var full = RoomLaw.Replay(late.Received, room.Policy);
                    var what = $"room {room.Name} after receiving {string.Join(", ", batch.Select(e => e.Id))} ({late.Received.Count} received)";

                    PropertyRuns.SameSessions(what, SessionText.Describe(full.Sessions), SessionText.Describe(late.Sweep.Sessions));
                    PropertyRuns.SameSessions(what, SessionText.Describe(full.ViewAt(room.Now)), SessionText.Describe(late.Sweep.ViewAt(room.Now)));
                    Assert.Equal(full.Cursor, late.Sweep.Cursor);
                }
            }
        }, writeLine: PropertyRuns.Report, iter: PropertyRuns.Iterations, print: input => Print(input.History, input.BatchSizes));
    }

    [Fact]
    public void A_store_written_from_late_insertions_holds_the_full_replay_and_rewrites_only_what_changed()
    {
        Batched.Sample(input =>
        {
            var (history, sizes) = input;
            foreach (var room in history.Rooms)
            {
                var late = new LateRoom(room.Policy);
                foreach (var batch in Batches(history.ArrivalsIn(room), sizes))
                {
                    late.Receive(batch);
                    var what = $"room {room.Name} after receiving {string.Join(", ", batch.Select(e => e.Id))}";
                    var full = RoomLaw.Replay(late.Received, room.Policy).Sessions;
                    var stored = late.Store.Values.OrderBy(s => s.Start).ThenBy(s => s.End ?? DateTimeOffset.MaxValue).ToList();

                    PropertyRuns.SameSessions(what, string.Concat(full.Select(s => SessionText.Describe([s]))), string.Concat(stored.Select(s => s.Form)));
                    if (ReferenceEquals(late.LastInsertion, LateInsertion.Nothing))
                    {
                        continue;
                    }

                    AssertIdsAsAWholeRoomAssignmentGives(late, full, stored, what);
                    AssertOnlyChangedSessionsWereWritten(late, what);
                }
            }
        }, writeLine: PropertyRuns.Report, iter: PropertyRuns.Iterations, print: input => Print(input.History, input.BatchSizes));
    }

    /// <summary>
    /// Sessions outside the window keep their stored rows. Inside it, each session takes the id a replay of the whole
    /// room gives it: the oldest stored session it overlaps, else a new id (new ids are random, so only their being
    /// new is compared).
    /// </summary>
    private static void AssertIdsAsAWholeRoomAssignmentGives(LateRoom late, IReadOnlyList<SessionRecord> full, List<StoredRow> stored, string what)
    {
        var insertion = late.LastInsertion!;
        var expected = full.Select(s => s.Clone()).ToList();
        SessionIdentity.Assign(expected, [.. late.StoreBefore.Values.Select(s => new StoredSpan(s.Id, s.Start, s.End))]);
        string Name(SessionId id) => late.StoreBefore.ContainsKey(id) ? id.ToString() : "new";

        for (var i = 0; i < stored.Count; i++)
        {
            if (insertion.Covers(stored[i].Start))
            {
                Assert.True(Name(expected[i].Id!.Value) == Name(stored[i].Id),
                    $"{what}: the session {SessionText.Time(stored[i].Start)} has the id {Name(stored[i].Id)}, a whole-room assignment gives {Name(expected[i].Id!.Value)}");
            }
            else
            {
                Assert.True(late.StoreBefore.TryGetValue(stored[i].Id, out var before) && before == stored[i],
                    $"{what}: the session {SessionText.Time(stored[i].Start)} lies outside the window {SessionText.Time(insertion.From)}.. and changed");
            }
        }
    }

    private static void AssertOnlyChangedSessionsWereWritten(LateRoom late, string what)
    {
        foreach (var written in late.LastWritten)
        {
            var unchanged = late.StoreBefore.TryGetValue(written.Id!.Value, out var previous) && previous == LateRoom.Row(written);
            Assert.False(unchanged, $"{what}: the session {SessionText.Time(written.Start)} was written again without a change");
        }
    }

    private static IEnumerable<List<LawEvent>> Batches(IEnumerable<LawEvent> arrivals, int[] sizes)
    {
        var all = arrivals.ToList();
        for (int i = 0, b = 0; i < all.Count; i += sizes[b % sizes.Length], b++)
        {
            yield return all.GetRange(i, Math.Min(sizes[b % sizes.Length], all.Count - i));
        }
    }

    private static string Print(GeneratedHistory history, int[] sizes) => $"{history}batch sizes: {string.Join(", ", sizes)}";
}
