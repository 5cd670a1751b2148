using Microsoft.OpenApi;

namespace Callscope.Server.Api;

/// <summary>Documents query parameters that handlers read strictly themselves, so the OpenAPI document is complete.</summary>
public static class QueryDocs
{
    public static readonly (string Name, string Description)[] Paging =
    [
        ("limit", "Items per page, 1–100 (default 100)."),
        ("offset", "Items to skip."),
        ("order", "asc or desc by start/creation time (default desc)."),
        ("after", "Id of the last item of the previous page (keyset cursor)."),
    ];

    private static readonly (string, string)[] Format =
    [
        ("format", "csv: the whole filtered range as a CSV file (also with Accept: text/csv), without limit, offset or after; json (default)."),
    ];

    private static readonly (string, string)[] Dates =
    [
        ("date_start", "YYYY-MM-DD or RFC 3339: from this time."),
        ("date_end", "YYYY-MM-DD (whole day) or RFC 3339: until this time."),
    ];

    public static readonly (string Name, string Description)[] SessionFilters =
    [
        ("live", "true: live sessions (active or ending soon); false: ended ones."),
        ("room_id", "Only this room's sessions."),
        .. Dates,
        ("q", "Matches a session id (or its first characters), a room id, or part of a room's friendly_url or description."),
        ("has_issues", "true: sessions where the diagnosis found an issue for some participant; false: sessions without any."),
        .. Paging,
        .. Format,
    ];

    public static readonly (string Name, string Description)[] ParticipantFilters =
    [
        ("live", "true: participants connected now."),
        ("room_id", "Only this room's participants."),
        ("session_id", "Only this session's participants."),
        ("has_issues", "true: participants the diagnosis found an issue for; false: participants without any."),
        .. Dates,
        .. Paging,
        .. Format,
    ];

    public static readonly (string Name, string Description)[] EventFilters =
    [
        ("type", "Comma-separated event types."),
        .. Paging,
    ];

    public static readonly (string Name, string Description)[] RoomEventFilters =
    [
        ("type", "Comma-separated event types."),
        .. Dates,
        .. Paging,
    ];

    public static RouteHandlerBuilder WithQueryParameters(this RouteHandlerBuilder builder, (string Name, string Description)[] parameters) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            foreach (var (name, description) in parameters)
            {
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = name, In = ParameterLocation.Query, Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
            }

            // A list that takes `format` also answers its 200 as CSV (see Export/CsvList).
            if (parameters.Any(p => p.Name == "format") && operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse response)
            {
                response.Content ??= new Dictionary<string, OpenApiMediaType>();
                response.Content["text/csv"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
            }

            return Task.CompletedTask;
        });
}
