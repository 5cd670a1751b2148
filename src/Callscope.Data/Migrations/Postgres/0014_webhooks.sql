-- Outbound webhooks (docs/webhooks.md). A webhook's two secrets are kept protected by the server's key ring, never in
-- clear: the bearer token it sends (Digital Samba's authorization_header) and the key it signs with (Standard Webhooks).
-- After a rotation the previous key signs too, until previous_secret_until, so receivers can move to the new one.
CREATE TABLE webhooks (
    id                       TEXT    PRIMARY KEY,
    team_id                  TEXT    NOT NULL REFERENCES teams (id),
    endpoint                 TEXT    NOT NULL,
    name                     TEXT,
    events                   TEXT    NOT NULL,
    authorization_protected  TEXT,
    signing_secret_protected TEXT    NOT NULL,
    previous_secret_protected TEXT,
    previous_secret_until    BIGINT,
    enabled                  BIGINT NOT NULL DEFAULT 1,
    disabled_reason          TEXT,
    failing_since            BIGINT,
    created_at               BIGINT  NOT NULL,
    updated_at               BIGINT  NOT NULL
);
CREATE INDEX webhooks_by_team ON webhooks (team_id, created_at, id);

-- Which webhooks a room's events go to: a JSON array of webhook ids, or null for all of the team's.
ALTER TABLE rooms ADD COLUMN webhooks TEXT;
CREATE INDEX rooms_with_webhooks ON rooms (team_id) WHERE webhooks IS NOT NULL;

-- The outbox: one row per message and webhook, written in the transaction of the change that causes it. The message
-- key names what happened (a session's start, an end at a given instant, ...), so writing the same fact again adds
-- nothing. The row's id is the webhook-id header, the same on every try.
CREATE TABLE webhook_deliveries (
    id              TEXT    PRIMARY KEY,
    team_id         TEXT    NOT NULL,
    webhook_id      TEXT    NOT NULL,
    message_key     TEXT    NOT NULL,
    event_type      TEXT    NOT NULL,
    room_id         TEXT,
    session_id      TEXT,
    payload         TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    state           TEXT    NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    tries           BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    lease_until     BIGINT,
    last_status     BIGINT,
    last_error      TEXT,
    finished_at     BIGINT,
    UNIQUE (webhook_id, message_key)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, created_at, id);

-- Every try of a delivery: when, how long, what came back (a bounded excerpt of the answer).
CREATE TABLE webhook_attempts (
    delivery_id TEXT    NOT NULL,
    attempt     BIGINT NOT NULL,
    webhook_id  TEXT    NOT NULL,
    started_at  BIGINT  NOT NULL,
    duration_ms BIGINT NOT NULL,
    status      BIGINT,
    error       TEXT,
    response    TEXT,
    node        TEXT,
    PRIMARY KEY (delivery_id, attempt)
);
