-- What only a source knows about an event and the session law needs, as a bit set: 1 = a passive participant
-- (agents, recorders, ingress), 2 = a session_ended written by the REST API. It used to travel inside data as
-- "_passive": true and "_source": "api"; the law now reads this column and never data's members. Only the law's
-- events (law = 1) carry flags. Existing rows are given the flags their data said, so every room rebuilds as before.
-- The data text itself is left as it is: it is the events log.
ALTER TABLE events ADD COLUMN law_flags INTEGER NOT NULL DEFAULT 0;

UPDATE events SET law_flags =
      (CASE WHEN json_type(data, '$._passive') = 'true' THEN 1 ELSE 0 END)
    | (CASE WHEN type = 'session_ended' AND json_type(data, '$._source') = 'text' AND json_extract(data, '$._source') = 'api' THEN 2 ELSE 0 END)
WHERE law = 1 AND data IS NOT NULL AND (instr(data, '"_passive"') > 0 OR instr(data, '"_source"') > 0) AND json_valid(data);
