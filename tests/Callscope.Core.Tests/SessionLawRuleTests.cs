using Callscope.Core.Law;
using Callscope.Core.Tests.Support;
using static Callscope.Core.Tests.Support.LawEvents;

namespace Callscope.Core.Tests;

/// <summary>SPEC section 2, one rule at a time, as far as the pure law decides it. Times are minutes after T.</summary>
public sealed class SessionLawRuleTests
{
    private static readonly RoomPolicy SevenMinutes = RoomPolicy.Default;

    private static readonly RoomPolicy OneHourLong = new(RoomPolicy.DefaultGracePeriod, TimeSpan.FromMinutes(60));

    // Rule 1. Start.

    [Fact]
    public void Session_starts_at_the_first_join_in_a_room_without_a_live_session()
    {
        LawEvent[] events = [Join("A", at: 3), Join("B", at: 5)];

        var sessions = RoomLaw.Compute(events, SevenMinutes, now: Minute(6));

        var session = Assert.Single(sessions);
        Assert.Equal(Minute(3), session.Start);
        Assert.Null(session.End);
        Assert.Equal<string>(["x:A", "x:B"], session.Participants.Select(p => p.Key));
    }

    // Rule 2. Occupancy.

    [Fact]
    public void Session_is_active_while_a_connection_is_open_and_ending_soon_once_none_is()
    {
        LawEvent[] untilFive = [Join("A", at: 0), Join("B", at: 1), Leave("A", at: 4)];
        LawEvent[] untilSix = [.. untilFive, Leave("B", at: 6)];

        var atFive = Assert.Single(RoomLaw.Compute(untilFive, SevenMinutes, now: Minute(5)));
        var atSeven = Assert.Single(RoomLaw.Compute(untilSix, SevenMinutes, now: Minute(7)));

        Assert.Equal(SessionStatus.Live, atFive.Status);
        Assert.Equal(1, atFive.ActiveConnections);
        Assert.Equal(SessionStatus.EndingSoon, atSeven.Status);
        Assert.Equal(0, atSeven.ActiveConnections);
        Assert.Null(atSeven.End);
    }

    // Rule 3. Grace.

    [Fact]
    public void Join_one_second_before_the_grace_period_runs_out_continues_the_same_session()
    {
        LawEvent[] events = [.. Stay("A", from: 0, to: 10), Join("B", at: 17 - 1.0 / 60)];

        var sessions = RoomLaw.Compute(events, SevenMinutes, now: Minute(20));

        var session = Assert.Single(sessions);
        Assert.Equal(SessionStatus.Live, session.Status);
        Assert.Equal<string>(["x:A", "x:B"], session.Participants.Select(p => p.Key));
    }

    [Fact]
    public void Join_exactly_when_the_grace_period_runs_out_starts_a_new_session()
    {
        LawEvent[] events = [.. Stay("A", from: 0, to: 10), Join("B", at: 17)];

        var sessions = RoomLaw.Compute(events, SevenMinutes, now: Minute(20));

        Assert.Equal(2, sessions.Count);
        Assert.Equal(Minute(17), sessions[0].End);
        Assert.Equal(EndReasons.GraceExpired, sessions[0].EndReason);
        Assert.Equal(Minute(17), sessions[1].Start);
        Assert.Equal("x:B", Assert.Single(sessions[1].Participants).Key);
    }

    [Fact]
    public void Effective_grace_period_is_the_room_override_else_the_team_setting_else_seven_minutes()
    {
        var roomOverride = RoomPolicy.Resolve(teamGraceSeconds: 300, teamLengthMinutes: null, roomGraceSeconds: 120, roomLengthMinutes: null);
        var teamSetting = RoomPolicy.Resolve(teamGraceSeconds: 300, teamLengthMinutes: null, roomGraceSeconds: null, roomLengthMinutes: null);

        var withOverride = Assert.Single(RoomLaw.Compute(Stay("A", from: 0, to: 10), roomOverride, now: Minute(60)));
        var withTeamSetting = Assert.Single(RoomLaw.Compute(Stay("A", from: 0, to: 10), teamSetting, now: Minute(60)));

        Assert.Equal(Minute(12), withOverride.End);
        Assert.Equal(Minute(15), withTeamSetting.End);
        Assert.Equal(TimeSpan.FromMinutes(7), RoomPolicy.Default.GracePeriod);
    }

