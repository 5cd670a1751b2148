using Callscope.Core.Ingest;

namespace Callscope.Data.Usage;

/// <summary>
/// What happened in one stretch of time, in a form that adds up: milliseconds of presence and participants who
/// joined, each by device (slot 0 for a device Callscope was not told), sessions started, and peaks. Two stretches
/// that do not overlap combine by adding the sums and taking the larger peaks, which is how hours make a day and
/// days a month; the sums are whole milliseconds, so the order they are added in never changes a figure.
/// </summary>
internal sealed class UsageCounts
{
    /// <summary>The device slots: unknown, then <see cref="EventRules.Devices"/> in their order.</summary>
    public const int Slots = 5;

    public long[] Ms { get; } = new long[Slots];

    public long[] Joined { get; } = new long[Slots];

    public long Sessions { get; set; }

    public long PeakSessions { get; set; }

    public long PeakParticipants { get; set; }

    public long PeakPerSession { get; set; }

    public long TotalMs => Ms.Sum();

    public long TotalJoined => Joined.Sum();

    public bool IsEmpty => TotalMs == 0 && TotalJoined == 0 && Sessions == 0 && PeakSessions == 0 && PeakParticipants == 0;

    public static int Slot(string? device) => device is null ? 0 : IndexOf(device) + 1;

    private static int IndexOf(string device)
    {
        for (var i = 0; i < EventRules.Devices.Count; i++)
        {
            if (string.Equals(EventRules.Devices[i], device, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    public void Add(UsageCounts other)
    {
        for (var i = 0; i < Slots; i++)
        {
            Ms[i] += other.Ms[i];
            Joined[i] += other.Joined[i];
        }

        Sessions += other.Sessions;
        PeakSessions = Math.Max(PeakSessions, other.PeakSessions);
        PeakParticipants = Math.Max(PeakParticipants, other.PeakParticipants);
        PeakPerSession = Math.Max(PeakPerSession, other.PeakPerSession);
    }

    /// <summary>Minutes to two decimals, as every other minute figure of the API.</summary>
    public static double Minutes(long ms) => Math.Round(ms / 60_000.0, 2);

    public UsageFigures Figures(DateTimeOffset from, DateTimeOffset to, int rooms) =>
        new(from, to, Minutes(TotalMs), Minutes(Ms[1]), Minutes(Ms[2]), Minutes(Ms[3]), Minutes(Ms[4]),
            (int)TotalJoined, (int)Joined[1], (int)Joined[2], (int)Joined[3], (int)Joined[4], (int)Sessions, rooms,
            (int)PeakSessions, (int)PeakParticipants, (int)PeakPerSession);

    public TimelinePoint Point(DateTimeOffset start, DateTimeOffset end) =>
        new(start, end, (int)PeakSessions, (int)PeakParticipants, Minutes(TotalMs), Minutes(Ms[1]), Minutes(Ms[2]), Minutes(Ms[3]),
            Minutes(Ms[4]), (int)Sessions);
}
