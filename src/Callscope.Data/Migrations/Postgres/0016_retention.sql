-- Retention (docs/operations.md, "Retention"). A team's retention_days (null: off) is how long its history is kept
-- after a session ends.
ALTER TABLE teams ADD COLUMN retention_days BIGINT NULL;

-- Where a room's history starts after retention deleted what came before: a session boundary (no session spans it),
-- so the law replays the events kept from there on as it would have. Events older than it are not stored again.
ALTER TABLE rooms ADD COLUMN history_from BIGINT NULL;

-- Where a team's usage roll-ups became final: hours and days before it are read only from usage_rollups, because
-- the sessions they were measured from may be gone. A day boundary; 0 while nothing was deleted.
ALTER TABLE usage_state ADD COLUMN retained_from BIGINT NOT NULL DEFAULT 0;

-- Retention deletes a session's webhook deliveries and aliases with it.
CREATE INDEX webhook_deliveries_by_session ON webhook_deliveries (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX session_aliases_by_session ON session_aliases (session_id);
