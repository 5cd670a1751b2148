using System.Data.Common;
using System.Text;
using Callscope.Core;
using Callscope.Core.Law;
using Callscope.Data.Diagnosis;
using Callscope.Data.Dialects;
using Dapper;

namespace Callscope.Data.Sessions;

/// <summary>
/// Reads sessions, participants and events. A session whose deadline has passed reads as ended even before the
/// sweeper has written it, so that answers are exact to the millisecond: rows go through Core's
/// <see cref="StoredSession"/> and conditions come from <see cref="SessionLiveness"/>.
/// </summary>
public sealed class SessionQueries(CallscopeDatabase database, TimeProvider clock)
{
    private const string SessionSelect =
        """
        SELECT s.id AS Id, s.room_id AS RoomId, r.friendly_url AS RoomFriendlyUrl, r.description AS RoomDescription, r.external_id AS RoomExternalId,
            r.deleted_at AS RoomDeletedAt, s.start_time AS Start, s.end_time AS EndTime, s.end_reason AS EndReason, s.ended_by AS EndedBy,
            s.last_left_at AS LastLeftAt, s.active_connections AS ActiveConnections, s.participants_live AS ParticipantsLive,
            s.participants_total AS ParticipantsTotal, s.max_concurrent AS MaxConcurrent, s.grace_period AS GracePeriod,
            s.deadline AS Deadline, s.deadline_reason AS DeadlineReason, r.max_participants AS RoomMaxParticipants
        FROM sessions s JOIN rooms r ON r.id = s.room_id
        """;

    public Page<SessionView> List(TeamId team, SessionFilter filter, Paging paging)
    {
        var now = clock.GetUtcNow();
        var p = new DynamicParameters(new { team = team.ToString(), now = DbTime.Ms(now), limit = paging.Limit, offset = paging.Offset });
        using var connection = database.Open();
        var (where, narrow, counted, search) = Conditions(connection, filter, p, total: true);
        var total = counted!.Value;

        var order = paging.Descending ? "DESC" : "ASC";
        if (paging.After is { } after)
        {
            if (connection.QuerySingleOrDefault<long?>("SELECT start_time FROM sessions WHERE id = @after AND team_id = @team", new { after, team = team.ToString() }) is not { } start)
            {
                return new Page<SessionView>(0, []) { UnknownCursor = true };
            }

            where.Append(paging.Descending ? " AND (s.start_time, s.id) < (@aStart, @after)" : " AND (s.start_time, s.id) > (@aStart, @after)");
            p.Add("aStart", start);
            p.Add("after", after);
        }

        var byStart = database.Dialect.StartOrder(narrow);
        var activeFirst = filter.ActiveFirst ? "CASE WHEN s.active_connections > 0 THEN 0 ELSE 1 END, " : string.Empty;
        var sort = $"ORDER BY {activeFirst}{byStart} {order}, s.id {order}";
        var deepPage = paging.After is null && !narrow && search is not null ? DeepSearchPage(connection, filter, search, paging, total, p) : null;
        var rows = connection.Query<SessionRow>(
            deepPage is not null
                ? $"{SessionSelect} WHERE s.team_id = @team AND s.id IN ({database.Dialect.TextList("page", deepPage, p)}) ORDER BY {database.Dialect.StartOrder(true)} {order}, s.id {order}"
                : (paging.Offset > 0 || (narrow && database.Dialect.NarrowPageFirst)) && filter.RoomId is null
                    // A deep offset skips its rows in the sessions' own indexes, and on PostgreSQL a narrow search sorts its hits
                    // there: either joins the room only to the page.
                    ? $"{SessionSelect} WHERE s.id IN (SELECT s.id FROM sessions s WHERE {where} {sort} LIMIT @limit OFFSET @offset) {sort}"
                    : $"{SessionSelect} WHERE {where} {sort} LIMIT @limit OFFSET @offset",
            p).Select(r => r.ToView(now)).ToList();
        var counts = IssueSql.Counts(connection, database.Dialect, "session_id", [.. rows.Select(s => s.Id.ToString())]);
        return new Page<SessionView>(total, [.. rows.Select(s => s with { Issues = counts.GetValueOrDefault(s.Id.ToString(), IssueCounts.None) })]);
    }

