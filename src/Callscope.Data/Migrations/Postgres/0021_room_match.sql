-- The room part of a session search (docs/operations.md, "Search indexes"), for text with a trigram in it. The planner
-- prices ILIKE as almost free and a trigram index by the number of trigrams in the pattern, so for a long pattern (a
-- pasted session id) or a common word it scanned every room of the team. This statement is planned with sequential
-- scans off, and tests the team in a form that no index of the team answers, which leaves the trigram indexes as the
-- way in. The setting lasts while the function runs. Without pg_trgm's indexes the scan is the one plan left, and the
-- answer is the same.
CREATE FUNCTION rooms_containing(team text, pattern text) RETURNS SETOF rooms
    LANGUAGE sql STABLE
    SET enable_seqscan = off
AS $$
    SELECT * FROM rooms r
    WHERE (r.friendly_url ILIKE pattern ESCAPE '\' OR r.description ILIKE pattern ESCAPE '\') AND r.team_id || '' = team
$$;
