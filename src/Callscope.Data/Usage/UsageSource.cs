using System.Data.Common;
using System.Text.Json;
using Callscope.Core.Law;
using Callscope.Data.Writing;
using Dapper;

namespace Callscope.Data.Usage;

/// <summary>A stored session as read, before "now" is applied: its written end and its deadline, in Unix milliseconds.</summary>
internal sealed record SourceSession(string Id, string Room, long Start, long? End, long? Deadline);

/// <summary>
/// A stored participant as read: its device slot, its first join, and its connections (an open one has no end). A value,
/// so that a kept session holds its participants in one array rather than one object each.
/// </summary>
internal readonly record struct SourceParticipant(string Session, int Device, long Join, (long From, long? To)[] Connections);

/// <summary>Reads the stored sessions and participants that the usage of a stretch of time is computed from.</summary>
internal static class UsageSource
{
    /// <summary>
    /// The team's (or one room's) sessions that may overlap <c>[from, to)</c>, with their participants and every open end
    /// resolved as of <paramref name="now"/>. Ended sessions are looked for from <paramref name="longest"/> milliseconds
    /// before <paramref name="from"/> (the longest ended session the team has, so none is missed), open ones wherever they
    /// start.
    /// </summary>
    public static (List<UsageSession> Sessions, ILookup<string, UsageParticipant> Participants) Load(
        DbConnection connection, DbTransaction? transaction, string team, string? room, long from, long to, long? longest, DateTimeOffset now)
    {
        var (sessions, participants) = Read(connection, transaction, team, room is null ? "" : " AND s.room_id = @room", new { room }, from, to, longest);
        return Resolve(sessions, participants, now);
    }

    /// <summary>
    /// The sessions that may overlap <c>[from, to)</c> and their participants, as stored; <paramref name="rooms"/> is a
    /// condition on <c>s</c> with its parameters in <paramref name="roomArgs"/>, or empty for the whole team.
    /// </summary>
    public static (List<SourceSession> Sessions, List<SourceParticipant> Participants) Read(
        DbConnection connection, DbTransaction? transaction, string team, string rooms, object? roomArgs, long from, long to, long? longest)
    {
        var ended = longest is null ? "" : " AND s.start_time >= @earliest";
        var args = new DynamicParameters(roomArgs);
        args.AddDynamicParams(new { team, from, to, earliest = from - (longest ?? 0) });
        // The same two sets of sessions, once for themselves and once joined to their participants: one read each,
        // however many sessions there are.
        string Overlapping(string columns, string join) =>
            $"""
            SELECT {columns} FROM sessions s{join}
            WHERE s.team_id = @team{rooms} AND s.start_time < @to AND s.end_time > @from{ended}
            UNION ALL
            SELECT {columns} FROM sessions s{join}
            WHERE s.team_id = @team{rooms} AND s.end_time IS NULL AND s.start_time < @to
            """;
        // What is read may be kept between reads (HourUnderWay keeps a busy team's whole hour). The rows are taken as they
        // come, not gathered first, and each brings its own copy of every text: a room's sessions share one copy of its
        // id, and a session's participants the session's.
        var roomIds = new HashSet<string>(StringComparer.Ordinal);
        var sessions = connection.Query<SourceSession>(Overlapping("s.id AS Id, s.room_id AS Room, s.start_time AS Start, s.end_time AS \"End\", s.deadline AS Deadline", ""),
            args, transaction, buffered: false).Select(s => roomIds.Add(s.Room) ? s : s with { Room = Held(roomIds, s.Room) }).ToList();
        if (sessions.Count == 0)
        {
            return ([], []);
        }

        var known = sessions.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var participants = new List<SourceParticipant>();
        var rows = connection.Query<(string Session, string? Device, long Join, string Connections)>(
            Overlapping("p.session_id, p.device, p.join_time, p.connections", " JOIN participants p ON p.team_id = s.team_id AND p.session_id = s.id"),
            args, transaction, buffered: false);
        foreach (var p in rows)
        {
            // Read without a transaction, a session may have started between the two reads: it is not counted.
            if (known.TryGetValue(p.Session, out var session))
            {
                var connections = JsonSerializer.Deserialize<List<StoredConnection>>(p.Connections) ?? [];
                participants.Add(new SourceParticipant(session, UsageCounts.Slot(p.Device), p.Join, [.. connections.Select(c => (c.JoinTime, c.LeaveTime))]));
            }
        }

        return (sessions, participants);
    }

    /// <summary>The copy of <paramref name="text"/> that <paramref name="set"/> holds.</summary>
    private static string Held(HashSet<string> set, string text) => set.TryGetValue(text, out var held) ? held : text;

    /// <summary>
    /// The sessions and participants as they stand at <paramref name="now"/>: a session whose deadline has passed ended
    /// then, and an open connection ends where its session ended, or now.
    /// </summary>
    public static (List<UsageSession> Sessions, ILookup<string, UsageParticipant> Participants) Resolve(
        IReadOnlyCollection<SourceSession> sessions, IEnumerable<SourceParticipant> participants, DateTimeOffset now)
    {
        var nowMs = DbTime.Ms(now);
        var ends = new Dictionary<string, long?>(sessions.Count, StringComparer.Ordinal);
        foreach (var s in sessions)
        {
            ends[s.Id] = EndAt(s, now);
        }

        var resolved = participants
            .Where(p => ends.ContainsKey(p.Session))
            .Select(p => Resolved(p, ends[p.Session], nowMs))
            .ToLookup(p => p.Session);
        return ([.. sessions.Select(s => new UsageSession(s.Id, s.Room, s.Start))], resolved);
    }

    /// <summary>
    /// <see cref="Resolve"/> one session at a time, as the sweep reaches it, for a caller that keeps each session's
    /// participants: a busy team's hour is not copied whole to be measured.
    /// </summary>
    public static IEnumerable<(UsageSession Session, IEnumerable<UsageParticipant> Participants)> ResolveEach(
        IEnumerable<(SourceSession Session, SourceParticipant[] Participants)> sessions, DateTimeOffset now)
    {
        var nowMs = DbTime.Ms(now);
        foreach (var (s, participants) in sessions)
        {
            var end = EndAt(s, now);
            yield return (new UsageSession(s.Id, s.Room, s.Start), participants.Select(p => Resolved(p, end, nowMs)));
        }
    }

    private static long? EndAt(SourceSession s, DateTimeOffset now) =>
        StoredSession.EndAt(DbTime.At(s.End), DbTime.At(s.Deadline), now) is { } end ? DbTime.Ms(end) : null;

    /// <summary>An open connection ends where its session ended, or now.</summary>
    private static UsageParticipant Resolved(SourceParticipant p, long? sessionEnd, long nowMs) =>
        new(p.Session, p.Device, p.Join, [.. p.Connections.Select(c => (c.From, c.To ?? sessionEnd ?? nowMs))]);
}
