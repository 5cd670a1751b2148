-- Times are Unix milliseconds (UTC); ids are canonical UUID text.
CREATE TABLE teams (
    id              TEXT    NOT NULL PRIMARY KEY,
    name            TEXT    NOT NULL,
    key_hash        TEXT    NOT NULL UNIQUE,
    max_sessions    INTEGER NULL,
    grace_period    INTEGER NOT NULL DEFAULT 420,
    session_length  INTEGER NULL,
    created_at      INTEGER NOT NULL
);

CREATE TABLE members (
    id              TEXT    NOT NULL PRIMARY KEY,
    team_id         TEXT    NOT NULL REFERENCES teams (id),
    email           TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    name            TEXT    NULL,
    password_hash   TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('admin', 'viewer')),
    created_at      INTEGER NOT NULL
);

CREATE TABLE rooms (
    team_id          TEXT    NOT NULL REFERENCES teams (id),
    id               TEXT    NOT NULL UNIQUE,
    friendly_url     TEXT    NOT NULL,
    description      TEXT    NULL,
    external_id      TEXT    NULL,
    grace_period     INTEGER NULL,
    session_length   INTEGER NULL,
    max_participants INTEGER NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    deleted_at       INTEGER NULL,
    -- Bumped whenever the law's answer for the room changes, so a writer knows when its memory of the room is stale.
    law_version      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (team_id, id)
);
CREATE UNIQUE INDEX rooms_by_name ON rooms (team_id, friendly_url) WHERE deleted_at IS NULL;
CREATE INDEX rooms_by_created ON rooms (team_id, created_at, id);

-- The raw events: the events log. Rows are never rewritten by the law.
CREATE TABLE events (
    seq              INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    team_id          TEXT    NOT NULL,
    id               TEXT    NOT NULL,
    room_id          TEXT    NOT NULL,
    type             TEXT    NOT NULL,
    ts               INTEGER NOT NULL,
    received_at      INTEGER NOT NULL,
    skew_ms          INTEGER NULL,
    law              INTEGER NOT NULL,
    external_id      TEXT    NULL,
    connection_id    TEXT    NULL,
    participant_name TEXT    NULL,
    role             TEXT    NULL,
    data             TEXT    NULL
);
CREATE UNIQUE INDEX events_by_id ON events (team_id, id);
CREATE INDEX events_law ON events (room_id, ts) WHERE law = 1;
-- Few indexes on purpose: each costs every insert. A participant's log is read from its room's time range.
CREATE INDEX events_by_room ON events (room_id, ts);

-- Derived from the events by the session law; rewritten whenever the law's answer changes.
CREATE TABLE sessions (
    team_id          TEXT    NOT NULL,
    id               TEXT    NOT NULL UNIQUE,
    room_id          TEXT    NOT NULL,
    start_time       INTEGER NOT NULL,
    end_time         INTEGER NULL,
    end_reason       TEXT    NULL,
    ended_by         TEXT    NULL,
    last_left_at     INTEGER NULL,
    active_connections INTEGER NOT NULL,
    participants_live  INTEGER NOT NULL,
    participants_total INTEGER NOT NULL,
    max_concurrent   INTEGER NOT NULL,
    grace_period     INTEGER NOT NULL,
    deadline         INTEGER NULL,
    deadline_reason  TEXT    NULL,
    PRIMARY KEY (team_id, id)
);
-- A room has at most one live session.
CREATE UNIQUE INDEX sessions_one_live_per_room ON sessions (team_id, room_id) WHERE end_time IS NULL;
CREATE INDEX sessions_by_start ON sessions (team_id, start_time, id);
CREATE INDEX sessions_by_room ON sessions (room_id, start_time, id);
CREATE INDEX sessions_live ON sessions (team_id, start_time) WHERE end_time IS NULL;
CREATE INDEX sessions_due ON sessions (deadline) WHERE end_time IS NULL;

CREATE TABLE session_aliases (
    team_id    TEXT NOT NULL,
    alias_id   TEXT NOT NULL,
    session_id TEXT NOT NULL,
    PRIMARY KEY (team_id, alias_id)
);

CREATE TABLE participants (
    team_id       TEXT    NOT NULL,
    id            TEXT    NOT NULL UNIQUE,
    session_id    TEXT    NOT NULL,
    room_id       TEXT    NOT NULL,
    pkey          TEXT    NOT NULL,
    external_id   TEXT    NULL,
    name          TEXT    NULL,
    role          TEXT    NULL,
    device        TEXT    NULL,
    os            TEXT    NULL,
    browser       TEXT    NULL,
    join_time     INTEGER NOT NULL,
    leave_time    INTEGER NULL,
    live          INTEGER NOT NULL,
    reconnects    INTEGER NOT NULL,
    connections   TEXT    NOT NULL,
    PRIMARY KEY (team_id, id)
);
CREATE INDEX participants_by_session ON participants (session_id, join_time);
CREATE INDEX participants_by_team ON participants (team_id, join_time, id);
CREATE INDEX participants_by_room ON participants (room_id, join_time);
