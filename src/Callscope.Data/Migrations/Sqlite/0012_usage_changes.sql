-- Which rooms' sessions changed, in the order the changes committed (docs/statistics.md, "The hour under way"). Every
-- transaction that marks usage raises its team's row (room_id = '') by one and writes that number into the row of
-- each room it changed. The team's row is taken last in the transaction, so the numbers follow the commits, and a
-- reader that remembers the number it last saw finds exactly the rooms changed since. Rows are never removed.
CREATE TABLE usage_changes (
    team_id TEXT    NOT NULL,
    room_id TEXT    NOT NULL,
    version INTEGER  NOT NULL,
    PRIMARY KEY (team_id, room_id)
);
CREATE INDEX usage_changes_by_version ON usage_changes (team_id, version);

-- Goes up every time the worker stores a team's roll-ups, so that a reader may keep what it read from them (the rooms
-- of a stretch of stored days) until they change.
ALTER TABLE usage_state ADD COLUMN generation BIGINT NOT NULL DEFAULT 0;
