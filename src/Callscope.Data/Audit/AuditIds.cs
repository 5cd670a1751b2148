using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Callscope.Data.Audit;

/// <summary>
/// Ids of audit entries: UUID version 7 whose 12 bits after the version count up within a millisecond (RFC 9562,
/// method 1), so that the entries one node writes in the same millisecond still list in the order they were written.
/// </summary>
internal static class AuditIds
{
    private static readonly Lock Gate = new();
    private static long lastMs;
    private static int counter;

    public static Guid Next(DateTimeOffset at)
    {
        long ms;
        int count;
        lock (Gate)
        {
            ms = Math.Max(at.ToUnixTimeMilliseconds(), lastMs);
            counter = ms == lastMs ? counter + 1 : 0;
            if (counter > 0xFFF)
            {
                // 4096 in one millisecond: borrow the next one, which keeps the order.
                ms++;
                counter = 0;
            }

            lastMs = ms;
            count = counter;
        }

        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes[8..]);
        BinaryPrimitives.WriteInt64BigEndian(bytes, ms << 16);
        bytes[6] = (byte)(0x70 | (count >> 8));
        bytes[7] = (byte)count;
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true);
    }
}
