using Callscope.Core;
using Callscope.Core.Ingest;
using Callscope.Data.Writing;
using Dapper;

namespace Callscope.Data.Tests;

/// <summary>
/// The writer runs the commands of a group commit without a savepoint each. A command that fails in the middle of a
/// group still fails alone: the commands before and after it are stored and answered, nothing of the failed one stays,
/// and the writer's memory (newest event ids, rooms' law state) does not keep what was rolled back.
/// </summary>
public sealed class GroupedFailureTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_command_that_fails_inside_a_group_fails_alone_and_leaves_nothing_behind()
    {
        await using var store = new StoreHarness(T.AddHours(1));
        var first = Joins("first", "ana", "ben");
        var doomed = Joins("doomed", "cleo", "dan");
        var last = Joins("last", "eve");

        // Hold the writer in a transaction of its own, so the three commands queued meanwhile are taken as one group.
        var gate = new GateCommand();
        var gated = store.Pipeline.SendAsync(gate, Ct);
        Assert.True(gate.Entered.Wait(TimeSpan.FromSeconds(30), Ct), "the writer never ran the gate");
        var firstDone = store.IngestAsync(first);
        var failing = new FailingIngest(store.Team, doomed);
        var failingDone = store.Pipeline.SendAsync(failing, Ct);
        var lastDone = store.IngestAsync(last);
        gate.Release.Set();
        await gated;

        var (stored, storedLast) = (await firstDone, await lastDone);
        Assert.Equal((2, 0), (stored.Accepted, stored.Duplicates));
        Assert.Equal((1, 0), (storedLast.Accepted, storedLast.Duplicates));
        var error = await Assert.ThrowsAsync<WriteFailedException>(() => failingDone);
        Assert.IsType<InvalidOperationException>(error.InnerException);

        // It ran in the same transaction as the command before it: it saw that command's events, in every attempt.
        Assert.NotEmpty(failing.EventsSeen);
        Assert.All(failing.EventsSeen, seen => Assert.Equal(2, seen));

        await using (var connection = store.Database.Open())
        {
            Assert.Equal(3, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM events"));
            Assert.Equal(0, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM rooms WHERE friendly_url = 'doomed'"));
            Assert.Equal(2, connection.ExecuteScalar<long>(
                "SELECT COUNT(*) FROM sessions s JOIN rooms r ON r.id = s.room_id WHERE r.friendly_url IN ('first', 'last')"));
        }

        // The writer's memory holds only what committed: the failed events are new, the stored ones duplicates, and the
        // failed command's room gets its session.
        var retried = await store.IngestAsync(doomed);
        Assert.Equal((2, 0), (retried.Accepted, retried.Duplicates));
        var again = await store.IngestAsync([.. first, .. last]);
        Assert.Equal((0, 3), (again.Accepted, again.Duplicates));
        await using (var connection = store.Database.Open())
        {
            Assert.Equal(5, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM events"));
            Assert.Equal(2, connection.ExecuteScalar<long>(
                "SELECT participants_live FROM sessions s JOIN rooms r ON r.id = s.room_id WHERE r.friendly_url = 'doomed' AND s.end_time IS NULL"));
        }
    }

    private static List<IncomingEvent> Joins(string room, params string[] who) =>
        [.. who.Select((name, i) => TestEvents.Of("participant_joined", room, name, T.AddMinutes(i)))];

    /// <summary>Keeps the writer in its transaction until the test lets it go.</summary>
    private sealed class GateCommand : WriteCommand<int>
    {
        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        internal override int Run(WriteContext context)
        {
            Entered.Set();
            Release.Wait(TimeSpan.FromSeconds(30));
            return 0;
        }
    }

    /// <summary>Stores its events as an ingest does, law and all, then fails.</summary>
    private sealed class FailingIngest(TeamId team, IReadOnlyList<IncomingEvent> events) : WriteCommand<int>
    {
        /// <summary>How many events the transaction held when the command started, at each attempt.</summary>
        public List<long> EventsSeen { get; } = [];

        internal override int Run(WriteContext context)
        {
            EventsSeen.Add(context.Scalar<long>("SELECT COUNT(*) FROM events"));
            new IngestCommand(team, events).Execute(context);
            context.Finish();
            throw new InvalidOperationException("A failure nobody planned for, after the command's writes.");
        }
    }
}
