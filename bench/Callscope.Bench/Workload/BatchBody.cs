using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Callscope.Bench.Workload;

/// <summary>A request body for <c>POST /api/v1/ingest/events</c> and the number of events in it.</summary>
/// <param name="Token">The bearer token of this request (a participant's client token), or null for the client's developer key.</param>
public sealed record BatchBody(byte[] Json, int Events, string? Token = null)
{
    public static BatchBody From(IReadOnlyList<SimEvent> events)
    {
        var buffer = new ArrayBufferWriter<byte>(events.Count * 320);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("events");
            Span<char> time = stackalloc char[32];
            foreach (var e in events)
            {
                json.WriteStartObject();
                json.WriteString("id", e.Id);
                json.WriteString("type", e.Type);
                DateTimeOffset.FromUnixTimeMilliseconds(e.TimeMs).UtcDateTime
                    .TryFormat(time, out var length, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
                json.WriteString("timestamp", time[..length]);
                json.WriteStartObject("room");
                json.WriteString("friendly_url", e.Room);
                json.WriteEndObject();
                if (e.ExternalId is not null || e.ConnectionId is not null)
                {
                    json.WriteStartObject("participant");
                    WriteOptional(json, "external_id", e.ExternalId);
                    WriteOptional(json, "name", e.Name);
                    WriteOptional(json, "role", e.Role);
                    WriteOptional(json, "connection_id", e.ConnectionId);
                    json.WriteEndObject();
                }

                if (e.Data is not null)
                {
                    json.WritePropertyName("data");
                    json.WriteRawValue(e.Data, skipInputValidation: true);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return new BatchBody(buffer.WrittenSpan.ToArray(), events.Count);
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
