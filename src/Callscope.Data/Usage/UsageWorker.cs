using System.Data;
using Callscope.Core;
using Callscope.Data.Writing;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static Callscope.Data.Usage.UsageState;

namespace Callscope.Data.Usage;

/// <summary>
/// Keeps each team's usage roll-ups stored (docs/statistics.md): every hour that has passed gets its team row, every day
/// that has passed its room rows, and whatever a mark says changed is measured again from the sessions. It reads
/// outside the writer and stores through it (<see cref="StoreUsageCommand"/>), which drops a result another node
/// stored first. Until it has stored a stretch, queries measure that stretch themselves, so it only makes them fast.
/// </summary>
public sealed partial class UsageWorker(CallscopeDatabase database, IngestPipeline pipeline, TimeProvider clock, ILogger<UsageWorker>? logger = null)
{
    private readonly ILogger log = logger ?? NullLogger<UsageWorker>.Instance;

    /// <summary>The pause between two looks.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How many times as long as a look took the worker rests after it (at least <see cref="Interval"/>): while a busy
    /// writer keeps marking history, measuring never takes more than a fifth of the time of a core from ingest. Answers
    /// stay exact meanwhile; they only measure more themselves.
    /// </summary>
    public int RestFactor { get; init; } = 4;

    /// <summary>
    /// The longest rest: a look made slow by a busy moment (a long fill of back-dated history) must not leave the
    /// roll-ups unstored for many minutes after the moment has passed.
    /// </summary>
    public TimeSpan MaxRest { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Marked room days read room by room, per day in them, at most: more are read a day at a time for all the rooms
    /// (24, the hours a day takes that way).
    /// </summary>
    public int RoomDaysReadAlone { get; init; } = (int)(DayMs / HourMs);

    /// <summary>A look longer than this is logged, with the rest that follows it.</summary>
    private static readonly TimeSpan SlowLook = TimeSpan.FromSeconds(5);

    /// <summary>Hours measured for a team at one look, so a long backlog is taken in steps.</summary>
    public int HoursPerLook { get; init; } = 24;

    /// <summary>Whole days whose room rows are measured for a team at one look.</summary>
    public int DaysPerLook { get; init; } = 2;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = clock.GetTimestamp();
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                Log.LookFailed(log, error);
            }

            var took = clock.GetElapsedTime(started);
            var rest = took * RestFactor;
            rest = rest < Interval ? Interval : rest > MaxRest ? MaxRest : rest;
            if (took > SlowLook)
            {
                Log.SlowLook(log, took.TotalSeconds, rest.TotalSeconds);
            }

            try
            {
                await Task.Delay(rest, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Brings every team's roll-ups a step closer to now; answers how many teams' roll-ups it stored.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        List<string> teams;
        using (var connection = database.Open())
        {
            teams = [.. connection.Query<string>("SELECT team_id FROM usage_state UNION SELECT team_id FROM usage_marks")];
        }

        var stored = 0;
        foreach (var team in teams)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Plan(team) is { } command && await pipeline.SendAsync(command, cancellationToken))
            {
                stored++;
            }
        }

