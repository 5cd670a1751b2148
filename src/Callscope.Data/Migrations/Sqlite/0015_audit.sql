-- The audit log (docs/operations.md, "Audit log"): who did what in a team, newest first. The actor is kept as it was
-- at the time (a member's id and e-mail address; or the developer key, LiveKit, the system, or someone who typed an
-- e-mail address that is no member of the team at the sign-in page). details is a small JSON object that never holds
-- a secret. Entries older than the audit retention are deleted in batches by time.
CREATE TABLE audit_log (
    id          TEXT    PRIMARY KEY,
    team_id     TEXT    NOT NULL REFERENCES teams (id),
    at          BIGINT  NOT NULL,
    actor_kind  TEXT    NOT NULL,
    actor_id    TEXT,
    actor_email TEXT,
    action      TEXT    NOT NULL,
    target_type TEXT    NOT NULL,
    target_id   TEXT,
    details     TEXT    NOT NULL,
    client_ip   TEXT
);
CREATE INDEX audit_log_by_team ON audit_log (team_id, at, id);
CREATE INDEX audit_log_by_time ON audit_log (at);
