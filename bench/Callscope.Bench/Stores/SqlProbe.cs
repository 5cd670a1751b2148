using System.Data.Common;

namespace Callscope.Bench;

/// <summary>The probe's queries, the same on every provider (the derived tables have the same shape everywhere).</summary>
public sealed class SqlProbe(DbConnection connection) : IStoreProbe
{
    public long EventCount()
    {
        using var command = Command("SELECT COUNT(*) FROM events");
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public long DiagnosisBacklog()
    {
        using var command = Command("SELECT COUNT(*) FROM diagnosis_queue WHERE version > done");
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public long UsageBacklog(long nowMs)
    {
        using var command = Command(
            "SELECT (SELECT COUNT(*) FROM usage_marks) + (SELECT COUNT(*) FROM usage_state WHERE hours_until < @hour OR days_until < @day)");
        Add(command, "hour", nowMs - (nowMs % 3_600_000));
        Add(command, "day", nowMs - (nowMs % 86_400_000));
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public IReadOnlyList<(string Id, long Deadline)> Waiting()
    {
        using var command = Command("SELECT id, deadline FROM sessions WHERE end_time IS NULL AND deadline IS NOT NULL");
        using var reader = command.ExecuteReader();
        var waiting = new List<(string, long)>();
        while (reader.Read())
        {
            waiting.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        return waiting;
    }

    public HashSet<string> Overdue(long nowMs)
    {
        using var command = Command("SELECT id FROM sessions WHERE end_time IS NULL AND deadline <= @now");
        Add(command, "now", nowMs);
        return [.. Strings(command)];
    }

    public long RowsBefore(long ms)
    {
        using var command = Command(
            "SELECT (SELECT COUNT(*) FROM events WHERE ts < @ms) + (SELECT COUNT(*) FROM sessions WHERE start_time < @ms) + (SELECT COUNT(*) FROM participants WHERE join_time < @ms)");
        Add(command, "ms", ms);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public IReadOnlyList<string> SampleSessions(int count) => Sample("sessions", count);

    public IReadOnlyList<string> SampleParticipants(int count) => Sample("participants", count);

    public long Deliveries(string? state = null)
    {
        using var command = Command("SELECT COUNT(*) FROM webhook_deliveries" + (state is null ? "" : " WHERE state = @state"));
        if (state is not null)
        {
            Add(command, "state", state);
        }

        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public Dictionary<string, long> DeliveryTimes()
    {
        using var command = Command("SELECT id, created_at FROM webhook_deliveries");
        using var reader = command.ExecuteReader();
        var times = new Dictionary<string, long>(StringComparer.Ordinal);
        while (reader.Read())
        {
            times[reader.GetString(0)] = reader.GetInt64(1);
        }

        return times;
    }

    public void Dispose() => connection.Dispose();

    private List<string> Sample(string table, int count)
    {
        using var command = Command($"SELECT id FROM {table} ORDER BY random() LIMIT @count");
        Add(command, "count", count);
        return Strings(command);
    }

    private static List<string> Strings(DbCommand command)
    {
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private DbCommand Command(string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }
}
