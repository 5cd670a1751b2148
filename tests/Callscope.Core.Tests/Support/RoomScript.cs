using Callscope.Core.Law;

namespace Callscope.Core.Tests.Support;

/// <summary>One generated move in a room: what happens, to whom, after how long, and two knobs for its details.</summary>
internal readonly record struct Step(int Action, int Who, int Gap, int Variant, int Twist);

/// <summary>
/// Plays generated steps into a plausible event history for one room: joins and leaves (with and without
/// connection ids, some leaves carrying their join time, some joins lost), reconnects, moderator and API ends,
/// room closes and recorders, at whole seconds after <see cref="LawEvents.T"/> so that ties happen. Gaps between
/// steps are often a second below, exactly at, or a second above the grace period.
/// </summary>
internal sealed class RoomScript(string room, RoomPolicy policy)
{
    private const int Anonymous = 4;

    private readonly List<LawEvent> events = [];
    private readonly List<OpenConnection> open = [];
    private readonly int graceSeconds = (int)policy.GracePeriod.TotalSeconds;
    private OpenConnection? recorder;
    private int seconds;
    private int next;

    private sealed record OpenConnection(int Who, string? ConnectionId, DateTimeOffset JoinedAt, LawEvent Join);

    public IReadOnlyList<LawEvent> Play(IEnumerable<Step> steps)
    {
        foreach (var step in steps)
        {
            seconds += Gap(step);
            switch (step.Action)
            {
                case <= 3:
                    Join(step);
                    break;
                case <= 6:
                    LeaveOpenConnection(step);
                    break;
                case 7:
                    LeaveWithoutJoin(step);
                    break;
                case 8:
                    Reconnect(step);
                    break;
                case 9:
                    End(step);
                    break;
                case 10 when step.Variant == 0:
                    CloseRoom(step);
                    break;
                default:
                    Record();
                    break;
            }
        }

        return events;
    }

    private int Gap(Step step) => step.Gap switch
    {
        0 => 0,
        1 => 1,
        2 => 5 + (10 * step.Variant),
        3 => graceSeconds - 1,
        4 => graceSeconds,
        5 => graceSeconds + 1,
        _ => 30 + (60 * step.Twist),
    };

    private DateTimeOffset Now => LawEvents.T.AddSeconds(seconds);

    private string NextId() => $"{room}-{next++:00}";

    private static string? Identity(int who) => who == Anonymous ? null : $"p{who}";

    private LawEvent Event(LawKind kind, int who, string? connectionId) => new(NextId(), kind, Now)
    {
        ExternalId = Identity(who), ConnectionId = connectionId,
    };

    private void Join(Step step)
    {
        var join = Event(LawKind.Join, step.Who, step.Variant == 0 ? null : $"c{next}") with
        {
            Name = step.Twist == 7 ? $"{Identity(step.Who) ?? "guest"} (phone)" : Identity(step.Who) ?? "guest",
            Role = step.Who == 0 ? "moderator" : null,
            Client = step.Twist == 6 ? new ClientInfo("desktop", "linux", "firefox") : null,
        };
        events.Add(join);
        open.Add(new OpenConnection(step.Who, join.ConnectionId, join.Time, join));
    }

    private void LeaveOpenConnection(Step step)
    {
        if (open.Count == 0)
        {
            LeaveWithoutJoin(step);
            return;
        }

        var index = open.FindIndex(o => o.Who == step.Who);
        var connection = open[index >= 0 ? index : step.Variant % open.Count];
        open.Remove(connection);
        if (step.Twist == 0)
        {
            events.Remove(connection.Join);
        }

        events.Add(Event(LawKind.Leave, connection.Who, step.Twist == 1 ? null : connection.ConnectionId) with
        {
            JoinedAt = step.Variant % 2 == 1 ? connection.JoinedAt : null,
            Reason = step.Variant == 2 ? LeaveReasons.Network : null,
        });
    }

    private void LeaveWithoutJoin(Step step) =>
        events.Add(Event(LawKind.Leave, step.Who, step.Variant == 0 ? null : $"c{next}") with
        {
            JoinedAt = step.Twist % 2 == 1 ? Now.AddSeconds(-10 * step.Twist) : null,
        });

    private void Reconnect(Step step)
    {
        var index = open.FindIndex(o => o.Who == step.Who);
        if (index < 0)
        {
            Join(step);
            return;
        }

        var previous = open[index];
        switch (step.Variant)
        {
            case 0:
                open.RemoveAt(index);
                var again = Event(LawKind.Join, step.Who, previous.ConnectionId);
                events.Add(again);
                open.Add(new OpenConnection(step.Who, again.ConnectionId, again.Time, again));
                break;
            case 1:
                open.RemoveAt(index);
                events.Add(Event(LawKind.Leave, step.Who, previous.ConnectionId) with { Reason = LeaveReasons.Network });
                Join(step with { Variant = 1 });
                break;
            default:
                Join(step with { Variant = 1 });
                break;
        }
    }

    private void End(Step step)
    {
        events.Add(new LawEvent(NextId(), LawKind.SessionEnd, Now)
        {
            EndReason = step.Variant == 0 ? EndReasons.Api : EndReasons.Moderator,
            EndedBy = Identity(step.Who) ?? "support@team.example",
        });
        ForgetOpenConnectionsUnlessLeavesStillCome(step);
    }

    private void CloseRoom(Step step)
    {
        events.Add(new LawEvent(NextId(), LawKind.RoomClosed, Now));
        ForgetOpenConnectionsUnlessLeavesStillCome(step);
    }

    /// <summary>After an end, sources sometimes still send the leaves of the connections it closed.</summary>
    private void ForgetOpenConnectionsUnlessLeavesStillCome(Step step)
    {
        if (step.Twist < 4)
        {
            open.Clear();
        }
    }

    private void Record()
    {
        if (recorder is { } running)
        {
            events.Add(new LawEvent(NextId(), LawKind.Leave, Now) { ExternalId = "recorder", ConnectionId = running.ConnectionId, Passive = true });
            recorder = null;
            return;
        }

        var join = new LawEvent(NextId(), LawKind.Join, Now) { ExternalId = "recorder", ConnectionId = $"rec{next}", Passive = true };
        events.Add(join);
        recorder = new OpenConnection(-1, join.ConnectionId, join.Time, join);
    }
}
