-- Usage over time (docs/statistics.md). Roll-ups of what the stored sessions say, in a form that adds up: one row per
-- team and hour (room_id = '') and one per room and day, each holding milliseconds of presence and participants who
-- joined by device (unknown, desktop, mobile, tablet, smarttv), sessions started, and the peaks within it.
CREATE TABLE usage_rollups (
    team_id          TEXT    NOT NULL,
    room_id          TEXT    NOT NULL,
    at               BIGINT  NOT NULL,
    ms_unknown       BIGINT  NOT NULL,
    ms_desktop       BIGINT  NOT NULL,
    ms_mobile        BIGINT  NOT NULL,
    ms_tablet        BIGINT  NOT NULL,
    ms_smarttv       BIGINT  NOT NULL,
    joined_unknown   BIGINT  NOT NULL,
    joined_desktop   BIGINT  NOT NULL,
    joined_mobile    BIGINT  NOT NULL,
    joined_tablet    BIGINT  NOT NULL,
    joined_smarttv   BIGINT  NOT NULL,
    sessions         BIGINT  NOT NULL,
    peak_sessions    BIGINT  NOT NULL,
    peak_participants BIGINT NOT NULL,
    peak_per_session BIGINT  NOT NULL,
    PRIMARY KEY (team_id, room_id, at)
);
CREATE INDEX usage_rollups_by_day ON usage_rollups (team_id, at, room_id);

-- How far a team's roll-ups reach: every team hour before hours_until and every room day before days_until is stored,
-- unless a mark below says it changed since. longest_ms is the longest ended session the team has had, so a stretch's
-- sessions are found by their start.
CREATE TABLE usage_state (
    team_id     TEXT    NOT NULL PRIMARY KEY,
    hours_until BIGINT  NOT NULL,
    days_until  BIGINT  NOT NULL,
    longest_ms  BIGINT  NOT NULL
);

-- What changed since the roll-ups were stored: a write that stores or removes a session marks its team's hours and its
-- room's days from the session's start on (room_id = '' marks the team's hours). version goes up on every mark, so
-- the worker clears only marks nothing has raised since it read them.
CREATE TABLE usage_marks (
    team_id TEXT    NOT NULL,
    room_id TEXT    NOT NULL,
    from_ts BIGINT  NOT NULL,
    version BIGINT  NOT NULL,
    PRIMARY KEY (team_id, room_id)
);

-- The teams that already have sessions get their roll-ups from their first session on.
INSERT INTO usage_state (team_id, hours_until, days_until, longest_ms)
SELECT team_id, 0, 0, COALESCE(MAX(CASE WHEN end_time IS NULL THEN 0 ELSE end_time - start_time END), 0) FROM sessions GROUP BY team_id;