    [Fact]
    public void Grace_period_change_does_not_revive_a_session_whose_deadline_had_passed()
    {
        var sweep = RoomLaw.Replay(Stay("A", from: 0, to: 10), SevenMinutes);

        sweep.Reconfigure(new RoomPolicy(TimeSpan.FromMinutes(15), null), Minute(20));
        var session = Assert.Single(sweep.ViewAt(Minute(21)));

        Assert.Equal(Minute(17), session.End);
        Assert.Equal(EndReasons.GraceExpired, session.EndReason);
    }

    [Fact]
    public void Grace_period_change_applies_to_the_live_session_and_later_ones_but_not_to_ended_ones()
    {
        var sweep = RoomLaw.Replay([.. Stay("A", from: 0, to: 10), Join("B", at: 20)], SevenMinutes);

        sweep.Reconfigure(new RoomPolicy(TimeSpan.FromMinutes(2), null), Minute(21));
        sweep.Append(Leave("B", at: 25));
        sweep.Append(Join("C", at: 30));
        sweep.Append(Leave("C", at: 31));
        var sessions = sweep.ViewAt(Minute(60));

        Assert.Equal(3, sessions.Count);
        Assert.Equal((Minute(17), TimeSpan.FromMinutes(7)), (sessions[0].End!.Value, sessions[0].GracePeriod));
        Assert.Equal((Minute(27), TimeSpan.FromMinutes(2)), (sessions[1].End!.Value, sessions[1].GracePeriod));
        Assert.Equal((Minute(33), TimeSpan.FromMinutes(2)), (sessions[2].End!.Value, sessions[2].GracePeriod));
    }

    // Rule 4. End by grace.

    [Fact]
    public void Session_ends_exactly_grace_period_after_the_last_participant_leaves()
    {
        LawEvent[] events = [Join("A", at: 0), Join("B", at: 2), Leave("B", at: 8), Leave("A", at: 10)];

        var session = Assert.Single(RoomLaw.Compute(events, SevenMinutes, now: Minute(60)));

        Assert.Equal(Minute(17), session.End);
        Assert.Equal(EndReasons.GraceExpired, session.EndReason);
        Assert.Null(session.EndedBy);
        Assert.Equal(Minute(10), session.LastParticipantLeftAt);
        Assert.Equal(SessionStatus.Ended, session.Status);
    }

    // Rule 5. End by moderator or team member.

    [Fact]
    public void Moderator_end_closes_every_open_connection_at_that_time_with_reason_session_ended()
    {
        LawEvent[] events = [Join("A", at: 0, role: "moderator"), Join("B", at: 1), SessionEnded(at: 4, by: "A")];

        var session = Assert.Single(RoomLaw.Compute(events, SevenMinutes, now: Minute(5)));

        Assert.Equal(Minute(4), session.End);
        Assert.Equal(EndReasons.Moderator, session.EndReason);
        Assert.Equal("A", session.EndedBy);
        Assert.All(session.Participants.SelectMany(p => p.Connections), connection =>
        {
            Assert.Equal(Minute(4), connection.LeaveTime);
            Assert.Equal(LeaveReasons.SessionEnded, connection.LeaveReason);
        });
    }

    [Fact]
    public void Team_member_end_through_the_api_is_recorded_with_reason_api_and_who_ended_it()
    {
        LawEvent[] events = [Join("A", at: 0), SessionEnded(at: 4, by: "support@team.example", reason: EndReasons.Api)];

        var session = Assert.Single(RoomLaw.Compute(events, SevenMinutes, now: Minute(5)));

        Assert.Equal(Minute(4), session.End);
        Assert.Equal(EndReasons.Api, session.EndReason);
        Assert.Equal("support@team.example", session.EndedBy);
    }

    [Fact]
    public void Join_after_a_session_end_starts_a_new_session_even_inside_what_would_have_been_the_grace_period()
    {
        LawEvent[] events = [.. Stay("A", from: 0, to: 2), SessionEnded(at: 3, by: "A"), Join("A", at: 5)];

        var sessions = RoomLaw.Compute(events, SevenMinutes, now: Minute(6));

        Assert.Equal(2, sessions.Count);
        Assert.Equal((Minute(3), EndReasons.Moderator), (sessions[0].End!.Value, sessions[0].EndReason));
        Assert.Equal(Minute(2), sessions[0].LastParticipantLeftAt);
        Assert.Equal(Minute(5), sessions[1].Start);
        Assert.Equal(SessionStatus.Live, sessions[1].Status);
    }

