namespace Callscope.Data.Tests;

/// <summary>
/// The call into glibc that gives native memory back resolves on the systems Callscope is built for (Debian): a wrong
/// library name would turn it into a silent no-op.
/// </summary>
public sealed class NativeHeapTests
{
    [Fact]
    public void The_allocator_is_asked_to_return_its_free_pages_on_linux()
    {
        Assert.True(OperatingSystem.IsLinux(), "these tests run on Linux with glibc");
        Assert.True(NativeHeap.Trim());
    }
}
