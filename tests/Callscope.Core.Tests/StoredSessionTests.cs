using Callscope.Core.Law;
using Callscope.Core.Tests.Support;
using CsCheck;
using static Callscope.Core.Tests.Support.LawEvents;

namespace Callscope.Core.Tests;

/// <summary>
/// The end-by-deadline rule on a stored session: what the store kept at the session's last event, read at a later
/// instant, says what the law says at that instant. Times are minutes after T.
/// </summary>
public sealed class StoredSessionTests
{
    private static readonly TimeSpan Millisecond = TimeSpan.FromMilliseconds(1);

    [Fact]
    public void Empty_session_is_ending_soon_until_its_deadline_and_ended_by_grace_from_that_instant_on()
    {
        var stored = new StoredSession(null, null, Minute(17), EndReasons.GraceExpired, ActiveConnections: 0, LastParticipantLeftAt: Minute(10));

        var before = stored.At(Minute(17) - Millisecond);
        var at = stored.At(Minute(17));
        var after = stored.At(Minute(60));

        Assert.Equal(new SessionAt(null, null, Minute(10), SessionStatus.EndingSoon, EndingAt: Minute(17)), before);
        Assert.Equal(new SessionAt(Minute(17), EndReasons.GraceExpired, Minute(10), SessionStatus.Ended, EndingAt: null), at);
        Assert.Equal(at, after);
        Assert.False(before.Ended);
        Assert.True(at.Ended);
    }

    [Fact]
    public void Occupied_session_past_its_length_has_ended_with_everyone_leaving_at_its_deadline()
    {
        var stored = new StoredSession(null, null, Minute(60), EndReasons.SessionLength, ActiveConnections: 2, LastParticipantLeftAt: null);

        var before = stored.At(Minute(59));
        var after = stored.At(Minute(61));

        Assert.Equal(new SessionAt(null, null, null, SessionStatus.Live, EndingAt: null), before);
        Assert.Equal(new SessionAt(Minute(60), EndReasons.SessionLength, Minute(60), SessionStatus.Ended, EndingAt: null), after);
    }

    [Fact]
    public void Occupied_session_without_a_deadline_stays_live_however_late_it_is_read()
    {
        var stored = new StoredSession(null, null, null, null, ActiveConnections: 1, LastParticipantLeftAt: null);

        Assert.Equal(new SessionAt(null, null, null, SessionStatus.Live, EndingAt: null), stored.At(Minute(60 * 24 * 365)));
        Assert.False(stored.IsDueAt(Minute(60 * 24 * 365)));
    }

    [Fact]
    public void Session_with_a_written_end_keeps_that_end_and_its_reason()
    {
        var stored = new StoredSession(Minute(5), EndReasons.Moderator, null, null, ActiveConnections: 0, LastParticipantLeftAt: Minute(5));

        Assert.Equal(new SessionAt(Minute(5), EndReasons.Moderator, Minute(5), SessionStatus.Ended, EndingAt: null), stored.At(Minute(6)));
        Assert.False(stored.IsDueAt(Minute(6)));
    }

    [Fact]
    public void Session_is_due_for_expiry_from_its_deadline_until_its_end_is_written()
    {
        var open = new StoredSession(null, null, Minute(17), EndReasons.GraceExpired, ActiveConnections: 0, LastParticipantLeftAt: Minute(10));
        var written = open with { End = Minute(17), EndReason = EndReasons.GraceExpired, Deadline = null, DeadlineReason = null };

        Assert.False(open.IsDueAt(Minute(17) - Millisecond));
        Assert.True(open.IsDueAt(Minute(17)));
        Assert.False(written.IsDueAt(Minute(17)));
        Assert.Equal(open.At(Minute(20)), written.At(Minute(20)));
    }

    [Fact]
    public void End_of_a_stored_session_is_its_written_end_or_its_deadline_once_passed()
    {
        Assert.Equal(Minute(5), StoredSession.EndAt(Minute(5), null, Minute(6)));
        Assert.Null(StoredSession.EndAt(null, Minute(17), Minute(16)));
        Assert.Equal(Minute(17), StoredSession.EndAt(null, Minute(17), Minute(17)));
        Assert.Null(StoredSession.EndAt(null, null, Minute(1000)));
    }

    [Fact]
    public void Stored_form_read_at_any_later_instant_says_what_the_law_says_at_that_instant()
    {
        HistoryGenerator.Histories.Sample(history =>
        {
            foreach (var room in history.Rooms)
            {
                var sweep = RoomLaw.Replay(room.Events, room.Policy);
                var stored = sweep.Sessions.Select(s => s.Stored).ToList();
                foreach (var now in InstantsToRead(sweep, room.Now))
                {
                    var law = sweep.ViewAt(now);
                    PropertyRuns.SameSessions(
                        $"room {room.Name} read at {SessionText.Time(now)}",
                        string.Join('\n', law.Select(Describe)),
                        string.Join('\n', stored.Select(s => Describe(s.At(now)))));
                }
            }
        }, writeLine: PropertyRuns.Report, iter: PropertyRuns.Iterations, print: history => history.ToString());
    }

    /// <summary>The room's own instant, and around the live session's deadline: just before, at, and just after it.</summary>
    private static IEnumerable<DateTimeOffset> InstantsToRead(RoomSweep sweep, DateTimeOffset now)
    {
        yield return now;
        if (sweep.Current?.Deadline is { } due)
        {
            yield return due.At - TimeSpan.FromTicks(1);
            yield return due.At - Millisecond;
            yield return due.At;
            yield return due.At + TimeSpan.FromTicks(1);
            yield return due.At + TimeSpan.FromHours(1);
        }
    }

    private static string Describe(SessionRecord law) => Describe(new SessionAt(
        law.End, law.EndReason, law.LastParticipantLeftAt, law.Status, law.Status == SessionStatus.EndingSoon ? law.Deadline?.At : null));

    private static string Describe(SessionAt at) =>
        $"{at.Status} end={Optional(at.End)} reason={at.EndReason ?? "-"} last-left={Optional(at.LastParticipantLeftAt)} ending-at={Optional(at.EndingAt)}";

    private static string Optional(DateTimeOffset? time) => time is { } t ? SessionText.Time(t) : "-";
}