    [Fact]
    public void Session_end_that_finds_no_live_session_changes_nothing()
    {
        LawEvent[] withoutEnd = Stay("A", from: 0, to: 10);

        var expected = RoomLaw.Compute(withoutEnd, SevenMinutes, now: Minute(60));
        var actual = RoomLaw.Compute([.. withoutEnd, SessionEnded(at: 20, by: "A")], SevenMinutes, now: Minute(60));

        Assert.Equal(SessionText.Describe(expected), SessionText.Describe(actual));
    }

    [Fact]
    public void Leave_arriving_after_a_session_end_for_a_connection_it_closed_changes_nothing()
    {
        LawEvent[] withoutLeave = [Join("A", at: 0, connection: "a1"), SessionEnded(at: 4, by: "A")];

        var expected = RoomLaw.Compute(withoutLeave, SevenMinutes, now: Minute(60));
        var actual = RoomLaw.Compute([.. withoutLeave, Leave("A", at: 5, connection: "a1")], SevenMinutes, now: Minute(60));

        Assert.Equal(SessionText.Describe(expected), SessionText.Describe(actual));
        Assert.Equal(LeaveReasons.SessionEnded, Assert.Single(Assert.Single(actual).Participants).Connections[0].LeaveReason);
    }

    // Rule 6. End by length.

    [Fact]
    public void Session_ends_at_start_plus_session_length_and_closes_open_connections_with_reason_session_ended()
    {
        LawEvent[] events = [Join("A", at: 0), .. Stay("B", from: 30, to: 40)];

        var beforeLength = Assert.Single(RoomLaw.Compute(events, OneHourLong, now: Minute(59)));
        var afterLength = Assert.Single(RoomLaw.Compute(events, OneHourLong, now: Minute(61)));

        Assert.Equal(SessionStatus.Live, beforeLength.Status);
        Assert.Equal((Minute(60), EndReasons.SessionLength), beforeLength.Deadline);
        Assert.Equal((Minute(60), EndReasons.SessionLength), (afterLength.End!.Value, afterLength.EndReason));
        var connectionOfA = Assert.Single(afterLength.Participants.Single(p => p.ExternalId == "A").Connections);
        Assert.Equal((Minute(60), LeaveReasons.SessionEnded), (connectionOfA.LeaveTime!.Value, connectionOfA.LeaveReason));
    }

    [Fact]
    public void Session_length_ends_an_empty_session_before_its_grace_period_would()
    {
        var session = Assert.Single(RoomLaw.Compute(Stay("A", from: 0, to: 55), OneHourLong, now: Minute(90)));

        Assert.Equal((Minute(60), EndReasons.SessionLength), (session.End!.Value, session.EndReason));
        Assert.Equal(Minute(55), session.LastParticipantLeftAt);
    }

    // Rule 7. Order does not matter.

    [Fact]
    public void Sessions_depend_on_the_event_set_not_on_arrival_order_or_duplicates()
    {
        LawEvent[] events =
        [
            .. Stay("A", from: 0, to: 10, connection: "a1"), Join("B", at: 5), SessionEnded(at: 12, by: "B"),
            Leave("B", at: 13), .. Stay("A", from: 20, to: 25, connection: "a2"), Join("C", at: 32),
        ];

        var inOrder = RoomLaw.Compute(events, SevenMinutes, now: Minute(40));
        var reversedTwice = RoomLaw.Compute([.. events.Reverse(), .. events.Reverse()], SevenMinutes, now: Minute(40));
        var byId = RoomLaw.Compute(events.OrderBy(e => e.Id, StringComparer.Ordinal), SevenMinutes, now: Minute(40));

        Assert.Equal(3, inOrder.Count);
        Assert.Equal(SessionText.Describe(inOrder), SessionText.Describe(reversedTwice));
        Assert.Equal(SessionText.Describe(inOrder), SessionText.Describe(byId));
    }

    [Fact]
    public void Leave_that_arrives_before_its_join_is_reconciled_into_one_connection_when_the_join_arrives()
    {
        var leave = Leave("A", at: 10, connection: "a1");
        var join = Join("A", at: 2, connection: "a1");

        var beforeJoin = Assert.Single(RoomLaw.Compute([leave], SevenMinutes, now: Minute(60)));
        var afterJoin = Assert.Single(RoomLaw.Compute([leave, join], SevenMinutes, now: Minute(60)));

        Assert.True(Assert.Single(Assert.Single(beforeJoin.Participants).Connections).JoinMissing);
        var connection = Assert.Single(Assert.Single(afterJoin.Participants).Connections);
        Assert.False(connection.JoinMissing);
        Assert.Equal((Minute(2), Minute(10)), (connection.JoinTime, connection.LeaveTime!.Value));
        Assert.Equal((Minute(2), Minute(17)), (afterJoin.Start, afterJoin.End!.Value));
    }

