-- A list of live sessions is sorted by start time and then by id. SQLite keeps no statistics, and with the live
-- sessions indexed by start time alone it preferred to walk every session of the team through sessions_by_start_room,
-- whose entries carry the id too, testing each row for liveness: with one live session among a million, seconds.
-- With the id in the live index, that index answers the filter and the whole order, and the walk reads live sessions only.
DROP INDEX IF EXISTS sessions_live;
CREATE INDEX sessions_live ON sessions (team_id, start_time, id) WHERE end_time IS NULL;
