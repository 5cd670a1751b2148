using Callscope.Server.Api;
using Microsoft.AspNetCore.Mvc;

namespace Callscope.Server.Auth;

/// <summary>A page's answer to too many password tries: the same 429 problem with Retry-After as the API's.</summary>
public sealed class TooManyRequestsResult(TimeSpan retryAfter, string message) : IActionResult
{
    public Task ExecuteResultAsync(ActionContext context) => Problems.TooManyRequestsAsync(context.HttpContext, retryAfter, message);
}
