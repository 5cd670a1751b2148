using Callscope.Core.Events;
using Callscope.Data.Sessions;

namespace Callscope.Server.Dashboard.Pictures;

public sealed record StripMark(double X, string Category, string Title);

/// <summary>
/// A participant's connections as a band, with a mark for the events of the log, coloured by category. Events of one
/// category that fall within <see cref="MarkWidth"/> px of each other share a mark, so the picture stays small however
/// many events there are.
/// </summary>
public sealed class EventStrip
{
    public const double PictureWidth = 960;
    public const double PictureHeight = 64;

    /// <summary>The width of the columns events are gathered into.</summary>
    public const double MarkWidth = 3;

    private EventStrip(TimeAxis axis, IReadOnlyList<(double X, double Width)> connections, IReadOnlyList<StripMark> marks)
    {
        Axis = axis;
        Connections = connections;
        Marks = marks;
    }

    public TimeAxis Axis { get; }

    public IReadOnlyList<(double X, double Width)> Connections { get; }

    public IReadOnlyList<StripMark> Marks { get; }

    public static EventStrip Build(ParticipantView participant, IEnumerable<EventView> events, DateTimeOffset from, DateTimeOffset to)
    {
        var axis = new TimeAxis(from, to, 12, PictureWidth - 24);
        var connections = participant.Connections
            .Select(c => (X: axis.X(c.JoinTime), Width: Math.Max(axis.X(c.LeaveTime ?? to) - axis.X(c.JoinTime), 2)))
            .ToList();
        var marks = events
            .GroupBy(e => (Column: (int)Math.Floor((axis.X(e.Timestamp) - axis.Left) / MarkWidth), Category: EventTypes.CategoryOf(e.Type)))
            .OrderBy(g => g.Key.Column)
            .Select(g => new StripMark(axis.X(g.First().Timestamp), g.Key.Category, Title([.. g])))
            .ToList();
        return new EventStrip(axis, connections, marks);
    }

    private static string Title(IReadOnlyList<EventView> events) => events.Count == 1
        ? $"{Display.ClockMs(events[0].Timestamp)} {events[0].Type}"
        : $"{events.Count} events from {Display.ClockMs(events.Min(e => e.Timestamp))} to {Display.ClockMs(events.Max(e => e.Timestamp))}: "
          + string.Join(", ", events.Select(e => e.Type).Distinct());
}