    [Fact]
    public void Late_event_inside_an_ended_session_corrects_its_history_instead_of_starting_a_phantom_session()
    {
        LawEvent[] received = [.. Stay("A", from: 0, to: 10), .. Stay("C", from: 30, to: 35)];

        var corrected = RoomLaw.Compute([.. received, .. Stay("B", from: 12, to: 14)], SevenMinutes, now: Minute(60));

        Assert.Equal(2, corrected.Count);
        Assert.Equal((Minute(0), Minute(21)), (corrected[0].Start, corrected[0].End!.Value));
        Assert.Equal(Minute(14), corrected[0].LastParticipantLeftAt);
        Assert.Equal<string>(["x:A", "x:B"], corrected[0].Participants.Select(p => p.Key));
        Assert.Equal((Minute(30), Minute(42)), (corrected[1].Start, corrected[1].End!.Value));
    }

    [Fact]
    public void Correction_that_merges_two_sessions_keeps_the_older_id_and_the_absorbed_id_resolves_to_it()
    {
        var older = SessionId.New(Minute(0));
        var younger = SessionId.New(Minute(30));
        StoredSpan[] stored = [new(older, Minute(0), Minute(17)), new(younger, Minute(30), Minute(38))];
        LawEvent[] events = [.. Stay("A", from: 0, to: 10), .. Stay("C", from: 30, to: 31), .. Stay("B", from: 12, to: 25)];
        var merged = RoomLaw.Compute(events, SevenMinutes, now: Minute(60));

        var (aliases, vanished) = SessionIdentity.Assign(merged, stored);

        Assert.Equal(older, Assert.Single(merged).Id);
        Assert.Equal(new SessionAlias(younger, older), Assert.Single(aliases));
        Assert.Empty(vanished);
    }

    [Fact]
    public void Correction_that_splits_a_session_keeps_the_id_for_the_earlier_part_and_gives_the_later_part_a_new_one()
    {
        var stored = SessionId.New(Minute(0));
        LawEvent[] events = [Join("A", at: 0), SessionEnded(at: 4, by: "A"), Join("B", at: 6)];
        var split = RoomLaw.Compute(events, SevenMinutes, now: Minute(10));

        var (aliases, vanished) = SessionIdentity.Assign(split, [new StoredSpan(stored, Minute(0), End: null)]);

        Assert.Equal(2, split.Count);
        Assert.Equal(stored, split[0].Id);
        Assert.NotNull(split[1].Id);
        Assert.NotEqual(stored, split[1].Id);
        Assert.Empty(aliases);
        Assert.Empty(vanished);
    }

    [Fact]
    public void Stored_session_that_no_recomputed_session_overlaps_is_reported_as_vanished()
    {
        var kept = SessionId.New(Minute(0));
        var overlapsNothing = SessionId.New(Minute(40));
        var recomputed = RoomLaw.Compute(Stay("A", from: 0, to: 10), SevenMinutes, now: Minute(60));

        var (aliases, vanished) = SessionIdentity.Assign(recomputed, [new(kept, Minute(0), Minute(17)), new(overlapsNothing, Minute(40), Minute(47))]);

        Assert.Equal(kept, Assert.Single(recomputed).Id);
        Assert.Empty(aliases);
        Assert.Equal(overlapsNothing, Assert.Single(vanished));
    }

    [Fact]
    public void Leave_whose_join_never_arrives_uses_the_join_time_it_carries()
    {
        var session = Assert.Single(RoomLaw.Compute([Leave("A", at: 10, joinedAt: 2)], SevenMinutes, now: Minute(60)));

        var connection = Assert.Single(Assert.Single(session.Participants).Connections);
        Assert.Equal((Minute(2), Minute(10)), (connection.JoinTime, connection.LeaveTime!.Value));
        Assert.False(connection.JoinMissing);
        Assert.Equal((Minute(2), Minute(17)), (session.Start, session.End!.Value));
    }

