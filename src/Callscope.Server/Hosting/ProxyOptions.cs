using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Callscope.Server.Hosting;

/// <summary>
/// The reverse proxies Callscope runs behind (<c>Callscope__Proxy__KnownProxies__0=127.0.0.1</c>,
/// <c>Callscope__Proxy__KnownNetworks__0=10.0.0.0/8</c>). From those addresses only, <c>X-Forwarded-For</c>,
/// <c>X-Forwarded-Proto</c> and <c>X-Forwarded-Host</c> name the client, the scheme and the host: the sign-in limit
/// counts the client's address, not the proxy's, and links and secure cookies follow the browser's HTTPS. With none
/// set, the headers are ignored: anyone could send them.
/// </summary>
public sealed class ProxyOptions
{
    public const string Section = "Callscope:Proxy";

    /// <summary>Addresses of the proxies, such as <c>127.0.0.1</c> for one on the same machine.</summary>
    public IList<string> KnownProxies { get; } = [];

    /// <summary>Networks the proxies are in, in CIDR form (<c>10.0.0.0/8</c>).</summary>
    public IList<string> KnownNetworks { get; } = [];

    /// <summary>How many proxies in a row to trust, from the nearest (<c>Callscope__Proxy__ForwardLimit</c>).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 10)]
    public int ForwardLimit { get; set; } = 1;

    public bool Enabled => KnownProxies.Count > 0 || KnownNetworks.Count > 0;
}

/// <summary>An address or network that does not parse stops the start, naming the setting.</summary>
public sealed class ProxyOptionsValidator : IValidateOptions<ProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, ProxyOptions options)
    {
        var failures = options.KnownProxies.Where(p => !IPAddress.TryParse(p, out _))
            .Select(p => $"Callscope:Proxy:KnownProxies: '{p}' is not an IP address.")
            .Concat(options.KnownNetworks.Where(n => !System.Net.IPNetwork.TryParse(n, out _))
                .Select(n => $"Callscope:Proxy:KnownNetworks: '{n}' is not a network in CIDR form (such as 10.0.0.0/8)."))
            .ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

public static class ProxyHosting
{
    public static IServiceCollection AddProxySupport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProxyOptions>().Bind(configuration.GetSection(ProxyOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProxyOptions>, ProxyOptionsValidator>();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((forwarded, proxy) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            forwarded.ForwardLimit = proxy.Value.ForwardLimit;
            // Only the proxies named in the settings; ASP.NET Core's default would trust any process on loopback.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var address in proxy.Value.KnownProxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(address));
            }

            foreach (var network in proxy.Value.KnownNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        return services;
    }

    /// <summary>First in the pipeline, so that everything after it sees the client's address and scheme.</summary>
    public static WebApplication UseProxySupport(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<ProxyOptions>>().Value.Enabled)
        {
            app.UseForwardedHeaders();
        }

        return app;
    }
}
