using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Callscope.Server.Api;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Callscope.Server.Statistics;

/// <summary>
/// Digital Samba's <c>metrics=a,b</c> on a statistics answer: the answer keeps exactly the named fields, in its own
/// order. A name is any top-level field of the answer as JSON names it; a name the answer does not have, or a
/// <c>metrics</c> that names nothing (<c>metrics=</c>), is a 400 problem, never a silently smaller or fuller answer.
/// </summary>
public static class Metrics
{
    public const string Parameter = "metrics";

    /// <summary>The named fields, or null when <c>metrics</c> is absent (every field); a bad value is added to the query's errors.</summary>
    public static IReadOnlySet<string>? Read<T>(HttpContext context, QueryReader query)
    {
        if (query.Text(Parameter, 2000) is not { } text)
        {
            return null;
        }

        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0)
        {
            query.Errors.Add(new FieldError(Parameter,
                "'metrics' must name at least one field, such as metrics=participation_minutes; leave it out for every field."));
            return null;
        }

        var known = Names<T>(Json(context));
        var unknown = names.Where(n => !known.Contains(n)).Distinct(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            query.Errors.Add(new FieldError(Parameter,
                $"'metrics' names {(unknown.Count == 1 ? "a field" : "fields")} this answer does not have: {string.Join(", ", unknown)}. " +
                $"Its fields are {string.Join(", ", known)}."));
            return null;
        }

        return names.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// A detail answer (a session's or a participant's) limited by the request's <c>metrics</c>: the detail's own
    /// problem (404) first, then the metrics' (400).
    /// </summary>
    public static Results<MetricsResult<T>, ProblemHttpResult> Select<T>(HttpContext context, Results<Ok<T>, ProblemHttpResult> answer)
        where T : notnull
    {
        if (answer.Result is not Ok<T> { Value: { } value })
        {
            return (ProblemHttpResult)answer.Result;
        }

        var query = new QueryReader(context.Request.Query);
        var metrics = Read<T>(context, query);
        return query.Valid ? new MetricsResult<T>(value, metrics) : Problems.Validation(query.Errors);
    }

    /// <summary>The JSON names of the answer's top-level fields, in its order.</summary>
    internal static IReadOnlyList<string> Names<T>(JsonSerializerOptions json) =>
        [.. json.GetTypeInfo(typeof(T)).Properties.Where(p => p.Get is not null).Select(p => p.Name)];

    internal static JsonSerializerOptions Json(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
}

/// <summary>A 200 answer of <typeparamref name="T"/> as JSON, keeping only the named fields when <c>metrics</c> names some.</summary>
public sealed class MetricsResult<T>(T value, IReadOnlySet<string>? metrics) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult
    where T : notnull
{
    public int? StatusCode => StatusCodes.Status200OK;

    public object? Value => value;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var json = Metrics.Json(httpContext);
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        if (metrics is null)
        {
            return httpContext.Response.WriteAsJsonAsync(value, json);
        }

        var kept = new JsonObject();
        foreach (var (name, field) in JsonSerializer.SerializeToNode(value, json)!.AsObject())
        {
            if (metrics.Contains(name))
            {
                kept[name] = field?.DeepClone();
            }
        }

        return httpContext.Response.WriteAsJsonAsync(kept, json);
    }

    /// <summary>The OpenAPI document shows the whole answer: every field may be asked for.</summary>
    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
}
