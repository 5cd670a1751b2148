using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Callscope.Data.Audit;
using Callscope.Server.Api;
using Callscope.Server.Audit;
using CsvHelper;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Callscope.Server.Export;

/// <summary>
/// A list answered as CSV (RFC 4180, UTF-8 without a byte order mark, CRLF line ends): a column per scalar field of the
/// JSON item, in its order and under its JSON name, nested objects flattened (<c>issues_warnings</c>), lists left out.
/// Rows are written as they are read and the buffer goes out whenever it is mostly full, so a list of any length
/// streams in constant memory. Text that a spreadsheet would run as a formula gets a leading <c>'</c>; numbers, times
/// and booleans are written as such, so <c>-1</c> in a numeric column stays a number.
/// </summary>
/// <param name="name">The first part of the file name: <c>sessions</c> gives <c>sessions-2026-11-30.csv</c>.</param>
public sealed class CsvList<T>(string name, IEnumerable<T> items) : IResult
    where T : notnull
{
    public const string ContentType = "text/csv; charset=utf-8";

    private static readonly CsvWriterOptions Options = CsvWriterOptions.Default with
    {
        Injection = CsvInjection.Escape,
        TrueValue = "true",
        FalseValue = "false",
    };

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var rows = await WriteAsync(httpContext);

        // Recorded once the whole file went out, with the filters it was made with (a query carries no secret).
        var filters = new JsonObject();
        foreach (var (key, value) in httpContext.Request.Query.Where(q => q.Key != "format").Take(20))
        {
            filters[key.Length <= 40 ? key : key[..40]] = value.ToString() is { Length: > 200 } text ? text[..200] : value.ToString();
        }

        await httpContext.RequestServices.GetRequiredService<AuditLog>().RecordAsync(httpContext, AuditActions.ExportMade, new AuditTarget("export", name),
            new JsonObject { ["format"] = "csv", ["rows"] = rows, ["filters"] = filters }, CancellationToken.None);
    }

    /// <summary>Writes the file to the response; answers how many rows it has.</summary>
    internal async Task<int> WriteAsync(HttpContext context)
    {
        var json = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var today = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var columns = CsvColumn.Of(json, typeof(T), prefix: string.Empty);
        var response = context.Response;
        response.ContentType = ContentType;
        response.Headers.ContentDisposition = $"attachment; filename=\"{name}-{today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.csv\"";
        await using var csv = CsvWriter.Create(response.Body, Options, leaveOpen: true);
        foreach (var column in columns)
        {
            csv.WriteField(column.Name);
        }

        await csv.EndRecordAsync(context.RequestAborted);
        var rows = 0;
        foreach (var item in items)
        {
            rows++;
            foreach (var column in columns)
            {
                Write(csv, column.Get(item));
            }

            await csv.EndRecordAsync(context.RequestAborted);
        }

        await csv.FlushAsync(context.RequestAborted);
        return rows;
    }

    private static void Write(CsvWriter csv, object? value)
    {
        switch (value)
        {
            case null:
                csv.WriteField((string?)null);
                break;
            case string text:
                csv.WriteField(text);
                break;
            case bool flag:
                csv.WriteField(flag);
                break;
            case int number:
                csv.WriteField(number);
                break;
            case long number:
                csv.WriteField(number);
                break;
            case double number:
                csv.WriteField(number);
                break;
            case DateTimeOffset time:
                csv.WriteField(time.UtcDateTime, UtcTimeConverter.Format);
                break;
            default:
                throw new NotSupportedException($"A CSV column cannot hold a {value.GetType().Name}.");
        }
    }
}

/// <summary>A CSV column: its header (the JSON name, nested ones joined by <c>_</c>) and how to read its value from an item.</summary>
internal sealed record CsvColumn(string Name, Func<object, object?> Get)
{
    public static List<CsvColumn> Of(JsonSerializerOptions json, Type type, string prefix)
    {
        var columns = new List<CsvColumn>();
        foreach (var property in json.GetTypeInfo(type).Properties)
        {
            if (property.Get is not { } get)
            {
                continue;
            }

            switch (json.GetTypeInfo(property.PropertyType).Kind)
            {
                case JsonTypeInfoKind.None:
                    columns.Add(new CsvColumn(prefix + property.Name, get));
                    break;
                case JsonTypeInfoKind.Object:
                    columns.AddRange(Of(json, property.PropertyType, $"{prefix}{property.Name}_")
                        .Select(inner => new CsvColumn(inner.Name, item => get(item) is { } nested ? inner.Get(nested) : null)));
                    break;
                case JsonTypeInfoKind.Enumerable:
                case JsonTypeInfoKind.Dictionary:
                    // A list has no single cell; the JSON list and each item's record carry it.
                    break;
                default:
                    throw new NotSupportedException($"A CSV column cannot hold {property.Name}.");
            }
        }

        return columns;
    }
}