    /// <summary>
    /// The ids of a broad search's page read room by room, or null where the walk of <see cref="List"/> costs less. That
    /// walk reads the team's sessions in start order and tests each one's room against the matched rooms, so a page at
    /// offset n reads about n × (the team's sessions ÷ the matched ones) index entries: about 100,000 for offset 10,000
    /// when a tenth of the team's sessions match, and ten times that when a hundredth do. Here each matched room's
    /// sessions are read from its own index (<c>sessions_by_room</c>), from a bound in time to the end the page starts
    /// from, and the page is cut from them sorted: one seek per room and about the page's depth in entries. The bound
    /// comes from a sample of the matched rooms (<see cref="SearchBound"/>). A full page is exact, since every matched
    /// session beyond the bound sorts after every one within it; a page cut short may have been cut by the bound, and
    /// is read again without one.
    /// </summary>
    private List<string>? DeepSearchPage(DbConnection connection, SessionFilter filter, SessionSearch search, Paging paging, int total, DynamicParameters p)
    {
        // The page is cut from the rooms' own indexes, which hold start times and ids only: filters that need more of a
        // session, and the dashboard's active-first order, keep the walk.
        if (WindowedSearch == false || search.RoomIds is not { Count: > 0 } rooms || paging.Offset == 0 || total == 0
            || filter.Live is not null || filter.HasIssues is not null || filter.ActiveFirst || filter.RoomId is not null)
        {
            return null;
        }

        var needed = (long)paging.Offset + paging.Limit;
        if (WindowedSearch is null)
        {
            // Both costs in index entries of the walk (about 0.5 µs each): a seek into a room's index costs about 8 µs
            // with a reader's 4 MiB page cache, which seldom holds the room's leaf page, and each entry read by room is
            // sorted too (docs/benchmarks.md, "a broad search's deep page").
            var teamSessions = CountFromRooms(connection, live: null, byRoom: false, "session_count", "COUNT(*)", p);
            if ((double)needed * teamSessions / total < (rooms.Count * 16.0) + (needed * 2.0))
            {
                return null;
            }
        }

        var range = new StringBuilder();
        AddRange(range, p, "s.start_time", filter.From, filter.To);
        var order = paging.Descending ? "DESC" : "ASC";
        List<string> Page(string bound) => connection.Query<string>(
            $"""
            SELECT id FROM (
                SELECT s.start_time, s.id FROM sessions s WHERE s.room_id IN ({search.Rooms}){range}{bound}
                UNION ALL
                SELECT s.start_time, s.id FROM sessions s WHERE s.id IN ({search.Ids}) AND s.room_id NOT IN ({search.Rooms}){range}{bound}
                ORDER BY 1 {order}, 2 {order} LIMIT @limit OFFSET @offset) page
            """, p).ToList();

        if (SearchBound(connection, rooms, filter, paging, needed) is not { } at)
        {
            return Page(string.Empty);
        }

        p.Add("windowBound", at);
        var ids = Page(paging.Descending ? " AND s.start_time >= @windowBound" : " AND s.start_time <= @windowBound");
        return ids.Count == paging.Limit ? ids : Page(string.Empty);
    }

    /// <summary>
    /// Where a page of the matched rooms' sessions ends in time, or null where the sample says the whole range is
    /// needed. Up to <see cref="SearchSampleRooms"/> of the rooms, spread through the list, are
    /// read from the page's end, each as far as the sample needs, and the bound is taken where the sample holds its share
    /// of the page's depth, with a quarter more for a margin. The sample follows the matched rooms' own history, so a
    /// quiet month or a burst of calls moves the bound with them; a sample that misses a busy room sets it too near,
    /// and the page is read again.
    /// </summary>
    private long? SearchBound(DbConnection connection, IReadOnlyList<string> rooms, SessionFilter filter, Paging paging, long needed)
    {
        var sampled = Math.Min(rooms.Count, SearchSampleRooms);
        var reach = (long)Math.Ceiling(needed * 1.25 * sampled / rooms.Count);
        // Parameters of their own: each statement carries one room and the range, not the request's list of rooms.
        var args = new DynamicParameters(new { reach });
        var range = new StringBuilder();
        AddRange(range, args, "s.start_time", filter.From, filter.To);
        var sql = $"SELECT s.start_time FROM sessions s WHERE s.room_id = @sampledRoom{range} ORDER BY s.start_time {(paging.Descending ? "DESC" : "ASC")} LIMIT @reach";
        var starts = new List<long>();
        for (var i = 0; i < sampled; i++)
        {
            args.Add("sampledRoom", rooms[(int)((long)i * rooms.Count / sampled)]);
            starts.AddRange(connection.Query<long>(sql, args));
        }

        if (starts.Count < reach)
        {
            return null;
        }

        starts.Sort();
        return paging.Descending ? starts[^(int)reach] : starts[(int)reach - 1];
    }

    /// <summary>How many of a search's matched rooms <see cref="SearchBound"/> reads to set a page's bound.</summary>
    public int SearchSampleRooms { get; init; } = 32;

    /// <summary>
    /// Whether a broad search's deep pages are read room by room (see <see cref="DeepSearchPage"/>): always, never, or
    /// (null) where that reads fewer index entries than the walk.
    /// </summary>
    public bool? WindowedSearch { get; init; }

