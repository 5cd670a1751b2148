-- The id index says where each event is (its room and time), so the events table needs no index of its own by id:
-- every stored event wrote its team and id into two indexes, event_ids' key and events_by_id, and now writes them
-- into one. A look-up by id (the events log's `after` cursor, an erasure) reads event_ids, then the room's events at
-- that time through events_by_room. An id whose event was deleted by an erasure stays, to keep the id taken, and
-- points at no row.
ALTER TABLE event_ids ADD COLUMN room_id TEXT NULL, ADD COLUMN ts BIGINT NULL;

UPDATE event_ids i SET room_id = e.room_id, ts = e.ts FROM events e WHERE e.team_id = i.team_id AND e.id = i.id;

DROP INDEX events_by_id;
