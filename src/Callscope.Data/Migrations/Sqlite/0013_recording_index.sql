-- The recording events of a room, for active_recorders (the latest recording event of each live session). Only these
-- rare events enter it, so ingest does not pay for it; the list must match SessionActivity.RecordingTypes, written out
-- the same way in the query so that SQLite can use the index.
CREATE INDEX events_recording ON events (room_id, ts, seq) WHERE type IN ('recording_started', 'recording_stopped', 'recording_failed');