    /// <summary>
    /// Every session the filter matches, newest first unless <paramref name="descending"/> is false: the whole range of
    /// <see cref="List"/>'s pages, read by keyset in chunks of <paramref name="chunk"/>, so that memory stays the same
    /// however many sessions there are. Each chunk is a short query on a connection of its own: no reader stays open
    /// while the caller writes the rows out. A session's status is taken at one instant for the whole walk.
    /// </summary>
    public IEnumerable<SessionView> ListAll(TeamId team, SessionFilter filter, bool descending, int chunk = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        // Keyset walks follow start order; active-first is the dashboard's page order only.
        filter = filter with { ActiveFirst = false };
        var now = clock.GetUtcNow();
        var p = new DynamicParameters(new { team = team.ToString(), now = DbTime.Ms(now), limit = chunk });
        var order = descending ? "DESC" : "ASC";
        // The filter, its search and the plan are settled on the first chunk's connection, once for the whole walk.
        (string Where, bool Narrow)? conditions = null;
        (long Start, string Id)? last = null;
        while (true)
        {
            List<SessionRow> rows;
            Dictionary<string, IssueCounts> counts;
            using (var connection = database.Open())
            {
                if (conditions is null)
                {
                    var (filterWhere, narrow, _, _) = Conditions(connection, filter, p, total: false);
                    conditions = (filterWhere.ToString(), narrow);
                }

                var where = conditions.Value.Where;
                if (last is { } after)
                {
                    where += descending ? " AND (s.start_time, s.id) < (@aStart, @after)" : " AND (s.start_time, s.id) > (@aStart, @after)";
                    p.Add("aStart", after.Start);
                    p.Add("after", after.Id);
                }

                rows = connection.Query<SessionRow>(
                    $"{SessionSelect} WHERE {where} ORDER BY {database.Dialect.StartOrder(conditions.Value.Narrow)} {order}, s.id {order} LIMIT @limit", p).ToList();
                counts = IssueSql.Counts(connection, database.Dialect, "session_id", [.. rows.Select(r => r.Id)]);
            }

            foreach (var row in rows)
            {
                yield return row.ToView(now) with { Issues = counts.GetValueOrDefault(row.Id, IssueCounts.None) };
            }

            if (rows.Count < chunk)
            {
                yield break;
            }

            last = (rows[^1].Start, rows[^1].Id);
        }
    }

    /// <summary>
    /// The WHERE clause of a session filter with its search, shared by <see cref="List"/> and <see cref="ListAll"/>, and
    /// whether the search is narrow; with <paramref name="total"/>, also the number of sessions it matches (a search
    /// always counts them). The count decides a search's plan: a narrow one (up to <see cref="NarrowSearchLimit"/>
    /// hits) is read from its hits and sorted; a broad one walks the team's sessions by start time, testing each
    /// session's room from that index's entry against the matched rooms, and fills its page early. Neither store weighs
    /// this well by itself: SQLite has no statistics, and PostgreSQL's plan for the hits of a broad search joins every
    /// session of the team (over a second at 1,000,000 sessions, against about 13 ms for the walk).
    /// </summary>
    private (StringBuilder Where, bool Narrow, int? Total, SessionSearch? Search) Conditions(DbConnection connection, SessionFilter filter, DynamicParameters p, bool total)
    {
        // The team is checked on the most selective table the filter allows, so the planner takes that table's
        // index rather than walking all of the team's rows.
        var where = new StringBuilder(filter.RoomId is null ? "s.team_id = @team" : "r.team_id = @team");
        if (filter.Live is { } live)
        {
            where.Append(live ? " AND " + SessionLiveness.Live : " AND " + SessionLiveness.Ended);
        }

        if (filter.HasIssues is { } hasIssues)
        {
            where.Append(" AND " + IssueSql.Exists("session_id", "s.id", hasIssues));
        }

        if (filter.RoomId is { } room)
        {
            where.Append(" AND s.room_id = @room");
            p.Add("room", room.ToString());
        }

        AddRange(where, p, "s.start_time", filter.From, filter.To);
        var search = string.IsNullOrWhiteSpace(filter.Query) ? null : Search(connection, filter.Query.Trim(), p);
        if (search is null)
        {
            return (where, false, total ? CountSessions(connection, filter, null, where.ToString(), p) : null, null);
        }

        var hits = $" AND s.id IN (SELECT id FROM sessions WHERE room_id IN ({search.Rooms}) UNION {search.Ids})";
        var count = CountSessions(connection, filter, search, where + hits, p);
        var narrow = count <= NarrowSearchLimit;
        where.Append(narrow ? hits : $" AND (s.room_id IN ({search.Rooms}) OR s.id IN ({search.Ids}))");
        return (where, narrow, count, search);
    }

    /// <summary>Searches matching at most this many sessions are read from their hits (see <see cref="List"/>).</summary>
    public int NarrowSearchLimit { get; init; } = 10_000;

    /// <summary>Searches matching at most this many rooms read them once and pass them on as a list (see <see cref="Search"/>).</summary>
    public int ListedRoomLimit { get; init; } = 10_000;

    /// <summary>
    /// A search as two queries, the rooms it names and the sessions it names by id, and the number of sessions in
    /// those rooms when the rooms were read already.
    /// </summary>
    private sealed record SessionSearch(string Rooms, string Ids, long? RoomSessions, IReadOnlyList<string>? RoomIds);

