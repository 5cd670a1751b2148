using Callscope.Core;

namespace Callscope.Server.Dashboard;

/// <summary>The dashboard's addresses, in one place.</summary>
public static class Links
{
    public const string Sessions = "/";
    public const string Rooms = "/rooms";
    public const string Usage = "/usage";
    public const string NewRoom = "/rooms/new";
    public const string Members = "/members";
    public const string Settings = "/settings";
    public const string Account = "/account";
    public const string ApiAccess = "/api-access";
    public const string Webhooks = "/webhooks";
    public const string Audit = "/audit";
    public const string SignIn = "/signin";
    public const string SignOut = "/signout";

    public static string Session(SessionId id) => $"/sessions/{id}";

    public static string EndSession(SessionId id) => $"/sessions/{id}/end";

    public static string Participant(ParticipantId id) => $"/participants/{id}";

    public static string RoomSessions(RoomId id) => $"/rooms/{id}/sessions";

    public static string EditRoom(RoomId id) => $"/rooms/{id}/edit";

    public static string DeleteRoomHistory(RoomId id) => $"/rooms/{id}/delete-history";

    public static string DeleteSessionHistory(SessionId id) => $"/sessions/{id}/delete-history";

    public static string Webhook(string id) => $"/webhooks/{Uri.EscapeDataString(id)}";

    public static string EditWebhook(string id) => $"{Webhook(id)}/edit";

    public static string DeleteWebhook(string id) => $"{Webhook(id)}/delete";
}
