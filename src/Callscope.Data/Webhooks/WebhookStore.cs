using System.Data.Common;
using System.Text.Json.Nodes;
using Callscope.Core;
using Dapper;

namespace Callscope.Data.Webhooks;

/// <summary>
/// A team's webhook. Its bearer token and signing secret arrive and leave protected (the server's key ring protects
/// them); this store never sees either in clear. A disabled webhook keeps its deliveries, held, until it is enabled.
/// </summary>
public sealed record Webhook(
    string Id,
    TeamId TeamId,
    string Endpoint,
    string? Name,
    IReadOnlyList<string> Events,
    string? ProtectedAuthorization,
    string ProtectedSigningSecret,
    string? ProtectedPreviousSecret,
    DateTimeOffset? PreviousSecretUntil,
    bool Enabled,
    string? DisabledReason,
    DateTimeOffset? FailingSince,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record WebhookPage(int TotalCount, IReadOnlyList<Webhook> Data)
{
    public bool UnknownCursor { get; init; }
}

/// <summary>One try of a delivery.</summary>
public sealed record DeliveryAttempt(int Attempt, DateTimeOffset StartedAt, int DurationMs, int? Status, string? Error, string? Response, string? Node);

/// <summary>A message for one webhook, with every try made so far.</summary>
public sealed record Delivery(
    string Id,
    string WebhookId,
    string EventType,
    string? RoomId,
    string? SessionId,
    string Payload,
    string State,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? FinishedAt,
    int? LastStatus,
    string? LastError)
{
    public IReadOnlyList<DeliveryAttempt> Tries { get; init; } = [];
}

public sealed record DeliveryPage(int TotalCount, IReadOnlyList<Delivery> Data);

/// <summary>Webhooks, their deliveries and the tries of each, as the API and the dashboard read and change them.</summary>
public sealed class WebhookStore(CallscopeDatabase database)
{
    private const string Columns =
        "SELECT id AS Id, team_id AS TeamId, endpoint AS Endpoint, name AS Name, events AS Events, authorization_protected AS ProtectedAuthorization, " +
        "signing_secret_protected AS ProtectedSigningSecret, previous_secret_protected AS ProtectedPreviousSecret, " +
        "previous_secret_until AS PreviousSecretUntil, enabled AS Enabled, disabled_reason AS DisabledReason, failing_since AS FailingSince, " +
        "created_at AS CreatedAt, updated_at AS UpdatedAt FROM webhooks";

    private const string DeliveryColumns =
        "SELECT id AS Id, webhook_id AS WebhookId, event_type AS EventType, room_id AS RoomId, session_id AS SessionId, payload AS Payload, " +
        "state AS State, attempts AS Attempts, created_at AS CreatedAt, next_attempt_at AS NextAttemptAt, finished_at AS FinishedAt, " +
        "last_status AS LastStatus, last_error AS LastError FROM webhook_deliveries";

    public Webhook? Find(TeamId team, string id)
    {
        using var connection = database.Open();
        return connection.QuerySingleOrDefault<Row>(Columns + " WHERE id = @id AND team_id = @team", new { id, team = team.ToString() })?.ToWebhook();
    }

    /// <summary>The team's webhooks, newest first unless asked otherwise, as Digital Samba pages them.</summary>
    public WebhookPage List(TeamId team, int limit, int offset, bool descending, string? after)
    {
        using var connection = database.Open();
        var p = new DynamicParameters(new { team = team.ToString(), limit, offset });
        var where = "team_id = @team";
        var total = connection.ExecuteScalar<int>("SELECT COUNT(*) FROM webhooks WHERE " + where, p);
        if (after is not null)
        {
            if (connection.QuerySingleOrDefault<long?>("SELECT created_at FROM webhooks WHERE id = @after AND team_id = @team", new { after, team = team.ToString() }) is not { } createdAt)
            {
                return new WebhookPage(0, []) { UnknownCursor = true };
            }

            where += descending ? " AND (created_at < @ac OR (created_at = @ac AND id < @after))" : " AND (created_at > @ac OR (created_at = @ac AND id > @after))";
            p.Add("ac", createdAt);
            p.Add("after", after);
        }

        var order = descending ? "DESC" : "ASC";
        var rows = connection.Query<Row>($"{Columns} WHERE {where} ORDER BY created_at {order}, id {order} LIMIT @limit OFFSET @offset", p);
        return new WebhookPage(total, [.. rows.Select(r => r.ToWebhook())]);
    }

    /// <summary>The ids among <paramref name="ids"/> that are not webhooks of the team.</summary>
    public IReadOnlyList<string> Unknown(TeamId team, IReadOnlyCollection<string> ids)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        using var connection = database.Open();
        var known = connection.Query<string>($"SELECT id FROM webhooks WHERE team_id = @team AND {database.InList("id", "ids")}",
            new { team = team.ToString(), ids = ids.ToArray() }).ToHashSet(StringComparer.Ordinal);
        return [.. ids.Where(id => !known.Contains(id))];
    }

    public void Create(Webhook webhook)
    {
        using var connection = database.Open();
        connection.Execute(
            """
            INSERT INTO webhooks (id, team_id, endpoint, name, events, authorization_protected, signing_secret_protected, previous_secret_protected,
                previous_secret_until, enabled, disabled_reason, failing_since, created_at, updated_at)
            VALUES (@Id, @team, @Endpoint, @Name, @events, @ProtectedAuthorization, @ProtectedSigningSecret, @ProtectedPreviousSecret, @previousUntil,
                @enabled, @DisabledReason, @failing, @created, @updated)
            """,
            Parameters(webhook));
    }

    /// <summary>Stores a webhook's new fields; false when it is gone.</summary>
    public bool Update(Webhook webhook)
    {
        using var connection = database.Open();
        return connection.Execute(
            """
            UPDATE webhooks SET endpoint = @Endpoint, name = @Name, events = @events, authorization_protected = @ProtectedAuthorization,
                signing_secret_protected = @ProtectedSigningSecret, previous_secret_protected = @ProtectedPreviousSecret,
                previous_secret_until = @previousUntil, enabled = @enabled, disabled_reason = @DisabledReason, failing_since = @failing,
                updated_at = @updated
            WHERE id = @Id AND team_id = @team
            """,
            Parameters(webhook)) > 0;
    }

    /// <summary>Removes a webhook with its deliveries and their tries.</summary>
    public bool Delete(TeamId team, string id)
    {
        using var connection = database.Open();
        using var tx = connection.BeginTransaction();
        var args = new { id, team = team.ToString() };
        var deleted = connection.Execute("DELETE FROM webhooks WHERE id = @id AND team_id = @team", args, tx) > 0;
        if (deleted)
        {
            connection.Execute("DELETE FROM webhook_attempts WHERE webhook_id = @id", args, tx);
            connection.Execute("DELETE FROM webhook_deliveries WHERE webhook_id = @id AND team_id = @team", args, tx);
        }

        tx.Commit();
        return deleted;
    }

    /// <summary>A webhook's deliveries, newest first unless asked otherwise, each with its tries; optionally only those in one state.</summary>
    /// <remarks>
    /// The deliveries and their tries are read in one snapshot: a try recorded between the two reads would otherwise
    /// show under a delivery still in its state from before it.
    /// </remarks>
    public DeliveryPage Deliveries(TeamId team, string webhook, string? state, int limit, int offset, bool descending)
    {
        using var connection = database.Open();
        using var snapshot = database.Dialect.BeginSnapshotRead(connection);
        var args = new { team = team.ToString(), webhook, state, limit, offset };
        var where = "team_id = @team AND webhook_id = @webhook" + (state is null ? "" : " AND state = @state");
        var total = connection.ExecuteScalar<int>("SELECT COUNT(*) FROM webhook_deliveries WHERE " + where, args, snapshot);
        var order = descending ? "DESC" : "ASC";
        var rows = connection.Query<DeliveryRow>($"{DeliveryColumns} WHERE {where} ORDER BY created_at {order}, id {order} LIMIT @limit OFFSET @offset", args,
            snapshot).ToList();
        return new DeliveryPage(total, WithTries(connection, snapshot, rows));
    }

    /// <summary>One delivery with its tries, read in one snapshot.</summary>
    public Delivery? Delivery(TeamId team, string webhook, string id)
    {
        using var connection = database.Open();
        using var snapshot = database.Dialect.BeginSnapshotRead(connection);
        var row = connection.QuerySingleOrDefault<DeliveryRow>($"{DeliveryColumns} WHERE id = @id AND webhook_id = @webhook AND team_id = @team",
            new { id, webhook, team = team.ToString() }, snapshot);
        return row is null ? null : WithTries(connection, snapshot, [row])[0];
    }

    /// <summary>
    /// Sends a delivery again from now, with a fresh schedule of tries (its <c>webhook-id</c> stays, so a receiver that
    /// has it already can tell). False when there is no such delivery.
    /// </summary>
    public bool Replay(TeamId team, string webhook, string id, DateTimeOffset now)
    {
        using var connection = database.Open();
        return connection.Execute(
            $"UPDATE webhook_deliveries SET {ReplaySet} WHERE id = @id AND webhook_id = @webhook AND team_id = @team",
            new { id, webhook, team = team.ToString(), now = DbTime.Ms(now) }) > 0;
    }

    /// <summary>Replays every failed delivery of the webhook created at or after <paramref name="since"/>; answers how many.</summary>
    public int ReplayFailed(TeamId team, string webhook, DateTimeOffset since, DateTimeOffset now)
    {
        using var connection = database.Open();
        return connection.Execute(
            $"UPDATE webhook_deliveries SET {ReplaySet} WHERE webhook_id = @webhook AND team_id = @team AND state = '{DeliveryStates.Failed}' AND created_at >= @since",
            new { webhook, team = team.ToString(), since = DbTime.Ms(since), now = DbTime.Ms(now) });
    }

    /// <summary>Queues a <c>webhook_test</c> message for the webhook alone; answers the delivery's id.</summary>
    public string QueueTest(Webhook webhook, DateTimeOffset now)
    {
        using var connection = database.Open();
        var id = WebhookMessage.NewId(now);
        var payload = WebhookMessage.Payload(WebhookEvents.Test, null, null, now, new JsonObject
        {
            ["webhook_id"] = webhook.Id,
            ["message"] = "A test message sent on request from Callscope.",
        });
        connection.Execute(
            """
            INSERT INTO webhook_deliveries (id, team_id, webhook_id, message_key, event_type, payload, created_at, state, next_attempt_at)
            VALUES (@id, @team, @webhook, @key, @type, @payload, @now, @state, @now)
            """,
            new
            {
                id, team = webhook.TeamId.ToString(), webhook = webhook.Id, key = "test:" + id, type = WebhookEvents.Test, payload,
                now = DbTime.Ms(now), state = DeliveryStates.Pending,
            });
        return id;
    }

    /// <summary>A replayed delivery is due now, with a schedule of its own; a lease a node still holds is kept.</summary>
    private const string ReplaySet = $"state = '{DeliveryStates.Pending}', tries = 0, next_attempt_at = @now, finished_at = NULL";

    private List<Delivery> WithTries(DbConnection connection, DbTransaction snapshot, List<DeliveryRow> rows)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        var ids = rows.Select(r => r.Id).ToArray();
        var tries = connection.Query<AttemptRow>(
                "SELECT delivery_id AS DeliveryId, attempt AS Attempt, started_at AS StartedAt, duration_ms AS DurationMs, status AS Status, error AS Error, " +
                $"response AS Response, node AS Node FROM webhook_attempts WHERE {database.InList("delivery_id", "ids")} ORDER BY attempt",
                new { ids }, snapshot)
            .ToLookup(a => a.DeliveryId);
        return [.. rows.Select(r => r.ToDelivery() with { Tries = [.. tries[r.Id].Select(a => a.ToAttempt())] })];
    }

    private static object Parameters(Webhook w) => new
    {
        w.Id, team = w.TeamId.ToString(), w.Endpoint, w.Name, events = IdList.Write(w.Events), w.ProtectedAuthorization,
        w.ProtectedSigningSecret, w.ProtectedPreviousSecret, previousUntil = DbTime.Ms(w.PreviousSecretUntil), enabled = w.Enabled ? 1 : 0, w.DisabledReason, failing = DbTime.Ms(w.FailingSince), created = DbTime.Ms(w.CreatedAt),
        updated = DbTime.Ms(w.UpdatedAt),
    };

    internal sealed record Row(string Id, string TeamId, string Endpoint, string? Name, string Events, string? ProtectedAuthorization,
        string ProtectedSigningSecret, string? ProtectedPreviousSecret, long? PreviousSecretUntil, long Enabled, string? DisabledReason, long? FailingSince,
        long CreatedAt, long UpdatedAt)
    {
        public Webhook ToWebhook() => new(Id, new TeamId(Guid.Parse(TeamId)), Endpoint, Name, IdList.Read(Events)!,
            ProtectedAuthorization, ProtectedSigningSecret, ProtectedPreviousSecret, DbTime.At(PreviousSecretUntil), Enabled != 0, DisabledReason, DbTime.At(FailingSince), DbTime.At(CreatedAt), DbTime.At(UpdatedAt));
    }

    private sealed record DeliveryRow(string Id, string WebhookId, string EventType, string? RoomId, string? SessionId, string Payload, string State,
        long Attempts, long CreatedAt, long? NextAttemptAt, long? FinishedAt, long? LastStatus, string? LastError)
    {
        public Delivery ToDelivery() => new(Id, WebhookId, EventType, RoomId, SessionId, Payload, State, (int)Attempts, DbTime.At(CreatedAt),
            DbTime.At(NextAttemptAt), DbTime.At(FinishedAt), (int?)LastStatus, LastError);
    }

    private sealed record AttemptRow(string DeliveryId, long Attempt, long StartedAt, long DurationMs, long? Status, string? Error, string? Response, string? Node)
    {
        public DeliveryAttempt ToAttempt() => new((int)Attempt, DbTime.At(StartedAt), (int)DurationMs, (int?)Status, Error, Response, Node);
    }
}
