using Callscope.Data.Sessions;
using Callscope.Server.Dashboard.Pictures;
using Microsoft.AspNetCore.Mvc;

namespace Callscope.Server.Dashboard.Pages.Participants;

/// <summary>A participant's record: details, connections, quality chart, and the events log filtered by category.</summary>
public sealed class ParticipantRecordModel(SessionQueries queries, TimeProvider clock) : DashboardPage
{
    public const int LogPageSize = 200;

    /// <summary>The most events read for one participant's page; the API's events log pages through any number.</summary>
    public const int MaxEvents = 20_000;

    public ParticipantView Participant { get; private set; } = null!;

    public SessionView Session { get; private set; } = null!;

    public IReadOnlySet<string> Categories { get; private set; } = new HashSet<string>();

    public IReadOnlyList<EventView> Log { get; private set; } = [];

    public int TotalEvents { get; private set; }

    public int ReadEvents { get; private set; }

    public Pager LogPager { get; private set; } = null!;

    public QualityChart? Quality { get; private set; }

    public EventStrip Strip { get; private set; } = null!;

    public DateTimeOffset Now { get; private set; }

    public IActionResult OnGet(string id, string[]? category)
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
        var shown = Categories.Count == 0 ? events.Data : [.. events.Data.Where(e => Categories.Contains(EventCategory.Of(e.Type)))];
        LogPager = new Pager(Request, LogPageSize).Of(shown.Count);
        Log = [.. shown.Skip(LogPager.Offset).Take(LogPageSize)];

        var from = participant.JoinTime;
        var to = participant.LeaveTime ?? session.End ?? Now;
        Quality = QualityChart.Build(events.Data, from, to);
        Strip = EventStrip.Build(participant, shown, from, to);
        return Page();
    }

    public string DisplayName => Participant.Name ?? Participant.ExternalId ?? "Anonymous participant";

    public IEnumerable<string> LeaveReasons => Participant.Connections
        .Where(c => c.LeaveTime is not null)
        .Select(c => Display.Words(c.LeaveReason))
        .Distinct();
}
