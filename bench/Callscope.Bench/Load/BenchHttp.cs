using System.Net.Http.Headers;

namespace Callscope.Bench.Load;

public static class BenchHttp
{
    /// <summary>A client with its own single keep-alive connection, authenticated as the bench team.</summary>
    public static HttpClient Client(Uri baseAddress) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 1,
        UseCookies = false,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(30),
    })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromMinutes(5),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", BenchTeam.DeveloperKey) },
    };
}
