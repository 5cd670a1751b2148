using Microsoft.AspNetCore.StaticFiles;

namespace Callscope.Server.Browser;

/// <summary>
/// The browser SDK's builds, served from <c>wwwroot/sdk</c> with the dashboard's static files: <c>/sdk/callscope.js</c>
/// (a script tag; global <c>Callscope</c>) and <c>/sdk/callscope.mjs</c> (an ES module). Any site may load them: a
/// module from another origin needs a CORS grant, and the files hold nothing private.
/// </summary>
public static class SdkFiles
{
    public const string Folder = "/sdk";

    public static StaticFileOptions StaticFileOptions()
    {
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".mjs"] = "text/javascript; charset=utf-8";
        types.Mappings[".js"] = "text/javascript; charset=utf-8";
        return new StaticFileOptions
        {
            ContentTypeProvider = types,
            OnPrepareResponse = file =>
            {
                if (file.Context.Request.Path.StartsWithSegments(Folder, StringComparison.Ordinal))
                {
                    var headers = file.Context.Response.Headers;
                    headers.AccessControlAllowOrigin = "*";
                    headers.CacheControl = "public, max-age=300";
                    headers.XContentTypeOptions = "nosniff";
                    headers["Cross-Origin-Resource-Policy"] = "cross-origin";
                }
            },
        };
    }
}
