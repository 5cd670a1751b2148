using Callscope.Core.Law;

namespace Callscope.Core.Tests.Support;

/// <summary>One stored session row as a late insertion left it: its span and its rendering at the time it was written.</summary>
internal sealed record StoredRow(SessionId Id, DateTimeOffset Start, DateTimeOffset? End, string Form);

/// <summary>
/// A room fed the way the writer feeds it: an event the store already has is dropped; of a batch, what can be
/// appended is appended and written, and the rest goes through <see cref="RoomSweep.TryInsertLate"/>, which replays
/// a window of history; the sessions it changes are written to a model of the store, with ids from
/// <see cref="LateInsertion.Identify"/>.
/// The sweep never releases a session, so that all of them can be compared with a full replay.
/// </summary>
internal sealed class LateRoom(RoomPolicy policy)
{
    private readonly List<LawEvent> received = [];
    private readonly HashSet<string> receivedIds = new(StringComparer.Ordinal);

    public RoomSweep Sweep { get; } = new(policy);

    public IReadOnlyList<LawEvent> Received => received;

    public Dictionary<SessionId, StoredRow> Store { get; } = [];

    /// <summary>The last batch's late insertion (<see cref="LateInsertion.Nothing"/> when it was only appended).</summary>
    public LateInsertion? LastInsertion { get; private set; }

    /// <summary>The store as it was before the last batch's late insertion (after what it appended was written).</summary>
    public IReadOnlyDictionary<SessionId, StoredRow> StoreBefore { get; private set; } = new Dictionary<SessionId, StoredRow>();

    /// <summary>Sessions the last batch wrote through its late insertion.</summary>
    public IReadOnlyList<SessionRecord> LastWritten { get; private set; } = [];

    /// <summary>Events the last batch read back from the store.</summary>
    public int LastLoaded { get; private set; }

    public int Insertions { get; private set; }

    public static StoredRow Row(SessionRecord s) => new(s.Id!.Value, s.Start, s.End, SessionText.Describe([s]));

    public void Receive(IEnumerable<LawEvent> batch)
    {
        var fresh = batch.Where(e => receivedIds.Add(e.Id)).ToList();
        received.AddRange(fresh);
        LastWritten = [];
        LastLoaded = 0;
        var late = Sweep.AppendInOrder(fresh);
        WriteTouched();
        StoreBefore = new Dictionary<SessionId, StoredRow>(Store);
        var insertion = Sweep.TryInsertLate(late, Load)
            ?? throw new InvalidOperationException("The policy never changes here, so no insertion may need a full replay.");
        LastInsertion = insertion;
        if (!ReferenceEquals(insertion, LateInsertion.Nothing))
        {
            Insertions++;
            var writes = insertion.Identify([.. Store.Values.Select(s => new StoredSpan(s.Id, s.Start, s.End))]);
            foreach (var id in writes.Removed)
            {
                Store.Remove(id);
            }

            foreach (var s in writes.Write)
            {
                Store[s.Id!.Value] = Row(s);
            }

            LastWritten = writes.Write;
        }

        WriteTouched();
    }

    private void WriteTouched()
    {
        foreach (var s in Sweep.TakeTouched().OrderBy(s => s.Start))
        {
            s.Id ??= SessionId.New(s.Start);
            Store[s.Id.Value] = Row(s);
        }
    }

    private IEnumerable<LawEvent> Load(DateTimeOffset from, DateTimeOffset? until)
    {
        var window = received.Where(e => e.Time >= from && (until is not { } u || e.Time < u)).ToList();
        LastLoaded += window.Count;
        return window;
    }
}
