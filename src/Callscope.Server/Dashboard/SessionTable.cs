using Callscope.Data.Sessions;

namespace Callscope.Server.Dashboard;

/// <summary>What the sessions table partial needs: the rows, the moment they were read, and who is looking.</summary>
public sealed record SessionTable(
    string Id,
    IReadOnlyList<SessionView> Rows,
    DateTimeOffset Now,
    bool CanEnd,
    bool ShowRoomLink,
    string EmptyText,
    Pager Pager);
