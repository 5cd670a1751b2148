using Callscope.Core;
using Callscope.Data.Audit;

namespace Callscope.Data.Writing;

/// <summary>
/// Erases participants' personal data, keeping every session's results (see <see cref="Erasure"/>): a session's
/// participants (Digital Samba's <c>DELETE /sessions/{id}/resources</c>), a room's (<c>DELETE /rooms/{room}/resources</c>),
/// or one person's across the team (<c>DELETE /participants?external_id=</c>). A live session, a room with one, or a
/// person in one is refused and nothing changes.
/// </summary>
public sealed class EraseHistoryCommand : WriteCommand<ErasureResult>
{
    private readonly Func<Erasure, ErasureResult> erase;
    private readonly TeamId team;

    private EraseHistoryCommand(TeamId team, Func<Erasure, ErasureResult> erase)
    {
        this.team = team;
        this.erase = erase;
    }

    public static EraseHistoryCommand OfSession(TeamId team, string sessionId, Func<ErasureResult, AuditEntry?>? audit = null) =>
        new(team, e => e.Session(sessionId)) { Audit = audit };

    public static EraseHistoryCommand OfRoom(TeamId team, RoomId room, Func<ErasureResult, AuditEntry?>? audit = null) =>
        new(team, e => e.Room(room)) { Audit = audit };

    public static EraseHistoryCommand OfPerson(TeamId team, string externalId, Func<ErasureResult, AuditEntry?>? audit = null) =>
        new(team, e => e.Person(externalId)) { Audit = audit };

    internal override ErasureResult Run(WriteContext context) => erase(new Erasure(context, team));
}
