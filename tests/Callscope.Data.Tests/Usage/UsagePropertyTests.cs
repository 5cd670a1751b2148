using System.Globalization;
using Callscope.Core;
using Callscope.Core.Ingest;
using Callscope.Data.Usage;
using Dapper;

namespace Callscope.Data.Tests.Usage;

/// <summary>
/// The statistics' fast path against their definition: random histories of joins, leaves, reconnects and calls left
/// open, delivered late, out of order and twice, with the usage worker storing roll-ups at random moments in between,
/// must give every figure, timeline point and room total that a direct computation over the stored sessions gives,
/// over whole days, ragged ranges and the hour under way (on the suite's store: SQLite, and PostgreSQL in CI).
/// </summary>
public sealed class UsagePropertyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 21, 0, 0, TimeSpan.Zero);
    private static readonly string?[] Devices = ["desktop", "mobile", "tablet", "smarttv", null];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<int> Seeds => [.. Enumerable.Range(1, 8)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task The_roll_ups_answer_what_the_sessions_say_after_any_arrival_order(int seed)
    {
        var random = new Random(seed);
        var history = History(random);
        await using var store = new StoreHarness(T0);
        var worker = new UsageWorker(store.Database, store.Pipeline, store.Clock)
        {
            HoursPerLook = 1 + random.Next(30),
            DaysPerLook = 1 + random.Next(2),
            // Odd seeds read marked rooms' days room by room, even ones a day at a time for all the rooms.
            RoomDaysReadAlone = seed % 2 == 0 ? 0 : 24,
        };
        var queries = new UsageQueries(store.Database, store.Clock);

        // Each event arrives at its time, or up to three hours late; a tenth arrive twice.
        var arrivals = history
            .Select(e => (At: e.Timestamp + (random.NextDouble() < 0.25 ? TimeSpan.FromMinutes(random.Next(1, 180)) : TimeSpan.Zero), Event: e))
            .Concat(history.Where(_ => random.NextDouble() < 0.1).Select(e => (At: e.Timestamp + TimeSpan.FromMinutes(random.Next(0, 240)), Event: e)))
            .OrderBy(a => a.At)
            .ToList();
        var checkedMidway = false;
        for (var i = 0; i < arrivals.Count;)
        {
            var size = 1 + random.Next(12);
            var batch = arrivals.Skip(i).Take(size).ToList();
            i += batch.Count;
            store.Clock.SetUtcNow(Max(store.Clock.GetUtcNow(), batch[^1].At));
            var result = await store.IngestAsync([.. batch.Select(b => b.Event)]);
            Assert.Empty(result.Problems);
            if (random.NextDouble() < 0.3)
            {
                await worker.RunOnceAsync(Ct);
            }

            // The hour under way is kept between reads: after writes, and again as time passes without any.
            if (random.NextDouble() < 0.4)
            {
                AssertHourUnderWay(store, queries, random);
                store.Clock.Advance(TimeSpan.FromSeconds(random.Next(1, 900)));
                AssertHourUnderWay(store, queries, random);
            }

            if (!checkedMidway && i > arrivals.Count / 2)
            {
                checkedMidway = true;
                AssertSame(store, queries, random);
            }
        }

        store.Clock.SetUtcNow(T0.AddHours(40).AddMinutes(random.Next(60)));
        switch (random.Next(3))
        {
            case 0:
                await worker.CatchUpAsync(Ct);
                break;
            case 1:
                await worker.RunOnceAsync(Ct);
                break;
        }

        AssertSame(store, queries, random);
        await worker.CatchUpAsync(Ct);
        AssertSame(store, queries, random);

        // Caught up, the answers above came from stored roll-ups: every hour before this one is stored and unmarked.
        using var connection = store.Database.Open();
        Assert.Equal(0, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM usage_marks"));
        Assert.Equal(Floor(store.Clock.GetUtcNow(), TimeSpan.FromHours(1)).ToUnixTimeMilliseconds(),
            connection.ExecuteScalar<long>("SELECT hours_until FROM usage_state"));
        Assert.True(connection.ExecuteScalar<long>("SELECT COUNT(*) FROM usage_rollups WHERE room_id = ''") > 10);
        Assert.True(connection.ExecuteScalar<long>("SELECT COUNT(*) FROM usage_rollups WHERE room_id <> ''") >= 4);
        Assert.True(queries.HourReused > 0, "some reads of the hour under way were answered from what was kept");
    }

    /// <summary>Periods that end in the hour under way, starting before it, at its start, and within it.</summary>
    private static void AssertHourUnderWay(StoreHarness store, UsageQueries queries, Random random)
    {
        var reference = new UsageReference(store.Database, store.Clock);
        var now = store.Clock.GetUtcNow();
        var hour = Floor(now, TimeSpan.FromHours(1));
        foreach (var from in new[] { now.AddHours(-3), hour, hour.AddSeconds(random.Next((int)(now - hour).TotalSeconds + 1)) })
        {
            var to = now.AddHours(1);
            Assert.Equal(reference.Team(store.Team, from, to), queries.Team(store.Team, from, to));
            Assert.Equal(reference.Timeline(store.Team, from, to, UsageInterval.Hour), queries.Timeline(store.Team, from, to, UsageInterval.Hour));
            Assert.Equal(reference.Timeline(store.Team, from, to, UsageInterval.Day), queries.Timeline(store.Team, from, to, UsageInterval.Day));
        }
    }

    private static DateTimeOffset Floor(DateTimeOffset t, TimeSpan unit) => new(t.UtcTicks - (t.UtcTicks % unit.Ticks), TimeSpan.Zero);

    private static void AssertSame(StoreHarness store, UsageQueries queries, Random random)
    {
        var reference = new UsageReference(store.Database, store.Clock);
        var day = new DateTimeOffset(T0.Year, T0.Month, T0.Day, 0, 0, 0, TimeSpan.Zero);
        var ranges = new List<(DateTimeOffset From, DateTimeOffset To)>
        {
            (day.AddDays(-1), day.AddDays(4)),
            (day, day.AddDays(1)),
            (day.AddDays(1), day.AddDays(2)),
            (day.AddDays(2), day.AddDays(3)),
            (store.Clock.GetUtcNow().AddHours(-2), store.Clock.GetUtcNow().AddHours(1)),
        };
        for (var i = 0; i < 6; i++)
        {
            var from = T0.AddMinutes(random.Next(-120, 40 * 60)).AddSeconds(random.Next(60));
            ranges.Add((from, from.AddMinutes(1 + random.Next(20 * 60))));
        }

        foreach (var (from, to) in ranges)
        {
            Assert.Equal(reference.Team(store.Team, from, to), queries.Team(store.Team, from, to));
            Assert.Equal(reference.Timeline(store.Team, from, to, UsageInterval.Hour), queries.Timeline(store.Team, from, to, UsageInterval.Hour));
            Assert.Equal(reference.Timeline(store.Team, from, to, UsageInterval.Day), queries.Timeline(store.Team, from, to, UsageInterval.Day));
            var rooms = reference.Rooms(store.Team, from, to);
            var top = queries.TopRooms(store.Team, from, to, 100);
            Assert.Equal(rooms.OrderByDescending(r => r.Value.Minutes).Select(r => r.Value.Minutes), top.Select(r => r.ParticipationMinutes));
            Assert.All(top, r => Assert.Equal(rooms[r.RoomId], (r.ParticipationMinutes, r.Sessions)));
            foreach (var room in rooms.Keys)
            {
                Assert.Equal(reference.Room(store.Team, room, from, to), queries.Room(store.Team, room, from, to));
            }
        }

        var minutes = T0.AddHours(random.Next(30)).AddMinutes(random.Next(60));
        Assert.Equal(reference.Timeline(store.Team, minutes, minutes.AddHours(3), UsageInterval.Minute),
            queries.Timeline(store.Team, minutes, minutes.AddHours(3), UsageInterval.Minute));
    }

    /// <summary>
    /// Four rooms, each with a few calls one after another from 21:00 on (so that days and hours are crossed): people
    /// join on different devices, some drop and come back, the last call of a room may be left open, and gaps longer
    /// than the grace period start new sessions.
    /// </summary>
    private static List<IncomingEvent> History(Random random)
    {
        var events = new List<IncomingEvent>();
        foreach (var room in new[] { "alpha", "beta", "gamma", "delta" })
        {
            var r = new RoomRef(null, room);
            var t = T0.AddMinutes(random.Next(0, 120));
            var calls = 2 + random.Next(4);
            for (var call = 0; call < calls; call++)
            {
                var end = t;
                var people = 1 + random.Next(4);
                for (var person = 0; person < people; person++)
                {
                    var who = $"{room}-{call}-{person}";
                    var device = Devices[random.Next(Devices.Length)];
                    var data = device is null ? null : "{\"client\":{\"device\":\"" + device + "\"}}";
                    var join = t.AddMinutes(random.Next(0, 15));
                    var stays = random.Next(1, 150);
                    var leave = join.AddMinutes(stays).AddSeconds(random.Next(60));
                    var open = call == calls - 1 && random.NextDouble() < 0.3;
                    var connection = 0;
                    if (!open && random.NextDouble() < 0.3 && stays > 10)
                    {
                        // A drop and a rejoin a minute or two later, on a new connection.
                        var drop = join.AddMinutes(stays / 2);
                        events.Add(Event($"{who}-j{connection}", "participant_joined", join, r, who, connection, data));
                        events.Add(Event($"{who}-l{connection}", "participant_left", drop, r, who, connection, null));
                        connection++;
                        join = drop.AddMinutes(1 + random.Next(2));
                    }

                    events.Add(Event($"{who}-j{connection}", "participant_joined", join, r, who, connection, data));
                    if (!open)
                    {
                        events.Add(Event($"{who}-l{connection}", "participant_left", leave, r, who, connection, null));
                    }

                    end = Max(end, leave);
                }

                t = end.AddMinutes(random.Next(1, 40));
            }
        }

        return events;
    }

    private static IncomingEvent Event(string id, string type, DateTimeOffset at, RoomRef room, string who, int connection, string? data) =>
        new(id, type, at, at, null, room, new ParticipantRef(who, who, "attendee", string.Create(CultureInfo.InvariantCulture, $"{who}-c{connection}")), data);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
