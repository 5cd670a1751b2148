using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace Callscope.Server.Dashboard.Pages.Webhooks;

/// <summary>
/// Carries a signing secret just made (at creation or rotation) across the redirect to the webhook's page, which shows
/// it once. The post answers with a redirect so that reloading the page neither shows the secret again nor creates or
/// rotates again; on the way the secret rides in the temp-data cookie, which the server's key ring encrypts and the
/// next page view deletes.
/// </summary>
public static class NewSigningSecret
{
    private const string Key = "webhook-secret";

    public static void Keep(ITempDataDictionary tempData, string webhookId, string secret) => tempData[Key] = $"{webhookId} {secret}";

    /// <summary>The secret made for this webhook, taken so that no later view has it; null when there is none.</summary>
    public static string? Take(ITempDataDictionary tempData, string webhookId)
    {
        if (tempData.Peek(Key) is not string kept || kept.Split(' ', 2) is not [var id, var secret] || id != webhookId)
        {
            return null;
        }

        tempData.Remove(Key);
        return secret;
    }
}
