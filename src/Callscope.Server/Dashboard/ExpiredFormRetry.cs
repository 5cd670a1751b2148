using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Core.Infrastructure;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace Callscope.Server.Dashboard;

/// <summary>
/// A form whose anti-forgery token no longer matches (the page sat open across a sign-out or a restart) changes
/// nothing; instead of a bare 400 the member gets the page again, with a note, and can simply retry.
/// </summary>
internal sealed class ExpiredFormRetry : IAlwaysRunResultFilter
{
    public void OnResultExecuting(ResultExecutingContext context)
    {
        if (context.Result is not IAntiforgeryValidationFailedResult)
        {
            return;
        }

        var http = context.HttpContext;
        var tempData = http.RequestServices.GetRequiredService<ITempDataDictionaryFactory>().GetTempData(http);
        tempData[DashboardPage.FlashKey] = "The form had expired, so nothing was changed. Please try again.";
        context.Result = new LocalRedirectResult(http.Request.Path + http.Request.QueryString);
    }

    public void OnResultExecuted(ResultExecutedContext context)
    {
    }
}
