-- Usage over time (docs/statistics.md). Roll-ups of what the stored sessions say, in a form that adds up: one row per
-- team and hour (room_id = '') and one per room and day, each holding milliseconds of presence and participants who
-- joined by device (unknown, desktop, mobile, tablet, smarttv), sessions started, and the peaks within it.
CREATE TABLE usage_rollups (
    team_id          TEXT    NOT NULL,
    room_id          TEXT    NOT NULL,
    at               INTEGER  NOT NULL,
    ms_unknown       INTEGER  NOT NULL,
    ms_desktop       INTEGER  NOT NULL,
    ms_mobile        INTEGER  NOT NULL,
    ms_tablet        INTEGER  NOT NULL,
    ms_smarttv       INTEGER  NOT NULL,
    joined_unknown   INTEGER  NOT NULL,
    joined_desktop   INTEGER  NOT NULL,
    joined_mobile    INTEGER  NOT NULL,
    joined_tablet    INTEGER  NOT NULL,
    joined_smarttv   INTEGER  NOT NULL,
    sessions         INTEGER  NOT NULL,
    peak_sessions    INTEGER  NOT NULL,
    peak_participants INTEGER NOT NULL,
    peak_per_session INTEGER  NOT NULL,
    PRIMARY KEY (team_id, room_id, at)
);
CREATE INDEX usage_rollups_by_day ON usage_rollups (team_id, at, room_id);

-- How far a team's roll-ups reach: every team hour before hours_until and every room day before days_until is stored,
-- unless a mark below says it changed since. longest_ms is the longest ended session the team has had, so a stretch's
-- sessions are found by their start.
CREATE TABLE usage_state (
    team_id     TEXT    NOT NULL PRIMARY KEY,
    hours_until INTEGER  NOT NULL,
    days_until  INTEGER  NOT NULL,
    longest_ms  INTEGER  NOT NULL
);

-- What changed since the roll-ups were stored: a write that stores or removes a session marks its team's hours and its
-- room's days from the session's start on (room_id = '' marks the team's hours). version goes up on every mark, so
-- the worker clears only marks nothing has raised since it read them.
CREATE TABLE usage_marks (
    team_id TEXT    NOT NULL,
    room_id TEXT    NOT NULL,
    from_ts INTEGER  NOT NULL,
    version INTEGER  NOT NULL,
    PRIMARY KEY (team_id, room_id)
);

-- The teams that already have sessions get their roll-ups from their first session on.
INSERT INTO usage_state (team_id, hours_until, days_until, longest_ms)
SELECT team_id, 0, 0, COALESCE(MAX(CASE WHEN end_time IS NULL THEN 0 ELSE end_time - start_time END), 0) FROM sessions GROUP BY team_id;