    /// <summary>
    /// A search matches a session by its id, by an id it absorbed, by a prefix of its id (four characters or more),
    /// or by its room's id, name or description (a substring, case-insensitive). Each part reads its own index, so a
    /// search costs what it finds rather than a walk over the team's history. The matched rooms are read once, with
    /// their session counts, and handed to the count and the page as a list; only a search matching more rooms than
    /// <see cref="ListedRoomLimit"/> leaves them as a query that each statement runs again.
    /// </summary>
    private SessionSearch Search(DbConnection connection, string query, DynamicParameters p)
    {
        var q = query.ToLowerInvariant();
        p.Add("q", q);
        p.Add("qlike", StoreDialect.ContainsPattern(query));
        var ids = new StringBuilder(
            """
            SELECT id FROM sessions WHERE team_id = @team AND id = @q
            UNION SELECT session_id FROM session_aliases WHERE team_id = @team AND alias_id = @q
            """);
        if (q.Length >= 4 && q[^1] < char.MaxValue)
        {
            // Ids are lower-case text: the ids that start with q run from q up to q with its last character raised by one.
            ids.Append(" UNION SELECT id FROM sessions WHERE team_id = @team AND id >= @q AND id < @qnext");
            p.Add("qnext", string.Concat(q.AsSpan(0, q.Length - 1), ((char)(q[^1] + 1)).ToString()));
        }

        // Room ids are unique across teams, so the sessions of the matched rooms are read by room alone (naming the
        // team there would lead SQLite's planner to walk every session of the team).
        // The room named by id may also be matched by name: the two parts are joined without a union's hashing of every
        // room, and the list is made distinct here.
        var rooms = $"{database.Dialect.RoomsContaining(query, p)} UNION ALL SELECT id, session_count FROM rooms WHERE team_id = @team AND id = @q";
        var matched = connection.Query<(string Id, long Sessions)>($"{rooms} LIMIT {ListedRoomLimit + 2}", p).DistinctBy(r => r.Id).ToList();
        if (matched.Count > ListedRoomLimit)
        {
            return new SessionSearch($"SELECT id FROM ({rooms}) matched", ids.ToString(), null, null);
        }

        string[] roomIds = [.. matched.Select(r => r.Id)];
        return new SessionSearch(database.Dialect.TextList("rooms", roomIds, p), ids.ToString(), matched.Sum(r => r.Sessions), roomIds);
    }

    /// <summary>
    /// The number of sessions the filter matches. Without a time range it comes from the rooms' session counts (kept
    /// by triggers) and the few live sessions, or for a search from the matched rooms' counts and the few sessions
    /// named by id, not from a walk over the team's whole history.
    /// </summary>
    private static int CountSessions(DbConnection connection, SessionFilter filter, SessionSearch? search, string where, DynamicParameters p)
    {
        if (filter.From is not null || filter.To is not null || filter.HasIssues is not null || (search is not null && (filter.Live is not null || filter.RoomId is not null)))
        {
            return connection.ExecuteScalar<int>($"SELECT COUNT(*) FROM sessions s JOIN rooms r ON r.id = s.room_id WHERE {where}", p);
        }

        if (search is not null)
        {
            var inRooms = search.RoomSessions is { } counted
                ? counted.ToString(System.Globalization.CultureInfo.InvariantCulture)
                : $"(SELECT COALESCE(SUM(session_count), 0) FROM rooms WHERE id IN ({search.Rooms}))";
            // When no session lies in the matched rooms (most often none matched: a search by id), the sessions named by
            // id need no test of their room, and are counted from the id index alone.
            var outsideRooms = search.RoomSessions == 0 ? string.Empty : $" AND room_id NOT IN ({search.Rooms})";
            return connection.ExecuteScalar<int>(
                $"SELECT {inRooms} + (SELECT COUNT(*) FROM sessions WHERE id IN ({search.Ids}){outsideRooms})", p);
        }

        return CountFromRooms(connection, filter.Live, filter.RoomId is not null, "session_count", "COUNT(*)", p);
    }

    /// <summary>
    /// A team's or (with <paramref name="byRoom"/>) a room's total from the rooms' <paramref name="counted"/> column, kept
    /// by triggers: all of it, only the rows live now, or all but those. The live rows are read from the few sessions live
    /// now (<c>sessions_live</c>), each adding <paramref name="perLiveSession"/>: one session, or its participants
    /// connected now (<c>participants_live</c>, written with the participants' own rows).
    /// </summary>
    private static int CountFromRooms(DbConnection connection, bool? live, bool byRoom, string counted, string perLiveSession, DynamicParameters p)
    {
        var liveCount = live is null
            ? 0
            : connection.ExecuteScalar<int>(
                $"SELECT COALESCE({perLiveSession}, 0) FROM sessions s WHERE s.team_id = @team AND {SessionLiveness.Live}{(byRoom ? " AND s.room_id = @room" : string.Empty)}", p);
        if (live == true)
        {
            return liveCount;
        }

        var all = connection.ExecuteScalar<long>($"SELECT COALESCE(SUM({counted}), 0) FROM rooms WHERE team_id = @team{(byRoom ? " AND id = @room" : string.Empty)}", p);
        return (int)(all - liveCount);
    }

