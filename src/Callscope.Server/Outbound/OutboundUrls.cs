using System.Net;

namespace Callscope.Server.Outbound;

/// <summary>
/// The check a URL Callscope will later call gets when it is saved: it must name its host plainly (no user info, no
/// numeric host in disguise such as <c>http://2130706433/</c>), and a literal address or <c>localhost</c> must be one
/// outbound requests may reach. Host names are checked again, address by address, when Callscope connects
/// (<see cref="OutboundHandler"/>), so a name that later resolves elsewhere gets no further.
/// </summary>
public static class OutboundUrls
{
    public static string? Problem(string field, Uri uri, bool allowPrivateNetworks)
    {
        if (uri.UserInfo.Length > 0)
        {
            return $"'{field}' cannot carry a user name or password.";
        }

        var host = uri.IdnHost.TrimEnd('.');
        if (uri.HostNameType == UriHostNameType.IPv4 && !WrittenHost(uri).Equals(uri.Host, StringComparison.Ordinal))
        {
            // The URL parser reads 2130706433, 0x7f.1 and 127.1 as 127.0.0.1; a URL meant for a server writes it plainly.
            return NumericHost(field);
        }

        AddressKind kind;
        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            kind = NetworkAddresses.Classify(address);
        }
        else if (uri.HostNameType != UriHostNameType.Dns || host.Length == 0)
        {
            return $"'{field}' must name its host by a DNS name or an IP address.";
        }
        else if (host.Split('.')[^1] is var last && (last.All(char.IsAsciiDigit) || last.StartsWith("0x", StringComparison.OrdinalIgnoreCase)))
        {
            // No top-level domain is numeric: this is an address written as a number (2130706433, 0x7f.1), which
            // resolvers read as an IPv4 address.
            return NumericHost(field);
        }
        else if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            kind = AddressKind.Loopback;
        }
        else
        {
            return null;
        }

        return NetworkAddresses.IsAllowed(kind, allowPrivateNetworks) ? null : kind switch
        {
            AddressKind.Loopback or AddressKind.Private =>
                $"'{field}' points at a {Name(kind)} address; Callscope calls only public addresses unless the operator sets Callscope__Outbound__AllowPrivateNetworks=true.",
            _ => $"'{field}' points at a {Name(kind)} address, which Callscope never calls.",
        };
    }

    private static string NumericHost(string field) => $"'{field}' must write an IPv4 address as four decimal numbers (a.b.c.d).";

    /// <summary>The host as the URL's text writes it, between <c>://</c> and the port, path or end.</summary>
    private static string WrittenHost(Uri uri)
    {
        var text = uri.OriginalString;
        var start = text.IndexOf("://", StringComparison.Ordinal) + 3;
        var end = text.IndexOfAny([':', '/', '?', '#'], start);
        return text[start..(end < 0 ? text.Length : end)];
    }

    private static string Name(AddressKind kind) => kind switch
    {
        AddressKind.Loopback => "loopback",
        AddressKind.Private => "private-network",
        AddressKind.LinkLocal => "link-local",
        AddressKind.Multicast => "multicast",
        AddressKind.Unspecified => "unspecified",
        _ => "reserved",
    };
}
