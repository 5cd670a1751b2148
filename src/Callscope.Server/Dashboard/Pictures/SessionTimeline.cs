using Callscope.Core.Law;
using Callscope.Data.Diagnosis;
using Callscope.Data.Sessions;

namespace Callscope.Server.Dashboard.Pictures;

public sealed record TimelineBar(double X, double Width, string Title, bool Open, bool JoinMissing);

/// <summary>A problem's time range on a participant's row; <paramref name="Severity"/> is "warning" or "error".</summary>
public sealed record TimelineProblem(double X, double Width, string Title, string Severity);

public sealed record TimelineRow(string Label, string Href, double Y, IReadOnlyList<TimelineBar> Bars)
{
    public IReadOnlyList<TimelineProblem> Problems { get; init; } = [];
}

public sealed record GraceBand(double X, double Width, string Label)
{
    /// <summary>The label starts at the band, unless that would run it off the right edge.</summary>
    private bool LabelFromRight => X + 90 > SessionTimeline.PictureWidth;

    public double LabelX => LabelFromRight ? X + Width : X + 3;

    public string LabelAnchor => LabelFromRight ? "end" : "start";
}

/// <summary>
/// The picture of a session: a row per participant with a bar per connection across the session's time, and the
/// grace period drawn after the last leave (still running while the session is ending soon), and each problem the
/// diagnosis found marked over its participant's row for its time range.
/// </summary>
public sealed class SessionTimeline
{
    public const double PictureWidth = 960;
    public const double LabelWidth = 170;
    public const double RowHeight = 26;
    public const double AxisHeight = 40;
    public const int MaxRows = 40;

    private SessionTimeline(TimeAxis axis, IReadOnlyList<TimelineRow> rows, int hiddenRows, GraceBand? grace, double? nowX, string summary)
    {
        Axis = axis;
        Rows = rows;
        HiddenRows = hiddenRows;
        Grace = grace;
        NowX = nowX;
        Summary = summary;
    }

    public TimeAxis Axis { get; }

    public IReadOnlyList<TimelineRow> Rows { get; }

    public int HiddenRows { get; }

    public GraceBand? Grace { get; }

    public double? NowX { get; }

    public string Summary { get; }

    public double Height => AxisHeight + (Math.Max(Rows.Count, 1) * RowHeight) + 22;

    /// <summary>Where the lanes start, below the tick labels and the grace label.</summary>
    public const double LanesTop = 34;

    /// <summary>Where the lanes end; the strip below holds the "now" label.</summary>
    public double BottomY => Height - 16;

    public static SessionTimeline Build(SessionView session, IReadOnlyList<ParticipantView> participants, IReadOnlyList<IssueView> problems, DateTimeOffset now)
    {
        var graceEnd = session.Status == SessionStatus.EndingSoon ? session.EndingAt
            : session.EndReason == "grace_expired" ? session.End
            : null;
        var end = session.End ?? session.EndingAt ?? now;
        var axis = new TimeAxis(session.Start, end, LabelWidth, PictureWidth - LabelWidth - 16);

        var rows = participants.Take(MaxRows).Select((p, i) => new TimelineRow(
            p.Name ?? p.ExternalId ?? "anonymous",
            Links.Participant(p.Id),
            AxisHeight + (i * RowHeight),
            [.. p.Connections.Select(c =>
            {
                var leave = c.LeaveTime ?? end;
                var x = axis.X(c.JoinTime);
                var title = $"{p.Name ?? p.ExternalId ?? "anonymous"}: {Display.Clock(c.JoinTime)} – "
                    + (c.LeaveTime is { } left ? $"{Display.Clock(left)} ({Display.Words(c.LeaveReason)})" : "still connected");
                return new TimelineBar(x, Math.Max(axis.X(leave) - x, 2), title, c.LeaveTime is null, c.JoinMissing);
            })])
        {
            // Warnings first, so an error's mark is drawn over a warning's where they overlap.
            Problems = [.. problems.Where(i => i.ParticipantId == p.Id).OrderBy(i => i.Severity).ThenBy(i => i.StartedAt).Select(i =>
            {
                var x = axis.X(i.StartedAt);
                return new TimelineProblem(x, Math.Max(axis.X(i.EndedAt ?? end) - x, 3), $"{p.Name ?? p.ExternalId ?? "anonymous"}: {IssueDisplay.Title(i)}",
                    IssueDisplay.Severity(i.Severity));
            })],
        }).ToList();

        GraceBand? grace = null;
        if (graceEnd is { } until && session.LastParticipantLeftAt is { } lastLeft)
        {
            var x = axis.X(lastLeft);
            grace = new GraceBand(x, Math.Max(axis.X(until) - x, 1), $"grace {Display.Seconds(session.GracePeriodSeconds)}");
        }

        double? nowX = session.End is null ? axis.X(now) : null;
        var summary = $"Timeline of the session from {Display.Time(session.Start)} to "
            + (session.End is { } e ? Display.Time(e) : "now")
            + $" UTC: {participants.Count} participant(s), {participants.Sum(p => p.Connections.Count)} connection(s)"
            + (grace is null ? "." : $", with the {Display.Seconds(session.GracePeriodSeconds)} grace period after the last leave at {Display.Clock(session.LastParticipantLeftAt!.Value)}.")
            + (problems.Count == 0 ? string.Empty : $" {IssueDisplay.Problems(problems.Count)} marked on the participants' rows.");
        return new SessionTimeline(axis, rows, Math.Max(0, participants.Count - MaxRows), grace, nowX, summary);
    }
}
