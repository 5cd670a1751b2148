-- Room search by substring (the room part of a session list's q): trigram indexes of room names and descriptions, which
-- ILIKE '%…%' uses. pg_trgm ships with PostgreSQL and is a trusted extension, so the database's owner may create it; where
-- it cannot be created, the migration goes on without the indexes and a search scans the team's rooms as before.
DO $$
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN OTHERS THEN
        RAISE WARNING 'pg_trgm could not be created (%); room search will scan room names', SQLERRM;
    END;
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE 'CREATE INDEX rooms_search_name ON rooms USING gin (friendly_url gin_trgm_ops)';
        EXECUTE 'CREATE INDEX rooms_search_description ON rooms USING gin (description gin_trgm_ops)';
    END IF;
END
$$;

-- The total of a plain session list is the sum of the team's room counts: read from this index alone.
CREATE INDEX rooms_session_counts ON rooms (team_id, session_count);
