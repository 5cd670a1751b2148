using System.Net;
using System.Net.Sockets;
using Callscope.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Callscope.Server.Outbound;

/// <summary>A connection refused because the address it would reach is not one outbound requests may reach.</summary>
public sealed class OutboundAddressRefusedException(string host)
    : IOException($"'{host}' resolves to no address outbound requests may reach.");

/// <summary>
/// The HTTP handler of every request Callscope makes to another server (LiveKit's RoomService today, outgoing
/// webhooks tomorrow): the host is resolved here and the connection is made to an address that
/// <see cref="NetworkAddresses.IsAllowed"/>, the very address checked, so that DNS rebinding cannot slip a private
/// address in between a check and the connection. No proxy (it would connect on our behalf, unchecked), no
/// redirects, small response headers.
/// </summary>
public static class OutboundHandler
{
    /// <summary>Answers are read up to this many bytes; the rest is never read.</summary>
    public const int MaxAnswerBytes = 4 * 1024;

    public static SocketsHttpHandler Create(bool allowPrivateNetworks, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
    {
        resolve ??= Dns.GetHostAddressesAsync;
        return new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            MaxResponseHeadersLength = 16,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, allowPrivateNetworks, resolve, cancellationToken),
        };
    }

    /// <summary>Reads at most <paramref name="maxBytes"/> of an answer's body; whatever follows is left unread.</summary>
    public static async Task<byte[]> ReadPrefixAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[maxBytes];
        var total = 0;
        int read;
        while (total < maxBytes && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
        }

        return buffer[..total];
    }

    /// <summary>Whether a failed request failed because its address was refused (retrying cannot help).</summary>
    public static bool IsRefusal(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is OutboundAddressRefusedException)
            {
                return true;
            }
        }

        return false;
    }

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, bool allowPrivateNetworks,
        Func<string, CancellationToken, Task<IPAddress[]>> resolve, CancellationToken cancellationToken)
    {
        var host = endPoint.Host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await resolve(host, cancellationToken);
        var allowed = addresses.Where(a => NetworkAddresses.IsAllowed(a, allowPrivateNetworks)).ToList();
        if (allowed.Count == 0)
        {
            throw new OutboundAddressRefusedException(endPoint.Host);
        }

        SocketException? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException error)
            {
                socket.Dispose();
                last = error;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last!;
    }
}

/// <summary>Registers HTTP clients that go through <see cref="OutboundHandler"/>, with the operator's setting.</summary>
public static class OutboundHosting
{
    public static IHttpClientBuilder AddOutboundHttpClient(this IServiceCollection services, string name) =>
        services.AddHttpClient(name)
            .ConfigurePrimaryHttpMessageHandler(sp =>
                OutboundHandler.Create(sp.GetRequiredService<IOptions<CallscopeOptions>>().Value.Outbound.AllowPrivateNetworks))
            .ConfigureHttpClient(client => client.MaxResponseContentBufferSize = 64 * 1024);
}
