using Callscope.Core.Ingest;
using Callscope.Data.Dialects;

namespace Callscope.Data.Sessions;

/// <summary>
/// Which events make up a participant's log (rule 10): every event of its room between its first join and its last
/// leave that names its identity, or names no identity and one of its connections. An event naming another identity is
/// that participant's even when it names this one's connection, so that no source (a browser with a client token
/// among them) can put events in someone else's log. The events log and the diagnosis read the same events. Events of
/// an erased participant (<see cref="Core.Ingest.LawFlags.Erased"/>) belong to no log.
/// </summary>
internal static class ParticipantLog
{
    /// <summary>The condition on events <c>e</c>, with parameters @room, @team, @from, @to, @conns and, when it has one, @ext.</summary>
    public static string Condition(StoreDialect dialect, bool hasExternalId)
    {
        var inConnections = dialect.InList("e.connection_id", "conns");
        return "e.room_id = @room AND e.team_id = @team AND e.ts >= @from AND e.ts <= @to AND " + NotErased
            + (hasExternalId ? $" AND (e.external_id = @ext OR (e.external_id IS NULL AND {inConnections}))" : $" AND e.external_id IS NULL AND {inConnections}");
    }

    /// <summary>The condition on events <c>e</c> that leaves out what an erasure kept only for the law and the statistics.</summary>
    public static readonly string NotErased = $"(e.law_flags & {(int)LawFlags.Erased}) = 0";

    /// <summary>Where a log without a last leave (the participant is still in the call) ends.</summary>
    public static readonly long Open = DbTime.Ms(DateTimeOffset.MaxValue.AddYears(-1));
}
