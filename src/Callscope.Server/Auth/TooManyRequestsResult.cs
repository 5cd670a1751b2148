using Callscope.Server.Api;
using Microsoft.AspNetCore.Mvc;

namespace Callscope.Server.Auth;

/// <summary>The answer to too many password tries or too many browser requests: a 429 problem with Retry-After, for pages and endpoints.</summary>
public sealed class TooManyRequestsResult(TimeSpan retryAfter, string message) : IActionResult, IResult
{
    public Task ExecuteResultAsync(ActionContext context) => Problems.TooManyRequestsAsync(context.HttpContext, retryAfter, message);

    public Task ExecuteAsync(HttpContext httpContext) => Problems.TooManyRequestsAsync(httpContext, retryAfter, message);
}