    [Fact]
    public void Leave_whose_join_never_arrives_and_carries_no_join_time_is_a_zero_length_connection_flagged_join_missing()
    {
        LawEvent[] events = [Join("B", at: 0), Leave("A", at: 5, reason: "network")];

        var session = Assert.Single(RoomLaw.Compute(events, SevenMinutes, now: Minute(6)));

        var connection = Assert.Single(session.Participants.Single(p => p.ExternalId == "A").Connections);
        Assert.Equal((Minute(5), Minute(5)), (connection.JoinTime, connection.LeaveTime!.Value));
        Assert.True(connection.JoinMissing);
        Assert.Equal(LeaveReasons.Network, connection.LeaveReason);
        Assert.Equal(SessionStatus.Live, session.Status);
    }

    [Fact]
    public void Leave_whose_join_never_arrives_carrying_its_own_time_as_join_time_is_a_zero_length_connection_with_a_known_join()
    {
        LawEvent[] events = [Join("B", at: 0), Leave("A", at: 5, joinedAt: 5)];

        var session = Assert.Single(RoomLaw.Compute(events, SevenMinutes, now: Minute(6)));

        var connection = Assert.Single(session.Participants.Single(p => p.ExternalId == "A").Connections);
        Assert.Equal((Minute(5), Minute(5)), (connection.JoinTime, connection.LeaveTime!.Value));
        Assert.False(connection.JoinMissing);
    }

    [Fact]
    public void Join_missing_leave_in_a_room_without_a_live_session_starts_one_that_ends_a_grace_period_later()
    {
        var session = Assert.Single(RoomLaw.Compute([Leave("A", at: 10)], SevenMinutes, now: Minute(60)));

        Assert.Equal((Minute(10), Minute(17)), (session.Start, session.End!.Value));
        Assert.Equal(Minute(10), session.LastParticipantLeftAt);
        Assert.Equal(1, session.MaxConcurrentParticipants);
    }

    // Rule 8. Clock.

    [Fact]
    public void Empty_session_ends_at_its_deadline_by_the_clock_even_when_no_further_event_arrives()
    {
        var sweep = RoomLaw.Replay(Stay("A", from: 0, to: 10), SevenMinutes);

        var aSecondBefore = Assert.Single(sweep.ViewAt(Minute(17 - 1.0 / 60)));
        var atDeadline = Assert.Single(sweep.ViewAt(Minute(17)));

        Assert.Equal(SessionStatus.EndingSoon, aSecondBefore.Status);
        Assert.Equal((Minute(17), EndReasons.GraceExpired), aSecondBefore.Deadline);
        Assert.Equal(SessionStatus.Ended, atDeadline.Status);
        Assert.Equal((Minute(17), EndReasons.GraceExpired), (atDeadline.End!.Value, atDeadline.EndReason));
    }

    [Fact]
    public void Viewing_a_room_at_a_time_does_not_change_it_so_a_restart_replaying_the_events_sees_the_same()
    {
        var sweep = RoomLaw.Replay(Stay("A", from: 0, to: 10), SevenMinutes);

        var viewed = SessionText.Describe(sweep.ViewAt(Minute(30)));
        var afterRestart = SessionText.Describe(RoomLaw.Compute(Stay("A", from: 0, to: 10), SevenMinutes, now: Minute(30)));

        Assert.Equal(afterRestart, viewed);
        Assert.NotNull(sweep.Current);
        Assert.Null(sweep.Current.End);
    }

    [Fact]
    public void Active_session_has_no_deadline_unless_a_session_length_applies()
    {
        var unlimited = Assert.Single(RoomLaw.Compute([Join("A", at: 0)], SevenMinutes, now: Minute(600)));
        var limited = Assert.Single(RoomLaw.Compute([Join("A", at: 0)], OneHourLong, now: Minute(30)));

        Assert.Null(unlimited.Deadline);
        Assert.Equal(SessionStatus.Live, unlimited.Status);
        Assert.Equal((Minute(60), EndReasons.SessionLength), limited.Deadline);
    }

    // Rule 9. Concurrency.

