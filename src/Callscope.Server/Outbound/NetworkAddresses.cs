using System.Net;
using System.Net.Sockets;

namespace Callscope.Server.Outbound;

/// <summary>What an IP address reaches, as far as the safety of a request to it goes.</summary>
public enum AddressKind
{
    Public,
    Loopback,

    /// <summary>RFC 1918, CGNAT shared space (100.64.0.0/10), IPv6 unique local and site-local.</summary>
    Private,

    /// <summary>169.254.0.0/16 and fe80::/10, where cloud metadata services answer.</summary>
    LinkLocal,
    Multicast,
    Unspecified,

    /// <summary>Documentation, benchmarking, protocol and future-use ranges, broadcast, tunnels: nothing to call.</summary>
    Reserved,
}

/// <summary>
/// Classifies addresses for outbound requests (IANA's IPv4 and IPv6 special-purpose registries). IPv6 forms that
/// carry an IPv4 address (mapped <c>::ffff:a.b.c.d</c>, NAT64 <c>64:ff9b::/96</c>, 6to4 <c>2002::/16</c>) are judged
/// by the IPv4 address they carry; the deprecated IPv4-compatible form <c>::a.b.c.d</c> and Teredo are refused.
/// </summary>
public static class NetworkAddresses
{
    public static AddressKind Classify(IPAddress address) => address.AddressFamily switch
    {
        AddressFamily.InterNetwork => ClassifyV4(address.GetAddressBytes()),
        AddressFamily.InterNetworkV6 => ClassifyV6(address.GetAddressBytes()),
        _ => AddressKind.Reserved,
    };

    /// <summary>Whether a request may go to <paramref name="address"/>: public ones always, loopback and private when allowed.</summary>
    public static bool IsAllowed(IPAddress address, bool allowPrivateNetworks) => IsAllowed(Classify(address), allowPrivateNetworks);

    public static bool IsAllowed(AddressKind kind, bool allowPrivateNetworks) => kind switch
    {
        AddressKind.Public => true,
        AddressKind.Loopback or AddressKind.Private => allowPrivateNetworks,
        _ => false,
    };

    private static AddressKind ClassifyV4(ReadOnlySpan<byte> a) => (a[0], a[1], a[2]) switch
    {
        (0, 0, 0) when a[3] == 0 => AddressKind.Unspecified,
        (0, _, _) => AddressKind.Reserved,
        (10, _, _) => AddressKind.Private,
        (100, >= 64 and <= 127, _) => AddressKind.Private,
        (127, _, _) => AddressKind.Loopback,
        (169, 254, _) => AddressKind.LinkLocal,
        (172, >= 16 and <= 31, _) => AddressKind.Private,
        (192, 0, 0) or (192, 0, 2) or (192, 88, 99) => AddressKind.Reserved,
        (192, 168, _) => AddressKind.Private,
        (198, 18 or 19, _) or (198, 51, 100) or (203, 0, 113) => AddressKind.Reserved,
        ( >= 224 and <= 239, _, _) => AddressKind.Multicast,
        ( >= 240, _, _) => AddressKind.Reserved,
        _ => AddressKind.Public,
    };

    private static AddressKind ClassifyV6(byte[] a)
    {
        var address = new IPAddress(a);
        if (address.IsIPv4MappedToIPv6)
        {
            return ClassifyV4(a.AsSpan(12));
        }

        if (a.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0)
        {
            // ::, ::1, and the deprecated IPv4-compatible ::a.b.c.d, which no host should be reached by.
            return a[12..15].All(b => b == 0) && a[15] <= 1
                ? a[15] == 0 ? AddressKind.Unspecified : AddressKind.Loopback
                : AddressKind.Reserved;
        }

        if (a[0] == 0xff)
        {
            return AddressKind.Multicast;
        }

        if ((a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0))
        {
            // Unique local fc00::/7 and the deprecated site-local fec0::/10.
            return AddressKind.Private;
        }

        if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
        {
            return AddressKind.LinkLocal;
        }

        if (a is [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, ..])
        {
            // NAT64: the IPv4 address it translates to decides.
            return ClassifyV4(a.AsSpan(12));
        }

        if (a is [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01, ..])
        {
            // Local-use NAT64 (RFC 8215) translates into private networks.
            return AddressKind.Private;
        }

        if (a is [0x20, 0x02, ..])
        {
            return ClassifyV4(a.AsSpan(2, 4));
        }

        // Global unicast is 2000::/3, less the IETF protocol block 2001::/23 (Teredo among it), documentation
        // (2001:db8::/32, 3fff::/20); everything outside it is reserved or special.
        var global = (a[0] & 0xe0) == 0x20;
        var protocol = a[0] == 0x20 && a[1] == 0x01 && a[2] < 0x02;
        var documentation = (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8) || (a[0] == 0x3f && a[1] == 0xff && a[2] < 0x10);
        return global && !protocol && !documentation ? AddressKind.Public : AddressKind.Reserved;
    }
}
