using Microsoft.AspNetCore.Mvc.Filters;

namespace Callscope.Server.Dashboard;

/// <summary>
/// Dashboard pages load scripts, styles and images from this origin only, never run inline script, and cannot be
/// framed by another site.
/// </summary>
internal sealed class SecurityHeaders : IResultFilter
{
    public void OnResultExecuting(ResultExecutingContext context)
    {
        var headers = context.HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
    }

    public void OnResultExecuted(ResultExecutedContext context)
    {
    }
}
