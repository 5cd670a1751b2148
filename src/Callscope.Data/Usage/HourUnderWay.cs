using System.Collections.Concurrent;
using System.Data.Common;
using Callscope.Data.Dialects;
using Dapper;
using static Callscope.Data.Usage.UsageState;

namespace Callscope.Data.Usage;

/// <summary>
/// The hour under way of each team, kept between reads (docs/statistics.md, "The hour under way"). The hour cannot be
/// stored while it runs, and measuring it from the sessions each time costs a read of every live session and its
/// participants. Instead this keeps, per team, the sessions that reach into the hour as stored, and the counts they
/// gave at the last read:
/// <list type="bullet">
/// <item>Nothing written since (the team's number in <c>usage_changes</c> is the one seen), and nothing due to happen
/// between the last read and now (no start, join, leave or deadline lies between them): the counts are the same but
/// for the open connections' milliseconds, which grow by the time passed.</item>
/// <item>Rooms written since: only those rooms' sessions are read again (all of the team's past a few hundred).</item>
/// <item>A new hour, or a read whose snapshot is older than what is kept: read afresh, or measured without keeping.</item>
/// </list>
/// Every read is made in the caller's snapshot, so what is kept is what that snapshot holds.
/// </summary>
internal sealed class HourUnderWay(StoreDialect dialect)
{
    /// <summary>The teams kept; past this many, all are forgotten and read again on their next read.</summary>
    public const int TeamsKept = 1_000;

    private readonly ConcurrentDictionary<string, Team> teams = new(StringComparer.Ordinal);

    /// <summary>How many reads were answered from the kept counts without reading or counting sessions (for tests).</summary>
    public long Reused => Interlocked.Read(ref reused);

    private long reused;

    /// <summary>
    /// The team's counts over <c>[from, now)</c>, where <paramref name="from"/> lies within the hour that holds now, or null
    /// when the caller's snapshot is older than what is kept (the caller measures it from the sessions then).
    /// </summary>
    public UsageCounts? Measure(DbConnection connection, DbTransaction transaction, string team, UsageState state, DateTimeOffset now, long from) =>
        WithKept(connection, transaction, team, state, now, from, (kept, nowMs) =>
        {
            if (from == kept.Hour && kept.Answer(nowMs) is { } answer)
            {
                Interlocked.Increment(ref reused);
                return answer;
            }

            var sessions = UsageSource.ResolveEach(kept.Sessions.Values, now);
            var counts = UsageSweep.Measure(sessions, from, nowMs);
            if (from == kept.Hour)
            {
                kept.Keep(counts, nowMs);
            }

            return counts;
        });

    /// <summary>
    /// The rooms with a session that started within <c>[from, now)</c>, where <paramref name="from"/> lies within the hour
    /// that holds now, from the kept sessions; null as for <see cref="Measure"/>.
    /// </summary>
    public HashSet<string>? RoomsStarted(DbConnection connection, DbTransaction transaction, string team, UsageState state, DateTimeOffset now, long from) =>
        WithKept(connection, transaction, team, state, now, from,
            (kept, nowMs) => kept.Sessions.Values.Where(s => s.Session.Start >= from && s.Session.Start < nowMs).Select(s => s.Session.Room)
                .ToHashSet(StringComparer.Ordinal));

    /// <summary>
    /// Runs <paramref name="use"/> on the team's kept hour, brought up to the caller's snapshot and locked for it; null when
    /// <paramref name="from"/> does not lie within the hour that holds now, or the snapshot is older than what is kept.
    /// </summary>
    private T? WithKept<T>(DbConnection connection, DbTransaction transaction, string team, UsageState state, DateTimeOffset now, long from,
        Func<Team, long, T> use)
        where T : class
    {
        var nowMs = DbTime.Ms(now);
        var hour = Floor(nowMs, HourMs);
        if (from < hour || from >= nowMs)
        {
            return null;
        }

        var kept = Kept(team);
        lock (kept)
        {
            return Refresh(kept, connection, transaction, team, state, hour) ? use(kept, nowMs) : null;
        }
    }

    private Team Kept(string team)
    {
        if (teams.Count > TeamsKept)
        {
            teams.Clear();
        }

        return teams.GetOrAdd(team, _ => new Team());
    }

