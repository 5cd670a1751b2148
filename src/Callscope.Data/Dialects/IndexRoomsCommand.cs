using Callscope.Data.Writing;

namespace Callscope.Data.Dialects;

/// <summary>
/// SQLite only: copies the rooms of the events stored since the last copy into <c>event_rooms</c>, sorted by room, and
/// moves the mark past them; answers how many events it copied. Sorted, the copy writes each room's last page of
/// that index once, where an index kept up by every insert wrote it once per transaction. The writer runs it about
/// once a second; until then readers find the newest events after the mark (<see cref="SqliteDialect.EventsOfRoom"/>).
/// <para>
/// <c>OR IGNORE</c> keeps SQLite from opening a statement journal for the copy: a statement that writes many rows and
/// could stop half-way on a constraint copies every page it changes to that journal first, about 1,500 pages a second
/// here (docs/benchmarks.md, "Seventh round"). No copied row can meet one already there: each event's <c>seq</c> is
/// its own, and the mark moves in the same transaction.
/// </para>
/// </summary>
public sealed class IndexRoomsCommand : WriteCommand<int>
{
    internal override int Run(WriteContext context)
    {
        var copied = context.Execute(
            "INSERT OR IGNORE INTO event_rooms (room_id, ts, seq) SELECT room_id, ts, seq FROM events WHERE seq > (SELECT seq FROM event_rooms_mark) ORDER BY room_id, ts, seq");
        MoveMark(context, "event_rooms_mark");
        return copied;
    }

    /// <summary>Moves the mark of an index built from events past the newest event, which the index now has.</summary>
    internal static void MoveMark(WriteContext context, string mark) =>
        context.Execute($"UPDATE {mark} SET seq = COALESCE((SELECT MAX(seq) FROM events), seq)");
}
