-- The issues the diagnosis finds in each participant's events (docs/diagnosis.md), kept so that lists count and
-- filter them without diagnosing anyone on read. Written only by the diagnosis worker through the writer.
CREATE TABLE issues (
    team_id        TEXT    NOT NULL,
    id             TEXT    NOT NULL,
    participant_id TEXT    NOT NULL,
    session_id     TEXT    NOT NULL,
    room_id        TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    -- 0 = warning, 1 = error.
    severity       INTEGER NOT NULL,
    started_at     INTEGER NOT NULL,
    ended_at       INTEGER NULL,
    connection_id  TEXT    NULL,
    evidence       TEXT    NOT NULL,
    summary        TEXT    NOT NULL,
    PRIMARY KEY (team_id, id)
);
CREATE INDEX issues_by_participant ON issues (participant_id, severity);
CREATE INDEX issues_by_session ON issues (session_id, severity);
CREATE INDEX issues_by_room ON issues (room_id);

-- One row per room whose participants need diagnosing again. Every write that stores events of the room (or changes
-- its sessions' shape) raises version and widens [from_ts, to_ts] to cover them; the worker stores the issues it found
-- at a version and raises done to it. The room is due while version > done.
CREATE TABLE diagnosis_queue (
    room_id  TEXT    NOT NULL PRIMARY KEY,
    team_id  TEXT    NOT NULL,
    version  INTEGER NOT NULL,
    done     INTEGER NOT NULL DEFAULT 0,
    from_ts  INTEGER NULL,
    to_ts    INTEGER NULL
);
CREATE INDEX diagnosis_queue_due ON diagnosis_queue (room_id) WHERE version > done;

-- The team's detector thresholds as JSON (docs/diagnosis.md); null means the defaults.
ALTER TABLE teams ADD COLUMN diagnosis TEXT NULL;
