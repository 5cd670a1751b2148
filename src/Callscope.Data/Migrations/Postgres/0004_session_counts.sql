-- Each room counts its sessions, so a team's total is a sum over its rooms instead of a walk over every session.
-- The count lives on the room row, which every writer already locks before it touches the room's sessions, so
-- keeping it adds no lock that nodes could contend for.
ALTER TABLE rooms ADD COLUMN session_count BIGINT NOT NULL DEFAULT 0;

UPDATE rooms r SET session_count = c.n
FROM (SELECT team_id, room_id, COUNT(*) AS n FROM sessions GROUP BY team_id, room_id) c
WHERE r.team_id = c.team_id AND r.id = c.room_id;

CREATE FUNCTION callscope_count_sessions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE rooms SET session_count = session_count + 1 WHERE team_id = NEW.team_id AND id = NEW.room_id;
    ELSE
        UPDATE rooms SET session_count = session_count - 1 WHERE team_id = OLD.team_id AND id = OLD.room_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER sessions_counted AFTER INSERT OR DELETE ON sessions FOR EACH ROW EXECUTE FUNCTION callscope_count_sessions();
