using System.Buffers.Binary;
using System.Net;
using Callscope.Server.Tests.Infrastructure;

namespace Callscope.Server.Tests.Hosting;

/// <summary>Browsers ask every site for /favicon.ico, signed in or not.</summary>
public sealed class FaviconTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public async Task The_favicon_is_a_served_icon_with_small_and_large_images()
    {
        await using var app = new CallscopeApp();

        using var response = await app.CreateClient().GetAsync("/favicon.ico", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/x-icon", response.Content.Headers.ContentType?.MediaType);
        var icon = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(icon));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(icon.AsSpan(2)));
        var count = BinaryPrimitives.ReadUInt16LittleEndian(icon.AsSpan(4));
        var sizes = new List<int>();
        for (var i = 0; i < count; i++)
        {
            var entry = icon.AsSpan(6 + (16 * i), 16);
            var size = entry[0] == 0 ? 256 : entry[0];
            var length = BinaryPrimitives.ReadInt32LittleEndian(entry[8..]);
            var offset = BinaryPrimitives.ReadInt32LittleEndian(entry[12..]);
            Assert.InRange(offset + length, 0, icon.Length);
            var image = icon.AsSpan(offset, length);
            Assert.True(image.StartsWith(PngSignature), $"image {i} is not a PNG");
            Assert.Equal(size, BinaryPrimitives.ReadInt32BigEndian(image[16..]));
            sizes.Add(size);
        }

        Assert.Contains(16, sizes);
        Assert.Contains(32, sizes);
    }
}
