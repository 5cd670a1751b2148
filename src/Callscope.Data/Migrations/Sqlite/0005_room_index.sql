-- The events log of a room is found through event_rooms instead of an index on events itself. An index on
-- (room_id, ts) takes every new event at the end of its own room's entries, so each transaction wrote one page
-- per room it touched. The writer now stores events with only the id index, and about once a second copies the
-- new rows' (room_id, ts, seq) into event_rooms in key order: each room's page is written once per copy.
-- event_rooms_mark holds the last seq copied; rows after it are read by a scan of the newest rows.
CREATE TABLE event_rooms (
    room_id TEXT    NOT NULL,
    ts      INTEGER NOT NULL,
    seq     INTEGER NOT NULL,
    PRIMARY KEY (room_id, ts, seq)
) WITHOUT ROWID;

CREATE TABLE event_rooms_mark (
    seq INTEGER NOT NULL
);

INSERT INTO event_rooms (room_id, ts, seq) SELECT room_id, ts, seq FROM events ORDER BY room_id, ts, seq;
INSERT INTO event_rooms_mark (seq) SELECT COALESCE(MAX(seq), 0) FROM events;

DROP INDEX events_by_room;
