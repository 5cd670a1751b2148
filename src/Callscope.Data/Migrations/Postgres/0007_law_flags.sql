-- What only a source knows about an event and the session law needs, as a bit set (see the SQLite script of the same
-- number): 1 = a passive participant, 2 = a session_ended written by the REST API. Existing law events are given the
-- flags their data said ("_passive": true, "_source": "api"), so every room rebuilds as before; data is left as it is.
ALTER TABLE events ADD COLUMN law_flags BIGINT NOT NULL DEFAULT 0;

UPDATE events SET law_flags =
      (CASE WHEN data::jsonb -> '_passive' = 'true'::jsonb THEN 1 ELSE 0 END)
    | (CASE WHEN type = 'session_ended' AND data::jsonb -> '_source' = '"api"'::jsonb THEN 2 ELSE 0 END)
WHERE law = 1 AND data IS NOT NULL AND (strpos(data, '"_passive"') > 0 OR strpos(data, '"_source"') > 0);
