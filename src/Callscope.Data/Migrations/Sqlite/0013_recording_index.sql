-- The recording events of each team by time, for active_recorders: the recording events since the earliest live
-- session started, then each live session's latest one. Only these rare events enter the index, so ingest does not pay
-- for it; the list must match SessionActivity.RecordingTypes, written out the same way in the query so that the index
-- can be used.
CREATE INDEX events_recording ON events (team_id, ts, room_id, seq) WHERE type IN ('recording_started', 'recording_stopped', 'recording_failed');