        return stored;
    }

    /// <summary>Runs looks until nothing is left to store up to now (for tests and the bench).</summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken = default)
    {
        while (await RunOnceAsync(cancellationToken) > 0)
        {
            using var connection = database.Open();
            var behind = connection.ExecuteScalar<long>(
                "SELECT COUNT(*) FROM usage_state WHERE hours_until < @h OR days_until < @d",
                new { h = Floor(DbTime.Ms(clock.GetUtcNow()), HourMs), d = Floor(DbTime.Ms(clock.GetUtcNow()), DayMs) })
                + connection.ExecuteScalar<long>("SELECT COUNT(*) FROM usage_marks");
            if (behind == 0)
            {
                return;
            }
        }
    }

    /// <summary>What to store for the team at this look, or null when its roll-ups are up to date.</summary>
    private StoreUsageCommand? Plan(string team)
    {
        var now = clock.GetUtcNow();
        var nowMs = DbTime.Ms(now);
        var (hourNow, dayNow) = (Floor(nowMs, HourMs), Floor(nowMs, DayMs));
        using var connection = database.Open();
        using var transaction = database.Dialect.BeginSnapshotRead(connection);
        var state = UsageState.Read(connection, transaction, team);
        var first = state.HoursUntil == 0 || state.DaysUntil == 0
            ? connection.ExecuteScalar<long?>("SELECT MIN(start_time) FROM sessions WHERE team_id = @team", new { team }, transaction)
            : null;
        var hoursBase = state.HoursUntil > 0 ? state.HoursUntil : first is { } f ? Floor(f, HourMs) : hourNow;
        var daysBase = state.DaysUntil > 0 ? state.DaysUntil : first is { } g ? Floor(g, DayMs) : dayNow;
        var earliestMark = state.EarliestMark;
        var hoursFrom = earliestMark is { } mark ? Math.Min(hoursBase, Floor(mark, HourMs)) : hoursBase;
        var hoursTo = Math.Min(hourNow, hoursFrom + (HoursPerLook * HourMs));
        var daysTo = Math.Min(dayNow, daysBase + (DaysPerLook * DayMs));
        if (state.Exists && hoursFrom >= hoursTo && daysBase >= daysTo && state.Marks.Count == 0)
        {
            return null;
        }

        var hours = new HourMeasure(connection, transaction, team, state.Longest, now);
        var rows = new List<UsageRow>();

        // Days that have passed since the last look: every room with a session in them.
        var wholeDays = new List<long>();
        for (var day = daysBase; day < daysTo; day += DayMs)
        {
            wholeDays.Add(day);
            rows.AddRange(hours.RoomDay(day, only: null).Select(r => new UsageRow(r.Key, day, r.Value)));
        }

        // Marked rooms: their days up to where the hours reach, outside the whole days measured above.
        var roomDays = new List<(string Room, long Day)>();
        var marksDone = Floor(hoursTo, DayMs);
        foreach (var (room, (from, _)) in state.Marks)
        {
            for (var day = Floor(from, DayMs); day < marksDone; day += DayMs)
            {
                if (day < daysBase || day >= daysTo)
                {
                    roomDays.Add((room, day));
                }
            }
        }

        // The days first: a team hour among them is then taken from the same read of the hour.
        rows.AddRange(MarkedRoomDays(hours, roomDays));
        var teamHours = new List<long>();
        for (var hour = hoursFrom; hour < hoursTo; hour += HourMs)
        {
            teamHours.Add(hour);
            rows.Add(new UsageRow("", hour, hours.Team(hour)));
        }

        var longest = state.Longest;
        var marks = state.Marks.Select(m => new UsageMarkStep(m.Key, m.Value.Version, hoursTo >= hourNow ? null : Math.Max(m.Value.From, hoursTo))).ToList();
        return new StoreUsageCommand(new TeamId(Guid.Parse(team)), state.Exists ? (state.HoursUntil, state.DaysUntil) : null,
            Math.Max(hoursBase, hoursTo), Math.Max(daysBase, daysTo), longest, teamHours, wholeDays, roomDays, [.. rows.Where(r => !r.Counts.IsEmpty)], marks);
    }

    /// <summary>
    /// The rows of marked rooms' days. A few are read room by room; when many rooms are marked over the same days (a
    /// fill of history marks every room it writes), each of those days is read once, hour by hour, for all of them, as
    /// whole days are: a room's day is the sum of its hours.
    /// </summary>
    private IEnumerable<UsageRow> MarkedRoomDays(HourMeasure hours, List<(string Room, long Day)> roomDays)
    {
        var days = roomDays.ToLookup(d => d.Day, d => d.Room);
        if (roomDays.Count <= days.Count * RoomDaysReadAlone)
        {
            return roomDays.Select(d => new UsageRow(d.Room, d.Day, hours.Room(d.Room, d.Day)));
        }

        return days.OrderBy(d => d.Key).SelectMany(day =>
        {
            var only = day.ToHashSet(StringComparer.Ordinal);
            var sums = hours.RoomDay(day.Key, only);
            // A marked room without a session that day still gets its (empty) row replaced.
            return only.Select(room => new UsageRow(room, day.Key, sums.GetValueOrDefault(room) ?? new UsageCounts()));
        }).ToList();
    }

    /// <summary>Measures hours of one team from its sessions, each hour read once.</summary>
    private sealed class HourMeasure(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction,
        string team, long longest, DateTimeOffset now)
    {
        private readonly Dictionary<long, (List<UsageSession> Sessions, ILookup<string, UsageParticipant> Participants)> loaded = [];

        /// <summary>The team's figures of each hour read so far: an hour read for its rooms is not read again for the team.</summary>
        private readonly Dictionary<long, UsageCounts> teamHours = [];

        public UsageCounts Team(long hour)
        {
            if (!teamHours.TryGetValue(hour, out var counts))
            {
                Load(hour);
                counts = teamHours[hour];
            }

            return counts;
        }

        public IEnumerable<(string Room, UsageCounts Counts)> Rooms(long hour)
        {
            var (sessions, participants) = Load(hour);
            return sessions.GroupBy(s => s.Room).Select(g => (g.Key, UsageSweep.Measure(g, participants, hour, hour + HourMs)));
        }

        /// <summary>
        /// Each room's figures over a whole day, as the sum of its hours (every room with a session that day, or only
        /// those in <paramref name="only"/>).
        /// </summary>
        public Dictionary<string, UsageCounts> RoomDay(long day, IReadOnlySet<string>? only)
        {
            var sums = new Dictionary<string, UsageCounts>(StringComparer.Ordinal);
            for (var hour = day; hour < day + DayMs; hour += HourMs)
            {
                foreach (var (room, counts) in Rooms(hour))
                {
                    if (only is null || only.Contains(room))
                    {
                        if (!sums.TryGetValue(room, out var sum))
                        {
                            sums[room] = sum = new UsageCounts();
                        }

                        sum.Add(counts);
                    }
                }
            }

            return sums;
        }

        public UsageCounts Room(string room, long day)
        {
            var (sessions, participants) = UsageSource.Load(connection, transaction, team, room, day, day + DayMs, longest, now);
            return UsageSweep.Measure(sessions, participants, day, day + DayMs);
        }

        private (List<UsageSession> Sessions, ILookup<string, UsageParticipant> Participants) Load(long hour)
        {
            if (!loaded.TryGetValue(hour, out var found))
            {
                // Only the hour at hand is kept: a day's worth of a busy team's sessions would not fit.
                loaded.Clear();
                loaded[hour] = found = UsageSource.Load(connection, transaction, team, null, hour, hour + HourMs, longest, now);
                teamHours[hour] = UsageSweep.Measure(found.Sessions, found.Participants, hour, hour + HourMs);
            }

            return found;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Storing usage roll-ups failed; retrying on the next look")]
        public static partial void LookFailed(ILogger logger, Exception error);

        [LoggerMessage(Level = LogLevel.Information, Message = "A usage look took {Seconds:0.0} s; the worker rests {Rest:0} s")]
        public static partial void SlowLook(ILogger logger, double seconds, double rest);
    }
}
