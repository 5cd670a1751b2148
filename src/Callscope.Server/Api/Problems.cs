using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Callscope.Server.Api;

/// <summary>
/// Every error is an RFC 9457 problem that also carries Digital Samba's <c>message</c> and <c>error</c> members.
/// </summary>
public static class Problems
{
    public static ProblemHttpResult Create(int status, string error, string message, IDictionary<string, object?>? extra = null)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Title = TitleFor(status),
            Detail = message,
            Type = $"https://callscope.dev/problems/{error}",
        };
        problem.Extensions["message"] = message;
        problem.Extensions["error"] = error;
        foreach (var (key, value) in extra ?? new Dictionary<string, object?>())
        {
            problem.Extensions[key] = value;
        }

        return TypedResults.Problem(problem);
    }

    public static ProblemHttpResult NotFound(string what) => Create(StatusCodes.Status404NotFound, "not-found", $"{what} was not found.");

    public static ProblemHttpResult Validation(IReadOnlyList<FieldError> errors) => Create(
        StatusCodes.Status400BadRequest, "validation-failed",
        errors.Count == 1 ? errors[0].Message : $"The request has {errors.Count} invalid fields.",
        new Dictionary<string, object?> { ["errors"] = errors });

    public static ProblemHttpResult Validation(string field, string message) => Validation([new FieldError(field, message)]);

    public static ProblemHttpResult Forbidden(string message) => Create(StatusCodes.Status403Forbidden, "forbidden", message);

    public static ProblemHttpResult Unauthorized() => Create(StatusCodes.Status401Unauthorized, "unauthorized",
        "A valid developer key is required: 'Authorization: Bearer <key>' or Basic with the team id and the key.");

    /// <summary>
    /// Answers 429 with <c>Retry-After</c> (whole seconds, at least one) and a <c>too-many-requests</c> problem. It
    /// writes the response itself, because a problem result cannot carry a header.
    /// </summary>
    public static Task TooManyRequestsAsync(HttpContext context, TimeSpan? retryAfter, string message)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling((retryAfter ?? TimeSpan.FromMinutes(1)).TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Create(StatusCodes.Status429TooManyRequests, "too-many-requests", message,
            new Dictionary<string, object?> { ["retry_after"] = seconds }).ExecuteAsync(context);
    }

    private static string TitleFor(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        _ => "Error",
    };
}

/// <summary>One invalid input: where it is and what is wrong. <c>index</c> is set for events of a batch.</summary>
public sealed record FieldError(string Field, string Message, int? Index = null);