    /// <summary>Finds a session by its id or by an id it absorbed.</summary>
    public SessionView? Find(TeamId team, string id)
    {
        var now = clock.GetUtcNow();
        using var connection = database.Open();
        var row = connection.QuerySingleOrDefault<SessionRow>(
            SessionSelect + " WHERE s.team_id = @team AND s.id = COALESCE((SELECT session_id FROM session_aliases WHERE alias_id = @id AND team_id = @team), @id)",
            new { team = team.ToString(), id = id.ToLowerInvariant() });
        return row?.ToView(now) is { } session
            ? session with { Issues = IssueSql.Counts(connection, database.Dialect, "session_id", [session.Id.ToString()]).GetValueOrDefault(session.Id.ToString(), IssueCounts.None) }
            : null;
    }

    public Page<ParticipantView> Participants(TeamId team, ParticipantFilter filter, Paging paging)
    {
        var now = clock.GetUtcNow();
        var p = new DynamicParameters(new { team = team.ToString(), now = DbTime.Ms(now), limit = paging.Limit, offset = paging.Offset });
        var where = ParticipantConditions(filter, p);
        using var connection = database.Open();
        var from = ParticipantFrom;
        var total = CountParticipants(connection, filter, where.ToString(), p);
        var order = paging.Descending ? "DESC" : "ASC";
        if (paging.After is { } after)
        {
            if (connection.QuerySingleOrDefault<long?>("SELECT join_time FROM participants WHERE id = @after AND team_id = @team", new { after, team = team.ToString() }) is not { } join)
            {
                return new Page<ParticipantView>(0, []) { UnknownCursor = true };
            }

            where.Append(paging.Descending ? " AND (p.join_time, p.id) < (@aJoin, @after)" : " AND (p.join_time, p.id) > (@aJoin, @after)");
            p.Add("aJoin", join);
            p.Add("after", after);
        }

        var rows = connection.Query<ParticipantRow>(
            $"{ParticipantSelect} {from} WHERE {where} ORDER BY p.join_time {order}, p.id {order} LIMIT @limit OFFSET @offset", p)
            .Select(r => r.ToView(now)).ToList();
        var counts = IssueSql.Counts(connection, database.Dialect, "participant_id", [.. rows.Select(r => r.Id.ToString())]);
        return new Page<ParticipantView>(total, [.. rows.Select(r => r with { Issues = counts.GetValueOrDefault(r.Id.ToString(), IssueCounts.None) })]);
    }

    /// <summary>
    /// Every participant the filter matches, latest join first unless <paramref name="descending"/> is false: the whole
    /// range of <see cref="Participants(TeamId, ParticipantFilter, Paging)"/>'s pages, read by keyset in chunks as
    /// <see cref="ListAll"/> reads sessions.
    /// </summary>
    public IEnumerable<ParticipantView> ParticipantsAll(TeamId team, ParticipantFilter filter, bool descending, int chunk = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        var now = clock.GetUtcNow();
        (long Join, string Id)? last = null;
        while (true)
        {
            var p = new DynamicParameters(new { team = team.ToString(), now = DbTime.Ms(now), limit = chunk });
            var where = ParticipantConditions(filter, p);
            if (last is { } after)
            {
                where.Append(descending ? " AND (p.join_time, p.id) < (@aJoin, @after)" : " AND (p.join_time, p.id) > (@aJoin, @after)");
                p.Add("aJoin", after.Join);
                p.Add("after", after.Id);
            }

            List<ParticipantRow> rows;
            Dictionary<string, IssueCounts> counts;
            using (var connection = database.Open())
            {
                var order = descending ? "DESC" : "ASC";
                rows = connection.Query<ParticipantRow>(
                    $"{ParticipantSelect} {ParticipantFrom} WHERE {where} ORDER BY p.join_time {order}, p.id {order} LIMIT @limit", p).ToList();
                counts = IssueSql.Counts(connection, database.Dialect, "participant_id", [.. rows.Select(r => r.Id)]);
            }

            foreach (var row in rows)
            {
                yield return row.ToView(now) with { Issues = counts.GetValueOrDefault(row.Id, IssueCounts.None) };
            }

            if (rows.Count < chunk)
            {
                yield break;
            }

            last = (rows[^1].JoinTime, rows[^1].Id);
        }
    }

    /// <summary>
    /// The number of participants the filter matches. A filter by time, by issues or by session counts its rows; a team's
    /// or a room's list is counted from the rooms' participant counts (kept by triggers) and the few participants
    /// connected now, as <see cref="CountSessions"/> counts sessions, not by a walk over the team's whole past.
    /// </summary>
    private static int CountParticipants(DbConnection connection, ParticipantFilter filter, string where, DynamicParameters p)
    {
        if (filter.From is not null || filter.To is not null || filter.HasIssues is not null || filter.SessionId is not null)
        {
            return connection.ExecuteScalar<int>($"SELECT COUNT(*) {ParticipantFrom} WHERE {where}", p);
        }

        return CountFromRooms(connection, filter.Live, filter.RoomId is not null, "participant_count", "CAST(SUM(s.participants_live) AS BIGINT)", p);
    }

