-- Each room counts its participants as it counts its sessions (0004), so the total of a team's participant list is a
-- sum over its rooms instead of a count of every participant the team ever had. A session row holds the number of its
-- participants (participants_total), written with them in one transaction, so the count follows the session rows: a
-- new session adds its participants in the one room update it already makes, and only a later join updates the room
-- again. The count lives on the room row, which every writer already locks before it touches the room's sessions.
ALTER TABLE rooms ADD COLUMN participant_count BIGINT NOT NULL DEFAULT 0;

UPDATE rooms r SET participant_count = c.n
FROM (SELECT team_id, room_id, SUM(participants_total) AS n FROM sessions GROUP BY team_id, room_id) c
WHERE r.team_id = c.team_id AND r.id = c.room_id;

CREATE OR REPLACE FUNCTION callscope_count_sessions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE rooms SET session_count = session_count + 1, participant_count = participant_count + NEW.participants_total
        WHERE team_id = NEW.team_id AND id = NEW.room_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE rooms SET session_count = session_count - 1, participant_count = participant_count - OLD.participants_total
        WHERE team_id = OLD.team_id AND id = OLD.room_id;
    ELSE
        UPDATE rooms SET participant_count = participant_count + NEW.participants_total - OLD.participants_total
        WHERE team_id = NEW.team_id AND id = NEW.room_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER sessions_participants_counted AFTER UPDATE OF participants_total ON sessions
FOR EACH ROW WHEN (NEW.participants_total <> OLD.participants_total) EXECUTE FUNCTION callscope_count_sessions();

-- The team's totals are read from this index alone.
DROP INDEX rooms_session_counts;
CREATE INDEX rooms_session_counts ON rooms (team_id, session_count, participant_count);

-- The participants connected now, in the list's order: a list of them reads these alone, not the team's whole past.
CREATE INDEX participants_live ON participants (team_id, join_time, id) WHERE live = 1;