    [Fact]
    public void Only_sessions_with_an_open_connection_count_as_live_sessions()
    {
        var now = Minute(12);
        IEnumerable<LawEvent>[] rooms = [[Join("A", at: 0), .. Stay("B", from: 1, to: 2)], Stay("C", from: 0, to: 10), Stay("D", from: 0, to: 4)];

        var sessions = rooms.Select(room => Assert.Single(RoomLaw.Compute(room, SevenMinutes, now))).ToList();

        Assert.Equal(1, sessions.Count(s => s.Status == SessionStatus.Live));
        Assert.Equal(1, sessions.Count(s => s.Status == SessionStatus.EndingSoon));
        Assert.Equal(1, sessions.Count(s => s.Status == SessionStatus.Ended));
        Assert.Equal(1, sessions.Sum(s => s.LiveParticipants));
    }

    [Fact]
    public void Passive_participants_neither_start_a_session_nor_keep_one_active()
    {
        LawEvent[] events = [PassiveJoin("recorder", at: 0, connection: "r0"), .. Stay("A", from: 1, to: 5), PassiveJoin("recorder", at: 2, connection: "r1")];

        var atSix = Assert.Single(RoomLaw.Compute(events, SevenMinutes, now: Minute(6)));
        var later = Assert.Single(RoomLaw.Compute(events, SevenMinutes, now: Minute(60)));

        Assert.Equal(Minute(1), atSix.Start);
        Assert.Equal(SessionStatus.EndingSoon, atSix.Status);
        Assert.Equal(1, atSix.MaxConcurrentParticipants);
        Assert.Equal((Minute(12), EndReasons.GraceExpired), (later.End!.Value, later.EndReason));
        var recording = Assert.Single(later.Participants.Single(p => p.ExternalId == "recorder").Connections);
        Assert.True(recording.Passive);
        Assert.Equal((Minute(12), LeaveReasons.SessionEnded), (recording.LeaveTime!.Value, recording.LeaveReason));
    }

    // Rule 10. Participant events.

    [Fact]
    public void Every_connection_of_one_identity_in_a_session_belongs_to_one_participant_and_names_its_connection_id()
    {
        LawEvent[] events = [.. Stay("A", from: 0, to: 5, connection: "a1"), .. Stay("A", from: 6, to: 9, connection: "a2"), Join("B", at: 1)];

        var session = Assert.Single(RoomLaw.Compute(events, SevenMinutes, now: Minute(10)));

        var participantA = session.Participants.Single(p => p.ExternalId == "A");
        Assert.Equal(2, session.Participants.Count);
        Assert.Equal(1, participantA.Reconnects);
        var coveringMinuteSeven = participantA.Connections.Single(c => c.JoinTime <= Minute(7) && Minute(7) <= c.LeaveTime);
        Assert.Equal("a2", coveringMinuteSeven.ConnectionId);
        Assert.Equal(Join("A", at: 6, connection: "a2").Id, coveringMinuteSeven.OpenEventId);
    }

    [Fact]
    public void Joins_without_an_identity_are_participants_of_their_own()
    {
        LawEvent[] events = [new("guest-1", LawKind.Join, Minute(0)), new("guest-2", LawKind.Join, Minute(1))];

        var session = Assert.Single(RoomLaw.Compute(events, SevenMinutes, now: Minute(2)));

        Assert.Equal<string>(["e:guest-1", "e:guest-2"], session.Participants.Select(p => p.Key));
        Assert.Equal(2, session.MaxConcurrentParticipants);
    }

    // Where the SPEC is silent: the choices the law made.

    [Fact]
    public void Leave_and_join_at_the_same_instant_are_taken_leave_first()
    {
        LawEvent[] events = [.. Stay("A", from: 0, to: 10), Join("B", at: 10)];

        var session = Assert.Single(RoomLaw.Compute(events, SevenMinutes, now: Minute(11)));

        Assert.Equal(1, session.MaxConcurrentParticipants);
        Assert.Equal(Minute(10), session.LastParticipantLeftAt);
        Assert.Equal(SessionStatus.Live, session.Status);
    }

    [Fact]
    public void Session_end_and_join_at_the_same_instant_are_taken_end_first_so_the_join_starts_a_new_session()
    {
        LawEvent[] events = [Join("A", at: 0), SessionEnded(at: 4, by: "A"), Join("B", at: 4)];

        var sessions = RoomLaw.Compute(events, SevenMinutes, now: Minute(5));

        Assert.Equal(2, sessions.Count);
        Assert.Equal(Minute(4), sessions[0].End);
        Assert.Equal("x:A", Assert.Single(sessions[0].Participants).Key);
        Assert.Equal(Minute(4), sessions[1].Start);
        Assert.Equal("x:B", Assert.Single(sessions[1].Participants).Key);
    }