    /// <summary>A participant connected now: connected in a session that is live at <c>@now</c>, read by its id.</summary>
    private const string ParticipantLive = "(p.live = 1 AND " + SessionLiveness.LiveById + ")";

    private const string ParticipantFrom = "FROM participants p JOIN sessions s ON s.id = p.session_id JOIN rooms r ON r.id = p.room_id";

    /// <summary>The WHERE clause of a participant filter, shared by the paged and the whole-range reads.</summary>
    private static StringBuilder ParticipantConditions(ParticipantFilter filter, DynamicParameters p)
    {
        var where = new StringBuilder(filter.SessionId is not null ? "s.team_id = @team" : filter.RoomId is not null ? "r.team_id = @team" : "p.team_id = @team");
        if (filter.Live is { } live)
        {
            where.Append(live ? " AND " + ParticipantLive : " AND NOT " + ParticipantLive);
        }

        if (filter.HasIssues is { } hasIssues)
        {
            where.Append(" AND " + IssueSql.Exists("participant_id", "p.id", hasIssues));
        }

        if (filter.RoomId is { } room)
        {
            where.Append(" AND p.room_id = @room");
            p.Add("room", room.ToString());
        }

        if (filter.SessionId is { } session)
        {
            where.Append(" AND p.session_id = @session");
            p.Add("session", session.ToString());
        }

        AddRange(where, p, "p.join_time", filter.From, filter.To);
        return where;
    }

    public ParticipantView? FindParticipant(TeamId team, string id)
    {
        var now = clock.GetUtcNow();
        using var connection = database.Open();
        var row = connection.QuerySingleOrDefault<ParticipantRow>(
            $"{ParticipantSelect} FROM participants p JOIN sessions s ON s.id = p.session_id JOIN rooms r ON r.id = p.room_id WHERE p.team_id = @team AND p.id = @id",
            new { team = team.ToString(), id = id.ToLowerInvariant(), now = DbTime.Ms(now) });
        return row?.ToView(now) is { } participant
            ? participant with { Issues = IssueSql.Counts(connection, database.Dialect, "participant_id", [participant.Id.ToString()]).GetValueOrDefault(participant.Id.ToString(), IssueCounts.None) }
            : null;
    }

    /// <summary>
    /// The participant's events log: every event of the room between the participant's first join and last leave
    /// that names the participant's identity or one of its connections (rule 10).
    /// </summary>
    public Page<EventView> Events(TeamId team, ParticipantView participant, IReadOnlyCollection<string>? types, Paging paging)
    {
        var p = new DynamicParameters(new
        {
            team = team.ToString(), room = participant.RoomId.ToString(), from = DbTime.Ms(participant.JoinTime),
            to = DbTime.Ms(participant.LeaveTime) ?? ParticipantLog.Open, ext = participant.ExternalId,
            conns = participant.Connections.Select(c => c.ConnectionId).OfType<string>().ToArray(),
            limit = paging.Limit, offset = paging.Offset,
        });
        var where = new StringBuilder(ParticipantLog.Condition(database.Dialect, participant.ExternalId is not null));
        if (types is { Count: > 0 })
        {
            where.Append(" AND " + database.InList("e.type", "types"));
            p.Add("types", types.ToArray());
        }

        return Events(team, participant.RoomId, where, p, paging);
    }

    /// <summary>
    /// A room's whole events log, including events no participant's connection covers (rule 10: nothing is
    /// dropped, and what no session covers is still visible on its room).
    /// </summary>
    public Page<EventView> RoomEvents(TeamId team, RoomId room, DateTimeOffset? from, DateTimeOffset? to, IReadOnlyCollection<string>? types, Paging paging)
    {
        var p = new DynamicParameters(new
        {
            team = team.ToString(), room = room.ToString(), from = DbTime.Ms(from ?? DateTimeOffset.UnixEpoch),
            to = DbTime.Ms(to ?? DateTimeOffset.MaxValue.AddYears(-1)), limit = paging.Limit, offset = paging.Offset,
        });
        var where = new StringBuilder("e.room_id = @room AND e.team_id = @team AND e.ts >= @from AND e.ts <= @to AND " + ParticipantLog.NotErased);
        if (types is { Count: > 0 })
        {
            where.Append(" AND " + database.InList("e.type", "types"));
            p.Add("types", types.ToArray());
        }

        return Events(team, room, where, p, paging);
    }

