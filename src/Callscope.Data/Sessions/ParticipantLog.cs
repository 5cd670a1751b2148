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

    /// <summary>
    /// A participant's log as <see cref="Condition"/> chooses it, tested in memory: for a reader that takes a room's
    /// events once and hands each to the logs it belongs to, rather than reading the room again for each participant.
    /// The caller has already left out erased events and events of other rooms and teams.
    /// </summary>
    public sealed class Member(string? externalId, IEnumerable<string?> connectionIds, long from, long to)
    {
        private readonly HashSet<string> connections = [.. connectionIds.OfType<string>()];

        public long From => from;

        public long To => to;

        /// <summary>Whether an event at <paramref name="ts"/> naming these belongs to the log.</summary>
        public bool Holds(long ts, string? eventExternalId, string? connectionId) =>
            ts >= from && ts <= to && (eventExternalId is null
                ? connectionId is not null && connections.Contains(connectionId)
                : string.Equals(eventExternalId, externalId, StringComparison.Ordinal));
    }
}
