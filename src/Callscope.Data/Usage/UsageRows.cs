using System.Data;
using System.Data.Common;
using Dapper;

namespace Callscope.Data.Usage;

/// <summary>The stored form of <see cref="UsageCounts"/>: the columns of <c>usage_rollups</c>, read one by one or summed.</summary>
internal static class UsageRows
{
    private static readonly string[] Sums =
    [
        "ms_unknown", "ms_desktop", "ms_mobile", "ms_tablet", "ms_smarttv",
        "joined_unknown", "joined_desktop", "joined_mobile", "joined_tablet", "joined_smarttv", "sessions",
    ];

    private static readonly string[] Peaks = ["peak_sessions", "peak_participants", "peak_per_session"];

    public static readonly string Columns = string.Join(", ", Sums.Concat(Peaks));

    /// <summary>The columns added up over the rows a query selects: sums of the counts, the largest of the peaks.</summary>
    public static readonly string Aggregates = string.Join(", ",
        Sums.Select(c => $"COALESCE(SUM({c}), 0)").Concat(Peaks.Select(c => $"COALESCE(MAX({c}), 0)")));

    public static readonly int Count = Sums.Length + Peaks.Length;

    /// <summary>The counts in <see cref="Columns"/>' order from <paramref name="first"/> on.</summary>
    public static UsageCounts Read(IDataRecord record, int first)
    {
        long At(int i) => record.IsDBNull(first + i) ? 0 : Convert.ToInt64(record.GetValue(first + i), System.Globalization.CultureInfo.InvariantCulture);
        var counts = new UsageCounts();
        for (var slot = 0; slot < UsageCounts.Slots; slot++)
        {
            counts.Ms[slot] = At(slot);
            counts.Joined[slot] = At(UsageCounts.Slots + slot);
        }

        counts.Sessions = At(10);
        counts.PeakSessions = At(11);
        counts.PeakParticipants = At(12);
        counts.PeakPerSession = At(13);
        return counts;
    }

    /// <summary>Reads each row a query returns with <paramref name="map"/>.</summary>
    public static List<T> Query<T>(DbConnection connection, DbTransaction? transaction, string sql, object args, Func<IDataRecord, T> map)
    {
        using var reader = connection.ExecuteReader(sql, args, transaction);
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }

        return rows;
    }
}
