namespace Callscope.Server.Dashboard;

/// <summary>What the dashboard says about deleting history, the same in its confirmation dialogs and on its pages.</summary>
public static class DeleteHistoryText
{
    public static string Session(string room) =>
        $"The participants of this session in {room} become \"Deleted participant\": their names, identities and device details go, "
        + "and so do their events logs. The session's times, counts and minutes stay. This cannot be undone.";

    public static string Room(string room) =>
        $"The participants of every session in {room} become \"Deleted participant\": their names, identities and device details go, "
        + "and so do their events logs. The sessions' times, counts and minutes stay. This cannot be undone.";

    public static string Participants(int count) => count == 1 ? "1 participant" : $"{count} participants";
}
