-- The session list walks a team's sessions by start time. With each session's room in that index, a broad search
-- tests the room from the index entry instead of the session's row, and an offset is skipped in the index alone.
CREATE INDEX IF NOT EXISTS sessions_by_start_room ON sessions (team_id, start_time, id, room_id);
DROP INDEX IF EXISTS sessions_by_start;

-- An index-only scan skips only pages the visibility map marks all-visible, and autovacuum's defaults wait for a fifth of
-- a big table to change first. Sessions are rewritten while they are live: vacuum them after 2 % instead.
ALTER TABLE sessions SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);
