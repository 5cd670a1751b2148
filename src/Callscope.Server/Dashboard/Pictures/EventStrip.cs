using Callscope.Core.Events;
using Callscope.Data.Sessions;

namespace Callscope.Server.Dashboard.Pictures;

public sealed record StripMark(double X, string Category, string Title);

/// <summary>A participant's connections as a band, with a mark for each event of the log, coloured by category.</summary>
public sealed class EventStrip
{
    public const double PictureWidth = 960;
    public const double PictureHeight = 64;

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
            .Select(e => new StripMark(axis.X(e.Timestamp), EventTypes.CategoryOf(e.Type), $"{Display.ClockMs(e.Timestamp)} {e.Type}"))
            .ToList();
        return new EventStrip(axis, connections, marks);
    }
}