    [Fact]
    public void Join_and_leave_of_one_connection_at_the_same_instant_make_a_zero_length_connection_that_does_not_keep_the_session()
    {
        LawEvent[] events = [Leave("A", at: 5, connection: "a1"), Join("A", at: 5, connection: "a1")];

        var session = Assert.Single(RoomLaw.Compute(events, SevenMinutes, now: Minute(60)));

        Assert.Equal((Minute(5), Minute(12), EndReasons.GraceExpired), (session.Start, session.End!.Value, session.EndReason));
        var connection = Assert.Single(Assert.Single(session.Participants).Connections);
        Assert.Equal((Minute(5), Minute(5), LeaveReasons.Left), (connection.JoinTime, connection.LeaveTime!.Value, connection.LeaveReason));
        Assert.False(connection.JoinMissing);
        Assert.Equal(events[1].Id, connection.OpenEventId);
    }

    [Fact]
    public void Rejoin_and_leave_within_one_instant_carrying_that_instant_as_join_time_do_not_keep_the_new_session_open()
    {
        LawEvent[] events = [.. Stay("A", from: 0, to: 10), Join("A", at: 20), Leave("A", at: 20, joinedAt: 20)];

        var sessions = RoomLaw.Compute(events, SevenMinutes, now: Minute(60));

        Assert.Equal(2, sessions.Count);
        Assert.Equal((Minute(20), Minute(27)), (sessions[1].Start, sessions[1].End!.Value));
        var connection = Assert.Single(Assert.Single(sessions[1].Participants).Connections);
        Assert.Equal((Minute(20), Minute(20)), (connection.JoinTime, connection.LeaveTime!.Value));
    }

    [Fact]
    public void Recorder_that_joins_and_leaves_at_the_instant_a_session_starts_is_not_left_open()
    {
        LawEvent[] events = [PassiveLeave("recorder", at: 5, connection: "r1"), PassiveJoin("recorder", at: 5, connection: "r1"), Join("A", at: 5)];

        var session = Assert.Single(RoomLaw.Compute(events, SevenMinutes, now: Minute(6)));

        var recording = Assert.Single(session.Participants.Single(p => p.ExternalId == "recorder").Connections);
        Assert.Equal(Minute(5), recording.LeaveTime);
    }

    [Fact]
    public void Leave_and_rejoin_of_one_identity_at_the_same_instant_is_a_reconnect()
    {
        LawEvent[] events = [Join("A", at: 0), Leave("A", at: 5), Join("A", at: 5)];

        var session = Assert.Single(RoomLaw.Compute(events, SevenMinutes, now: Minute(60)));

        Assert.Equal(SessionStatus.Live, session.Status);
        var participant = Assert.Single(session.Participants);
        Assert.Equal(1, participant.Reconnects);
        Assert.Null(participant.Connections[1].LeaveTime);
    }

    [Fact]
    public void Room_closed_closes_every_open_connection_and_the_session_runs_out_its_grace_period()
    {
        LawEvent[] events = [Join("A", at: 0), Join("B", at: 1), RoomClosed(at: 5)];

        var session = Assert.Single(RoomLaw.Compute(events, SevenMinutes, now: Minute(60)));

        Assert.All(session.Participants.SelectMany(p => p.Connections), connection =>
            Assert.Equal((Minute(5), LeaveReasons.RoomClosed), (connection.LeaveTime!.Value, connection.LeaveReason)));
        Assert.Equal((Minute(12), EndReasons.GraceExpired), (session.End!.Value, session.EndReason));
    }

    [Fact]
    public void Second_join_on_an_open_connection_closes_the_first_with_reason_network()
    {
        LawEvent[] events = [Join("A", at: 0, connection: "a1"), Join("A", at: 3, connection: "a1"), Leave("A", at: 8, connection: "a1")];

        var session = Assert.Single(RoomLaw.Compute(events, SevenMinutes, now: Minute(9)));

        var participant = Assert.Single(session.Participants);
        Assert.Equal(2, participant.Connections.Count);
        Assert.Equal((Minute(3), LeaveReasons.Network), (participant.Connections[0].LeaveTime!.Value, participant.Connections[0].LeaveReason));
        Assert.Equal((Minute(8), LeaveReasons.Left), (participant.Connections[1].LeaveTime!.Value, participant.Connections[1].LeaveReason));
        Assert.Equal(1, session.MaxConcurrentParticipants);
    }
}
