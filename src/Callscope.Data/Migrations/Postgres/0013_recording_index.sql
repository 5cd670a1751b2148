-- The recording events of a room, for active_recorders (see the SQLite script of the same number): a partial index
-- that only the rare recording events enter, so that each live session's latest one is a short walk. The list must
-- match SessionActivity.RecordingTypes as the query writes it.
CREATE INDEX events_recording ON events (room_id, ts, seq) WHERE type IN ('recording_started', 'recording_stopped', 'recording_failed');
