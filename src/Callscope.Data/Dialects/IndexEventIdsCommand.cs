using Callscope.Data.Writing;

namespace Callscope.Data.Dialects;

/// <summary>
/// SQLite only: moves the ids of the events stored since the last move from the writer's memory into
/// <c>event_id_hashes</c> (<see cref="EventIdHashes"/>), in key order, and moves the mark past them; answers how many
/// ids it moved. In key order, each page of the index is written once per move, where a unique index kept up by every
/// insert wrote a page per event (ids are random). The writer runs it once enough ids have gathered and when it falls
/// idle (<see cref="SqliteUpkeep.IdIndexAfter"/>).
/// </summary>
public sealed class IndexEventIdsCommand : WriteCommand<int>
{
    internal override int Run(WriteContext context)
    {
        var moved = context.Execute(
            $"INSERT OR IGNORE INTO event_id_hashes (hash, seq) SELECT {EventIdHashes.Function}(team_id, id), seq FROM events WHERE seq > (SELECT seq FROM event_ids_mark) ORDER BY 1, 2");
        IndexRoomsCommand.MoveMark(context, "event_ids_mark");
        context.RecentIds.Moved();
        return moved;
    }
}
