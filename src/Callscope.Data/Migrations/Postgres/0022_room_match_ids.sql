-- The room part of a session search (migration 0021) returns what the search reads of each room, its id and its number
-- of sessions, instead of whole rows: a common word matches thousands of rooms, and each whole row was copied into the
-- function's result set and then hashed for the union with the room named by id.
DROP FUNCTION rooms_containing(text, text);

CREATE FUNCTION rooms_containing(team text, pattern text) RETURNS TABLE (id text, session_count bigint)
    LANGUAGE sql STABLE
    SET enable_seqscan = off
AS $$
    SELECT r.id, r.session_count FROM rooms r
    WHERE (r.friendly_url ILIKE pattern ESCAPE '\' OR r.description ILIKE pattern ESCAPE '\') AND r.team_id || '' = team
$$;