    /// <summary>
    /// Live sessions whose recording runs now: those whose latest <c>recording_*</c> event since the session started is
    /// <c>recording_started</c>, as <see cref="SessionActivity"/> reads a session's recording. The team's recording events
    /// since its earliest live session started are read through the partial index <c>events_recording</c>, which holds
    /// only those events (the list is written out for it); without any, no session is read at all.
    /// </summary>
    public int ActiveRecorders(TeamId team)
    {
        var types = string.Join(", ", SessionActivity.RecordingTypes.Select(t => $"'{t}'"));
        var args = new { team = team.ToString(), now = DbTime.Ms(clock.GetUtcNow()) };
        using var connection = database.Open();
        var events = connection.Query<(string Room, string Type, long Ts, long Seq)>(
            $"""
            SELECT e.room_id, e.type, e.ts, e.seq FROM events e
            WHERE e.team_id = @team AND e.type IN ({types}) AND e.ts <= @now
              AND e.ts >= (SELECT MIN(s.start_time) FROM sessions s WHERE s.team_id = @team AND {SessionLiveness.Live})
            """, args).ToLookup(e => e.Room, StringComparer.Ordinal);
        if (events.Count == 0)
        {
            return 0;
        }

        var rooms = events.Select(r => r.Key).ToArray();
        var live = connection.Query<(string Room, long Start)>(
            $"SELECT s.room_id, s.start_time FROM sessions s WHERE s.team_id = @team AND {SessionLiveness.Live} AND {database.InList("s.room_id", "rooms")}",
            new { args.team, args.now, rooms });
        return live.Count(s => events[s.Room].Where(e => e.Ts >= s.Start).OrderBy(e => e.Ts).ThenBy(e => e.Seq).LastOrDefault().Type == "recording_started");
    }

    /// <summary>Whether any session's deadline has passed without the session being ended in the store.</summary>
    public bool AnyDue()
    {
        using var connection = database.Open();
        return connection.ExecuteScalar<long?>(
            $"SELECT 1 FROM sessions s WHERE {SessionLiveness.Due} LIMIT 1", new { now = DbTime.Ms(clock.GetUtcNow()) }) is not null;
    }

    /// <summary>
    /// Rooms with a live session, paged like the sessions they are (by start time); <c>after</c> names a room, whose
    /// latest session marks the place, so that a room that stopped being live still continues the walk.
    /// </summary>
    public Page<LiveRoom> LiveRooms(TeamId team, RoomId? only, Paging paging)
    {
        if (paging.After is { } afterRoom)
        {
            using var connection = database.Open();
            var latest = connection.QuerySingleOrDefault<string?>(
                "SELECT id FROM sessions WHERE team_id = @team AND room_id = @room ORDER BY start_time DESC, id DESC LIMIT 1",
                new { team = team.ToString(), room = afterRoom });
            if (latest is null)
            {
                return new Page<LiveRoom>(0, []) { UnknownCursor = true };
            }

            paging = paging with { After = latest };
        }

        var live = List(team, new SessionFilter(Live: true, RoomId: only), paging);
        return new Page<LiveRoom>(live.TotalCount, [.. live.Data.Select(s => new LiveRoom(s.RoomId, s.RoomExternalId, s.RoomFriendlyUrl, s.Id, s.Start,
            Participants(team, new ParticipantFilter(Live: true, SessionId: s.Id), new Paging(Limit: int.MaxValue, Descending: false)).Data))]);
    }

    /// <summary>
    /// What the session's events say about media, recording and chat (see <see cref="SessionActivity"/>). It reads the
    /// room's events of the session's span, so it is for one session's detail, not for lists.
    /// </summary>
    public SessionActivity Activity(TeamId team, SessionView session) => Activity(team, session, SessionActivity.Types);

    private SessionActivity Activity(TeamId team, SessionView session, IReadOnlyList<string> types)
    {
        var until = session.End ?? clock.GetUtcNow();
        var args = new DynamicParameters(new
        {
            team = team.ToString(), room = session.RoomId.ToString(), from = DbTime.Ms(session.Start), to = DbTime.Ms(until),
            types = types.ToArray(),
        });
        using var connection = database.Open();
        var rows = connection.Query<(string Type, long Ts, string? ExternalId, string? ConnectionId)>(
            $"""
            SELECT e.type, e.ts, e.external_id, e.connection_id FROM {database.EventsOfRoom("@room", "@from", "@to")} e
            WHERE e.room_id = @room AND e.team_id = @team AND e.ts >= @from AND e.ts <= @to AND {database.InList("e.type", "types")}
            ORDER BY e.ts, e.seq
            """, args);
        return SessionActivity.Measure(
            rows.Select(r => new ActivityEvent(r.Type, DbTime.At(r.Ts), r.ExternalId ?? (r.ConnectionId is { } c ? "#" + c : null))), until);
    }

    private const string ParticipantSelect =
        """
        SELECT p.id AS Id, p.external_id AS ExternalId, p.session_id AS SessionId, p.room_id AS RoomId, r.friendly_url AS RoomFriendlyUrl,
            p.name AS Name, p.role AS Role, p.join_time AS JoinTime, p.leave_time AS LeaveTime, p.live AS Live, p.device AS Device, p.os AS Os,
            p.browser AS Browser, p.reconnects AS Reconnects, p.connections AS Connections, s.end_time AS SessionEnd, s.deadline AS SessionDeadline,
            r.external_id AS RoomExternalId, r.deleted_at AS RoomDeletedAt
        """;

