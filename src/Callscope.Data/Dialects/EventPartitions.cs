using Dapper;

namespace Callscope.Data.Dialects;

/// <summary>
/// On PostgreSQL the events table is partitioned by month of event time, so that retention drops whole
/// partitions instead of deleting rows. Partitions for the months around now are created ahead; anything outside
/// them lands in the default partition.
/// </summary>
internal static class EventPartitions
{
    public const int MonthsBack = 2;
    public const int MonthsAhead = 3;

    public static void Ensure(PostgresDialect database, DateTimeOffset now)
    {
        using var connection = database.Open();
        var first = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(-MonthsBack);
        for (var month = first; month <= first.AddMonths(MonthsBack + MonthsAhead); month = month.AddMonths(1))
        {
            var name = $"events_{month:yyyy_MM}";
            var exists = connection.ExecuteScalar<long>("SELECT COUNT(*) FROM pg_class WHERE relname = @name", new { name }) > 0;
            if (exists)
            {
                continue;
            }

            var from = DbTime.Ms(month);
            var to = DbTime.Ms(month.AddMonths(1));
            var inDefault = connection.ExecuteScalar<long>("SELECT COUNT(*) FROM events_default WHERE ts >= @from AND ts < @to", new { from, to });
            if (inDefault == 0)
            {
                connection.Execute($"CREATE TABLE {name} PARTITION OF events FOR VALUES FROM ({from}) TO ({to})");
            }
        }
    }
}
