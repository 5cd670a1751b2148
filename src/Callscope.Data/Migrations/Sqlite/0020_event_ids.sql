-- De-duplication by an id index in two layers, instead of a unique index on events. Event ids from media servers are
-- random, so a unique index kept up by every insert took each new id at its own place in the tree: each event dirtied
-- a page of its own, written whole to the log at every commit. Now the writer checks an id against two layers:
--   * event_ids, below: every id stored up to event_ids_mark, in key order;
--   * a table of the newest ids, kept in the writer's memory only (a temporary table of its connection, rebuilt from
--     the events after the mark when the connection opens), which costs the log nothing.
-- The writer moves the newest ids into event_ids in key order once many have gathered and when it falls idle: each
-- page of event_ids is then written once per move instead of once per transaction.
CREATE TABLE event_ids (
    team_id TEXT    NOT NULL,
    id      TEXT    NOT NULL,
    seq     INTEGER NOT NULL,
    PRIMARY KEY (team_id, id)
) WITHOUT ROWID;

CREATE TABLE event_ids_mark (
    seq INTEGER NOT NULL
);

INSERT INTO event_ids (team_id, id, seq) SELECT team_id, id, seq FROM events ORDER BY team_id, id;
INSERT INTO event_ids_mark (seq) SELECT COALESCE(MAX(seq), 0) FROM events;

-- A deleted event (retention, erasure) frees its id, as it did with the unique index.
CREATE TRIGGER event_ids_gone AFTER DELETE ON events BEGIN
    DELETE FROM event_ids WHERE team_id = OLD.team_id AND id = OLD.id AND seq = OLD.seq;
END;

DROP INDEX events_by_id;