    private Page<EventView> Events(TeamId team, RoomId room, StringBuilder where, DynamicParameters p, Paging paging)
    {
        using var connection = database.Open();
        // Every caller names its team as @team, and the room and a time range as @room, @from and @to.
        var events = database.EventsOfRoom("@room", "@from", "@to");
        var total = connection.ExecuteScalar<int>($"SELECT COUNT(*) FROM {events} e WHERE {where}", p);
        var order = paging.Descending ? "DESC" : "ASC";
        if (paging.After is { } after)
        {
            var byId = new DynamicParameters();
            if (connection.QuerySingleOrDefault<(long Ts, long Seq)?>(
                    $"SELECT e.ts, e.seq FROM {database.Dialect.EventById(byId, team.ToString(), after, room.ToString())} e", byId)
                is not { } a)
            {
                return new Page<EventView>(0, []) { UnknownCursor = true };
            }

            where.Append(paging.Descending ? " AND (e.ts, e.seq) < (@aTs, @aSeq)" : " AND (e.ts, e.seq) > (@aTs, @aSeq)");
            p.Add("aTs", a.Ts);
            p.Add("aSeq", a.Seq);
        }

        var rows = connection.Query<EventRow>(
            $"""
            SELECT e.seq AS Seq, e.id AS Id, e.type AS Type, e.ts AS Ts, e.received_at AS ReceivedAt, e.skew_ms AS SkewMs, e.external_id AS ExternalId,
                e.connection_id AS ConnectionId, e.participant_name AS ParticipantName, e.data AS Data
            FROM {events} e WHERE {where} ORDER BY e.ts {order}, e.seq {order} LIMIT @limit OFFSET @offset
            """, p);
        return new Page<EventView>(total, [.. rows.Select(r => new EventView(r.Seq, r.Id, r.Type, DbTime.At(r.Ts), DbTime.At(r.ReceivedAt), r.SkewMs,
            r.ExternalId, r.ConnectionId, r.ParticipantName, r.Data))]);
    }

    private static void AddRange(StringBuilder where, DynamicParameters p, string column, DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is { } f)
        {
            where.Append($" AND {column} >= @rangeFrom");
            p.Add("rangeFrom", DbTime.Ms(f));
        }

        if (to is { } t)
        {
            where.Append($" AND {column} <= @rangeTo");
            p.Add("rangeTo", DbTime.Ms(t));
        }
    }

    private sealed record SessionRow(string Id, string RoomId, string RoomFriendlyUrl, string? RoomDescription, string? RoomExternalId,
        long? RoomDeletedAt, long Start, long? EndTime, string? EndReason, string? EndedBy, long? LastLeftAt, long ActiveConnections,
        long ParticipantsLive, long ParticipantsTotal, long MaxConcurrent, long GracePeriod, long? Deadline, string? DeadlineReason,
        long? RoomMaxParticipants)
    {
        public SessionView ToView(DateTimeOffset now)
        {
            var at = new StoredSession(DbTime.At(EndTime), EndReason, DbTime.At(Deadline), DeadlineReason, (int)ActiveConnections, DbTime.At(LastLeftAt)).At(now);
            return new SessionView(
                new SessionId(Guid.Parse(Id)), new RoomId(Guid.Parse(RoomId)), RoomFriendlyUrl, RoomDescription, RoomExternalId, RoomDeletedAt is not null,
                DbTime.At(Start), at.End, at.EndReason, EndedBy, at.LastParticipantLeftAt, at.Status, at.EndingAt,
                at.Ended ? 0 : (int)ParticipantsLive, (int)ParticipantsTotal, (int)MaxConcurrent, (int)GracePeriod, (int?)RoomMaxParticipants);
        }
    }

    private sealed record ParticipantRow(string Id, string? ExternalId, string SessionId, string RoomId, string RoomFriendlyUrl, string? Name,
        string? Role, long JoinTime, long? LeaveTime, long Live, string? Device, string? Os, string? Browser, long Reconnects, string Connections,
        long? SessionEnd, long? SessionDeadline, string? RoomExternalId, long? RoomDeletedAt)
    {
        public ParticipantView ToView(DateTimeOffset now)
        {
            var connections = ConnectionJson.Read(Connections, StoredSession.EndAt(DbTime.At(SessionEnd), DbTime.At(SessionDeadline), now));
            var live = connections.Any(c => c.LeaveTime is null);
            return new ParticipantView(new ParticipantId(Guid.Parse(Id)), ExternalId, new SessionId(Guid.Parse(SessionId)), new RoomId(Guid.Parse(RoomId)),
                RoomFriendlyUrl, RoomExternalId, RoomDeletedAt is not null, Name, Role, DbTime.At(JoinTime), live ? null : connections.Max(c => c.LeaveTime), live, Device, Os, Browser,
                (int)Reconnects, connections);
        }
    }

    private sealed record EventRow(long Seq, string Id, string Type, long Ts, long ReceivedAt, long? SkewMs, string? ExternalId,
        string? ConnectionId, string? ParticipantName, string? Data);
}
