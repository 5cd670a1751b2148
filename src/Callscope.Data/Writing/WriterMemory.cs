namespace Callscope.Data.Writing;

/// <summary>
/// What the writer keeps in memory to write fast, each bounded: the law state of at most <paramref name="Rooms"/>
/// rooms, each dropped after <paramref name="RoomIdle"/> without use (rebuilt from its stored events when next
/// needed), and on SQLite a page cache of at most <paramref name="PageCacheMib"/> MiB on the writer's connection.
/// </summary>
public sealed record WriterMemory(int Rooms, TimeSpan RoomIdle, int PageCacheMib)
{
    /// <summary>10,000 rooms (about 45 MB), three minutes, 32 MiB: a small server's worth.</summary>
    public static WriterMemory Default { get; } = new(10_000, TimeSpan.FromMinutes(3), 32);
}
