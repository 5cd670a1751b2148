using System.Globalization;
using System.Text.Json.Nodes;
using Callscope.Core.Ingest;
using Microsoft.OpenApi;

namespace Callscope.Server.Ingestion;

/// <summary>
/// Describes the ingest batch in the OpenAPI document. The handler reads the body itself (<see cref="NativeEventReader"/>),
/// so the document is given its shape here, and the members of a <c>quality_sample</c>'s data as the
/// <c>QualitySampleData</c> schema, whose ranges and values are read from <see cref="EventRules"/>: the document cannot
/// promise other limits than those ingest applies.
/// </summary>
public static class IngestDocs
{
    public const string QualitySampleData = "QualitySampleData";

    /// <summary>What each member means, with its unit: the ranges and values come from the rules.</summary>
    private static readonly Dictionary<string, string> Meanings = new(StringComparer.Ordinal)
    {
        ["rtt_ms"] = "Round-trip time of the connection in use, in milliseconds. Read by high_rtt and low_mos.",
        ["jitter_ms"] = "Jitter of received media, in milliseconds. Read by high_jitter and low_mos.",
        ["packet_loss_pct"] = "Packets lost, in percent. Read by high_packet_loss and low_mos.",
        ["mos"] = "The client's own mean opinion score; when present it is used instead of Callscope's estimate. Read by low_mos.",
        ["bitrate_up_kbps"] = "Everything sent, in kbit/s. Read by silent_media when the audio bitrates are absent.",
        ["bitrate_down_kbps"] = "Everything received, in kbit/s. Read by silent_media when the audio bitrates are absent.",
        ["audio_bitrate_up_kbps"] = "Audio sent, in kbit/s. Read by silent_media.",
        ["audio_bitrate_down_kbps"] = "Audio received, in kbit/s. Read by silent_media.",
        ["fps"] = "Frame rate of sent video, in frames per second. Shown on the chart.",
        ["width"] = "Width of sent video, in pixels.",
        ["height"] = "Height of sent video, in pixels.",
        ["score"] = "The media server's quality score. Shown on the chart.",
        ["quality_limitation"] = "Why sent video is limited (WebRTC's qualityLimitationReason). Read by limited_quality.",
        ["candidate_type"] = "Local ICE candidate type of the candidate pair in use. Read by relayed.",
        ["network_type"] = "The client's network (the Network Information API's type, or vpn).",
        ["connection_state"] = "The peer connection's or the ICE connection's state. Read by media_failed.",
    };

    /// <summary>Gives the ingest operation its body's shape, with <c>QualitySampleData</c> as the data of quality samples.</summary>
    public static RouteHandlerBuilder WithIngestBatchSchema(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer((operation, context, _) =>
        {
            var document = context.Document!;
            document.AddComponent(QualitySampleData, QualitySampleSchema());
            if (operation.RequestBody?.Content?.TryGetValue("application/json", out var json) == true)
            {
                json.Schema = BatchSchema(new OpenApiSchemaReference(QualitySampleData, document));
            }

            return Task.CompletedTask;
        });

    /// <summary>Every member the rules know for quality samples: all optional, other members kept as sent.</summary>
    public static OpenApiSchema QualitySampleSchema()
    {
        var properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        foreach (var field in EventRules.NumericFields.Where(f => f.EventType == "quality_sample"))
        {
            properties[field.Name] = new OpenApiSchema
            {
                Type = field.Whole ? JsonSchemaType.Integer : JsonSchemaType.Number,
                Minimum = Show(field.Min),
                Maximum = Show(field.Max),
                Description = Meanings[field.Name],
            };
        }

        foreach (var field in EventRules.ChoiceFields.Where(f => f.EventType == "quality_sample"))
        {
            properties[field.Name] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Enum = [.. field.Values.Select(v => (JsonNode)JsonValue.Create(v))],
                Description = Meanings[field.Name],
            };
        }

        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "The data of a quality_sample event. Every member is optional (null is the same as leaving it out); "
                + "a value out of its range or not one of its values refuses the whole batch, with the event's index and the "
                + "field named. Other members are kept as sent.",
            Properties = properties,
            AdditionalPropertiesAllowed = true,
        };
    }

    private static OpenApiSchema BatchSchema(IOpenApiSchema qualitySampleData)
    {
        static OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, Description = description };

        var sampleEvent = new OpenApiSchema
        {
            Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
            {
                ["type"] = new OpenApiSchema { Const = "quality_sample" },
            },
            Required = new HashSet<string>(StringComparer.Ordinal) { "type" },
        };
        var item = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string>(StringComparer.Ordinal) { "id", "type", "timestamp", "room" },
            Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
            {
                ["id"] = Text("The event's id: a repeated id counts as a duplicate."),
                ["type"] = Text("One of the event types (GET /api/v1/event-types), or a type of your own."),
                ["timestamp"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time", Description = "RFC 3339 with an offset." },
                ["room"] = new OpenApiSchema { Type = JsonSchemaType.Object, Description = "The room: its id, or its friendly_url (created on first use) with external_id and description." },
                ["participant"] = new OpenApiSchema { Type = JsonSchemaType.Object, Description = "external_id, name, role, connection_id." },
                ["data"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = $"The event's data, at most {EventRules.MaxDataLength} characters of JSON. For quality_sample events: {QualitySampleData}.",
                },
            },
            If = sampleEvent,
            Then = new OpenApiSchema { Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal) { ["data"] = qualitySampleData } },
        };
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string>(StringComparer.Ordinal) { "events" },
            Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
            {
                ["events"] = new OpenApiSchema { Type = JsonSchemaType.Array, MinItems = 1, MaxItems = NativeEventReader.MaxEvents, Items = item },
            },
        };
    }

    private static string Show(double value) => value.ToString(CultureInfo.InvariantCulture);
}
