namespace Callscope.Server.Outbound;

/// <summary>Requests Callscope itself makes to other servers (<c>Callscope__Outbound__...</c>).</summary>
public sealed class OutboundOptions
{
    /// <summary>
    /// Lets outbound requests reach loopback and private addresses (RFC 1918, CGNAT 100.64.0.0/10, IPv6 unique local):
    /// for a LiveKit server on the same host or private network (<c>Callscope__Outbound__AllowPrivateNetworks</c>).
    /// Off by default. Link-local (cloud metadata), multicast, unspecified and reserved addresses stay refused.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }
}
