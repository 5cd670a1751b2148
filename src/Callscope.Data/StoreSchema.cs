namespace Callscope.Data;

/// <summary>
/// The tables and columns the code reads and writes. Both providers' migrations must produce exactly these
/// (checked by a test against each provider), so the two stores cannot drift apart.
/// </summary>
public static class StoreSchema
{
    public static readonly IReadOnlyDictionary<string, string[]> Tables = new Dictionary<string, string[]>
    {
        ["teams"] = ["id", "name", "key_hash", "max_sessions", "grace_period", "session_length", "created_at", "diagnosis", "client_key", "period_start_day", "retention_days"],
        ["team_origins"] = ["team_id", "origin", "position"],
        ["members"] = ["id", "team_id", "email", "name", "password_hash", "role", "created_at", "security_stamp"],
        ["rooms"] = ["team_id", "id", "friendly_url", "description", "external_id", "grace_period", "session_length", "max_participants",
            "created_at", "updated_at", "deleted_at", "law_version", "session_count", "webhooks", "history_from", "participant_count"],
        ["events"] = ["seq", "team_id", "id", "room_id", "type", "ts", "received_at", "skew_ms", "law", "law_flags", "external_id",
            "connection_id", "participant_name", "role", "data"],
        ["sessions"] = ["team_id", "id", "room_id", "start_time", "end_time", "end_reason", "ended_by", "last_left_at", "active_connections",
            "participants_live", "participants_total", "max_concurrent", "grace_period", "deadline", "deadline_reason"],
        ["session_aliases"] = ["team_id", "alias_id", "session_id"],
        ["participants"] = ["team_id", "id", "session_id", "room_id", "pkey", "external_id", "name", "role", "device", "os", "browser",
            "join_time", "leave_time", "live", "reconnects", "connections", "erased"],
        ["issues"] = ["team_id", "id", "participant_id", "session_id", "room_id", "kind", "severity", "started_at", "ended_at", "connection_id",
            "evidence", "summary"],
        ["diagnosis_queue"] = ["room_id", "team_id", "version", "done", "from_ts", "to_ts"],
        ["livekit_integrations"] = ["team_id", "api_key", "api_secret_protected", "server_url", "created_at", "updated_at"],
        ["usage_rollups"] = ["team_id", "room_id", "at", "ms_unknown", "ms_desktop", "ms_mobile", "ms_tablet", "ms_smarttv", "joined_unknown",
            "joined_desktop", "joined_mobile", "joined_tablet", "joined_smarttv", "sessions", "peak_sessions", "peak_participants", "peak_per_session"],
        ["usage_state"] = ["team_id", "hours_until", "days_until", "longest_ms", "generation", "retained_from"],
        ["usage_marks"] = ["team_id", "room_id", "from_ts", "version"],
        ["usage_changes"] = ["team_id", "room_id", "version"],
        ["webhooks"] = ["id", "team_id", "endpoint", "name", "events", "authorization_protected", "signing_secret_protected", "previous_secret_protected",
            "previous_secret_until", "enabled", "disabled_reason", "failing_since", "created_at", "updated_at"],
        ["webhook_deliveries"] = ["id", "team_id", "webhook_id", "message_key", "event_type", "room_id", "session_id", "payload", "created_at", "state",
            "attempts", "tries", "next_attempt_at", "lease_until", "last_status", "last_error", "finished_at"],
        ["webhook_attempts"] = ["delivery_id", "attempt", "webhook_id", "started_at", "duration_ms", "status", "error", "response", "node"],
        ["audit_log"] = ["id", "team_id", "at", "actor_kind", "actor_id", "actor_email", "action", "target_type", "target_id", "details", "client_ip"],
    };
}