    /// <summary>
    /// Brings the team's kept hour up to the caller's snapshot, under the caller's lock on it: read afresh for a new
    /// hour, or its rooms written since read again. False when the snapshot is older than what is kept, which is left.
    /// </summary>
    private bool Refresh(Team kept, DbConnection connection, DbTransaction transaction, string team, UsageState state, long hour)
    {
        var version = state.ChangeNumber;
        if (kept.Hour == hour && version < kept.Version)
        {
            return false;
        }

        if (kept.Hour != hour)
        {
            kept.Load(Read(connection, transaction, team, "", null, hour, state.Longest), hour, version);
        }
        else if (version > kept.Version)
        {
            if (ChangeNumbers.RoomsSince(connection, transaction, team, kept.Version) is not { } changed)
            {
                kept.Load(Read(connection, transaction, team, "", null, hour, state.Longest), hour, version);
            }
            else
            {
                // A changed room is read without the longest-session bound: its sessions are few, and one that grew
                // longer than any before must still be found.
                kept.Replace(changed, Read(connection, transaction, team, $" AND {dialect.InList("s.room_id", "changed")}", new { changed }, hour, null), version);
            }
        }

        return true;
    }

    private static (List<SourceSession> Sessions, List<SourceParticipant> Participants) Read(
        DbConnection connection, DbTransaction transaction, string team, string rooms, object? args, long hour, long? longest) =>
        UsageSource.Read(connection, transaction, team, rooms, args, hour, long.MaxValue, longest);

    /// <summary>
    /// One team's hour: its sessions that reach into it, by id, each with its participants, and the last counts. A
    /// session and its participants are one entry and one array, not a second dictionary of lists: the hour of a busy
    /// team holds every live session (docs/statistics.md).
    /// </summary>
    private sealed class Team
    {
        public long Hour { get; private set; } = long.MinValue;

        public long Version { get; private set; }

        public Dictionary<string, (SourceSession Session, SourceParticipant[] Participants)> Sessions { get; } = new(StringComparer.Ordinal);

        private UsageCounts? counts;
        private long countedAt;
        private long quietUntil;
        private readonly long[] open = new long[UsageCounts.Slots];

        public void Load((List<SourceSession> Sessions, List<SourceParticipant> Participants) read, long hour, long version)
        {
            Sessions.Clear();
            Add(read);
            (Hour, Version, counts) = (hour, version, null);
        }

        public void Replace(string[] rooms, (List<SourceSession> Sessions, List<SourceParticipant> Participants) read, long version)
        {
            var gone = rooms.ToHashSet(StringComparer.Ordinal);
            foreach (var (session, _) in Sessions.Values.Where(s => gone.Contains(s.Session.Room)).ToList())
            {
                Sessions.Remove(session.Id);
            }

            Add(read);
            (Version, counts) = (version, null);
        }

        /// <summary>
        /// The counts kept, brought to <paramref name="now"/>: the connections open when they were counted grew by the time
        /// since, and nothing else moved. Null when nothing is kept, or when something happens between the count and now
        /// (a session starts, someone joins or leaves, a deadline ends a session), which the caller measures then.
        /// </summary>
        public UsageCounts? Answer(long now)
        {
            if (counts is null || now < countedAt || now >= quietUntil)
            {
                return null;
            }

            var answer = new UsageCounts();
            answer.Add(counts);
            for (var slot = 0; slot < UsageCounts.Slots; slot++)
            {
                answer.Ms[slot] += open[slot] * (now - countedAt);
            }

            return answer;
        }

        /// <summary>
        /// Keeps counts measured at <paramref name="now"/>, with what they need to be brought forward: the connections open
        /// then, by device, and the first moment after it at which a kept start, join, leave or deadline lies.
        /// </summary>
        public void Keep(UsageCounts measured, long now)
        {
            var copy = new UsageCounts();
            copy.Add(measured);
            Array.Clear(open);
            var next = long.MaxValue;
            void Consider(long? t)
            {
                if (t is { } at && at >= now && at < next)
                {
                    next = at;
                }
            }

            foreach (var (session, participants) in Sessions.Values)
            {
                Consider(session.Start);
                Consider(session.End);
                Consider(session.Deadline);
                var running = session.End is null && (session.Deadline is not { } due || due > now);
                foreach (var p in participants)
                {
                    Consider(p.Join);
                    foreach (var (from, to) in p.Connections)
                    {
                        Consider(from);
                        Consider(to);
                        if (running && to is null && from <= now)
                        {
                            open[p.Device]++;
                        }
                    }
                }
            }

            (counts, countedAt, quietUntil) = (copy, now, next);
        }

        private void Add((List<SourceSession> Sessions, List<SourceParticipant> Participants) read)
        {
            var participants = read.Participants.ToLookup(p => p.Session, StringComparer.Ordinal);
            foreach (var session in read.Sessions)
            {
                Sessions[session.Id] = (session, [.. participants[session.Id]]);
            }
        }
    }
}
