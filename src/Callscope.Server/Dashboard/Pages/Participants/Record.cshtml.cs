using System.Globalization;
using Callscope.Data.Diagnosis;
using Callscope.Data.Sessions;
using Callscope.Server.Dashboard.Pictures;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace Callscope.Server.Dashboard.Pages.Participants;

/// <summary>
/// A participant's record: details, connections, the problems the diagnosis found (shaded on the chart too), the quality
/// chart over the whole call or a chosen time range, and the events log filtered by category, with quality samples
/// folded unless the filter asks for them.
/// </summary>
public sealed class ParticipantRecordModel(SessionQueries queries, IssueQueries issues, TimeProvider clock) : DashboardPage
{
    public const int LogPageSize = 200;

    /// <summary>The most events read for one participant's page; the API's events log pages through any number.</summary>
    public const int MaxEvents = 20_000;

    /// <summary>The shortest range the chart zooms into.</summary>
    public static readonly TimeSpan MinRange = TimeSpan.FromSeconds(10);

    public ParticipantView Participant { get; private set; } = null!;

    public SessionView Session { get; private set; } = null!;

    public IReadOnlySet<string> Categories { get; private set; } = new HashSet<string>();

    public IReadOnlyList<EventView> Log { get; private set; } = [];

    public int TotalEvents { get; private set; }

    public int ReadEvents { get; private set; }

    /// <summary>Quality samples left out of the log because the chart holds them; zero when the filter lists them.</summary>
    public int FoldedSamples { get; private set; }

    public Pager LogPager { get; private set; } = null!;

    public QualityChart? Quality { get; private set; }

    /// <summary>The participant's problems, errors first, then in the order they started.</summary>
    public IReadOnlyList<IssueView> Problems { get; private set; } = [];

    public EventStrip Strip { get; private set; } = null!;

    public DateTimeOffset Now { get; private set; }

    /// <summary>The participant's whole time in the call.</summary>
    public (DateTimeOffset From, DateTimeOffset To) Call { get; private set; }

    /// <summary>The chart's range: the whole call, or the part of it the reader zoomed into.</summary>
    public (DateTimeOffset From, DateTimeOffset To) Range { get; private set; }

    public bool Zoomed => Range != Call;

    public IActionResult OnGet(string id, string[]? category, string? from, string? to)
    {
        if (!Guid.TryParse(id, out _) || queries.FindParticipant(Team, id) is not { } participant
            || queries.Find(Team, participant.SessionId.ToString()) is not { } session)
        {
            return Missing("This participant");
        }

        Now = clock.GetUtcNow();
        Participant = participant;
        Session = session;
        Categories = (category ?? []).Where(c => EventCategory.All.Any(k => k.Code == c)).ToHashSet();

        var events = queries.Events(Team, participant, types: null, new Paging(Limit: MaxEvents, Descending: false));
        TotalEvents = events.TotalCount;
        ReadEvents = events.Data.Count;
        IReadOnlyList<EventView> shown = Categories.Count == 0
            ? [.. events.Data.Where(e => e.Type != "quality_sample")]
            : [.. events.Data.Where(e => Categories.Contains(EventCategory.Of(e.Type)))];
        FoldedSamples = Categories.Count == 0 ? events.Data.Count - shown.Count : 0;
        LogPager = new Pager(Request, LogPageSize).Of(shown.Count);
        Log = [.. shown.Skip(LogPager.Offset).Take(LogPageSize)];

        var start = participant.JoinTime;
        var end = participant.LeaveTime ?? session.End ?? Now;
        Call = (start, end > start ? end : start.AddMinutes(1));
        Range = ZoomRange(Call, Parse(from), Parse(to));
        Problems = IssueDisplay.WorstFirst(issues.ForParticipant(Team, participant));
        Quality = QualityChart.Build(QualityChart.SamplesOf(events.Data), Range.From, Range.To, Problems);
        Strip = EventStrip.Build(participant, shown, start, end);
        return Page();
    }

    public string DisplayName => Participant.Name ?? Participant.ExternalId ?? "Anonymous participant";

    public IEnumerable<string> LeaveReasons => Participant.Connections
        .Where(c => c.LeaveTime is not null)
        .Select(c => Display.Words(c.LeaveReason))
        .Distinct();

    /// <summary>The part of <paramref name="call"/> between the asked times, at least <see cref="MinRange"/> long; the whole call when nothing sensible was asked.</summary>
    public static (DateTimeOffset From, DateTimeOffset To) ZoomRange((DateTimeOffset From, DateTimeOffset To) call, DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is null && to is null)
        {
            return call;
        }

        var start = Clamp(from ?? call.From, call);
        var end = Clamp(to ?? call.To, call);
        if (end < start)
        {
            return call;
        }

        if (end - start < MinRange)
        {
            var middle = start + ((end - start) / 2);
            start = Clamp(middle - (MinRange / 2), call);
            end = Clamp(start + MinRange, call);
            start = Clamp(end - MinRange, call);
        }

        return (start, end);
    }

    /// <summary>The page's address showing <paramref name="range"/> on the chart (the whole call for null), keeping the log's filter and page.</summary>
    public string RangeHref((DateTimeOffset From, DateTimeOffset To)? range)
    {
        var query = Request.Query.Where(q => q.Key is not "from" and not "to")
            .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
            .ToList();
        if (range is { } r && r != Call)
        {
            query.Add(new("from", Field(r.From)));
            query.Add(new("to", Field(r.To)));
        }

        return QueryHelpers.AddQueryString(Request.Path, query);
    }

    /// <summary>The chart's range around a problem: its time range with a quarter of its length on each side (an ongoing one up to the call's end).</summary>
    public (DateTimeOffset, DateTimeOffset) RangeOf(IssueView issue)
    {
        var end = issue.EndedAt ?? Call.To;
        var margin = (end - issue.StartedAt) / 4;
        return ZoomRange(Call, issue.StartedAt - margin, end + margin);
    }

    /// <summary>The middle half of the range.</summary>
    public (DateTimeOffset, DateTimeOffset) ZoomedIn => ZoomRange(Call, Range.From + (Span / 4), Range.To - (Span / 4));

    /// <summary>Twice the range around its middle, within the call.</summary>
    public (DateTimeOffset, DateTimeOffset) ZoomedOut => Shifted(-Span / 2, Span / 2);

    public (DateTimeOffset, DateTimeOffset) Earlier => Shifted(-Span / 2, -Span / 2);

    public (DateTimeOffset, DateTimeOffset) Later => Shifted(Span / 2, Span / 2);

    public bool CanZoomIn => Span > MinRange;

    /// <summary>A time as the range form's <c>datetime-local</c> fields show it, read back as UTC.</summary>
    public static string Field(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

    private TimeSpan Span => Range.To - Range.From;

    /// <summary>The range moved by the given amounts at each end, slid back inside the call rather than cut where it can.</summary>
    private (DateTimeOffset, DateTimeOffset) Shifted(TimeSpan start, TimeSpan end)
    {
        var span = Range.To + end - (Range.From + start);
        if (span >= Call.To - Call.From)
        {
            return Call;
        }

        var from = Range.From + start;
        from = from < Call.From ? Call.From : from + span > Call.To ? Call.To - span : from;
        return (from, from + span);
    }

    private static DateTimeOffset Clamp(DateTimeOffset t, (DateTimeOffset From, DateTimeOffset To) call) =>
        t < call.From ? call.From : t > call.To ? call.To : t;

    private static DateTimeOffset? Parse(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;
}
