using System.Text.Json;
using Callscope.Server.Api;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Callscope.Server.Privacy;

/// <summary>
/// The optional body of a delete that may erase history: a JSON object whose only members are the given booleans
/// (each may also be null, meaning not given). No body at all is the caller's default. Anything else is a 400 problem.
/// </summary>
public static class HistoryOptions
{
    private const int MaxBody = 4 * 1024;

    /// <summary>Whether the caller asked to delete the history: one of <paramref name="names"/> true, or <paramref name="otherwise"/> when none is given.</summary>
    public static async Task<(bool DeleteHistory, ProblemHttpResult? Problem)> ReadAsync(
        HttpRequest request, bool otherwise, IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        if (request.ContentLength == 0)
        {
            return (otherwise, null);
        }

        if (request.ContentType is null)
        {
            // A body without a type is refused as the JSON reader refuses it; an empty one is no body.
            var probe = new byte[1];
            if (await request.Body.ReadAsync(probe, cancellationToken) == 0)
            {
                return (otherwise, null);
            }
        }

        var (read, problem) = await BodyReader.ReadObjectAsync(request, MaxBody, cancellationToken);
        if (read is not { } fields)
        {
            return (false, problem);
        }

        using var owner = fields;
        var errors = new List<FieldError>();
        bool? asked = null;
        foreach (var member in fields.Root.EnumerateObject())
        {
            if (!names.Contains(member.Name, StringComparer.Ordinal))
            {
                errors.Add(new FieldError(member.Name, $"'{member.Name}' is not a member of this request; it takes {string.Join(" or ", names.Select(n => $"'{n}'"))}."));
                continue;
            }

            if (member.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
            {
                errors.Add(new FieldError(member.Name, $"'{member.Name}' must be true, false or null."));
                continue;
            }

            if (member.Value.ValueKind != JsonValueKind.Null)
            {
                var v = member.Value.ValueKind == JsonValueKind.True;
                if (asked is { } earlier && earlier != v)
                {
                    errors.Add(new FieldError(member.Name, $"'{member.Name}' says otherwise than {string.Join(" and ", names.Select(n => $"'{n}'"))} before it; they mean the same."));
                }

                asked = v;
            }
        }

        return errors.Count > 0 ? (false, Problems.Validation(errors)) : (asked ?? otherwise, null);
    }
}
