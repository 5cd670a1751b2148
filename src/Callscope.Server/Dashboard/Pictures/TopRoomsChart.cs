using Callscope.Data.Usage;

namespace Callscope.Server.Dashboard.Pictures;

/// <summary>A room's row: its name (a link to its sessions), its bar from zero to its minutes, and the minutes written after the bar.</summary>
public sealed record RoomBar(string Label, string Href, double Y, double Width, string Value, string Title);

/// <summary>
/// The rooms that used the most participation minutes, most first, as horizontal bars on a round-numbered scale. The
/// names link to each room's sessions, so the picture is a named group rather than an image.
/// </summary>
public sealed class TopRoomsChart
{
    public const double PictureWidth = 640;
    public const double LabelWidth = 172;
    public const double BarsRight = 548;
    public const double RowHeight = 28;
    public const double BarHeight = 16;
    public const double RowsTop = 6;
    public const int MaxLabel = 22;

    private TopRoomsChart(IReadOnlyList<RoomUsage> source, ValueAxis values, IReadOnlyList<RoomBar> rows, string summary)
    {
        Source = source;
        Values = values;
        Rows = rows;
        Summary = summary;
    }

    /// <summary>The rooms as the query gave them, for the table beside the picture.</summary>
    public IReadOnlyList<RoomUsage> Source { get; }

    public ValueAxis Values { get; }

    public IReadOnlyList<RoomBar> Rows { get; }

    public string Summary { get; }

    /// <summary>Where the rows end and the scale begins.</summary>
    public double RowsBottom => RowsTop + (Math.Max(Rows.Count, 1) * RowHeight);

    public double Height => RowsBottom + 30;

    public static TopRoomsChart Build(IReadOnlyList<RoomUsage> rooms, string span)
    {
        var values = new ValueAxis(rooms.Select(r => r.ParticipationMinutes).DefaultIfEmpty(0).Max(), LabelWidth, BarsRight, whole: false);
        var rows = rooms.Select((r, i) => new RoomBar(
            r.FriendlyUrl.Length > MaxLabel ? r.FriendlyUrl[..(MaxLabel - 1)] + "…" : r.FriendlyUrl,
            Links.RoomSessions(r.RoomId),
            RowsTop + (i * RowHeight),
            Math.Max(values.Length(r.ParticipationMinutes), 1),
            Display.Number(r.ParticipationMinutes) + " min",
            $"{r.FriendlyUrl}{(r.Deleted ? " (deleted)" : string.Empty)}: {Display.Number(r.ParticipationMinutes)} participation minutes in {r.Sessions} session{(r.Sessions == 1 ? string.Empty : "s")}"))
            .ToList();
        var summary = rooms.Count == 0
            ? $"The rooms that used the most participation minutes, {span}: none used any."
            : $"The {rooms.Count} room{(rooms.Count == 1 ? string.Empty : "s")} that used the most participation minutes, {span}: "
              + string.Join(", ", rooms.Select(r => $"{r.FriendlyUrl} {Display.Number(r.ParticipationMinutes)}")) + ".";
        return new TopRoomsChart(rooms, values, rows, summary);
    }
}
