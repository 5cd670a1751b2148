-- The recording events of each team by time, for active_recorders (see the SQLite script of the same number).
CREATE INDEX events_recording ON events (team_id, ts, room_id, seq) WHERE type IN ('recording_started', 'recording_stopped', 'recording_failed');
