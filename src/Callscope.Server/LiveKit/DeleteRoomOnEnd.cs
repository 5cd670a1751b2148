using System.Text.Json.Nodes;
using Callscope.Core;
using Callscope.Core.Ingest;
using Callscope.Data.Writing;
using Callscope.Data.LiveKit;
using Callscope.Server.Sessions;

namespace Callscope.Server.LiveKit;

/// <summary>
/// When a team member ends a session of a LiveKit room, asks the team's LiveKit server (if its URL is configured) to
/// delete the room, which disconnects everyone still in it. The outcome goes into the room's log as a
/// <c>livekit_delete_room</c> event. The session has already ended in Callscope by then, and nothing here can undo that.
/// </summary>
public sealed partial class DeleteRoomOnEnd(
    LiveKitIntegrationStore integrations,
    LiveKitSecrets secrets,
    RoomServiceClient roomService,
    IngestPipeline pipeline,
    TimeProvider clock,
    ILogger<DeleteRoomOnEnd> logger) : ISessionEndHook
{
    public const string EventType = "livekit_delete_room";

    public async Task OnEndedAsync(TeamId team, string sessionId, CancellationToken cancellationToken)
    {
        if (integrations.ForTeam(team) is not { ServerUrl: { } serverUrl } integration
            || integrations.LiveKitRoomOfSession(team, sessionId) is not { } room)
        {
            return;
        }

        var outcome = secrets.TryUnprotect(integration.ProtectedSecret) is { } secret
            ? await roomService.DeleteRoomAsync(serverUrl, integration.ApiKey, secret, room.Name, cancellationToken)
            : new DeleteRoomOutcome(false, null, "secret_unreadable");
        if (outcome.Ok)
        {
            Log.Deleted(logger, room.RoomId.ToString(), sessionId);
        }
        else
        {
            Log.Failed(logger, room.RoomId.ToString(), sessionId, outcome.Status, outcome.Error);
        }

        await RecordAsync(team, room, sessionId, outcome);
    }

    private async Task RecordAsync(TeamId team, LiveKitRoomTarget room, string sessionId, DeleteRoomOutcome outcome)
    {
        var now = clock.GetUtcNow();
        var data = new JsonObject { ["session_id"] = sessionId, ["room"] = room.Name, ["ok"] = outcome.Ok, ["status"] = outcome.Status };
        if (outcome.Error is { } error)
        {
            data["error"] = error;
        }

        var record = new IncomingEvent(EventType + "-" + Guid.CreateVersion7(now).ToString("N"), EventType, now, now, null,
            new RoomRef(room.RoomId, null), null, data.ToJsonString());
        try
        {
            // Not tied to the caller's request: the outcome is worth keeping even if the caller has gone.
            await pipeline.SendAsync(new IngestCommand(team, [record]), CancellationToken.None);
        }
        catch (Exception failure)
        {
            // The session has ended; losing this log entry must not turn that into an error for the caller.
            Log.NotRecorded(logger, room.RoomId.ToString(), failure);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "LiveKit deleted room {RoomId} after session {SessionId} was ended")]
        public static partial void Deleted(ILogger logger, string roomId, string sessionId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "LiveKit did not delete room {RoomId} after session {SessionId} was ended: status {Status}, {Error}")]
        public static partial void Failed(ILogger logger, string roomId, string sessionId, int? status, string? error);

        [LoggerMessage(Level = LogLevel.Error, Message = "The outcome of deleting LiveKit room {RoomId} could not be recorded")]
        public static partial void NotRecorded(ILogger logger, string roomId, Exception error);
    }
}
