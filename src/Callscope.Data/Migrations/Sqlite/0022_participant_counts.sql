-- Each room counts its participants as it counts its sessions, so the total of a team's participant list is a sum over
-- its rooms instead of a count of every participant the team ever had (16-19 s at 1,000,000 sessions). A session row
-- holds the number of its participants (participants_total), written with them in one transaction, so the count
-- follows the session rows: a new session adds its participants in the one room update it already makes, and only a
-- later join updates the room again.
ALTER TABLE rooms ADD COLUMN participant_count INTEGER NOT NULL DEFAULT 0;

-- Room ids are unique across teams: naming the team here would lead the planner to walk every session of the team
-- for each room.
UPDATE rooms SET participant_count = (SELECT COALESCE(SUM(s.participants_total), 0) FROM sessions s WHERE s.room_id = rooms.id);

DROP TRIGGER sessions_counted;
CREATE TRIGGER sessions_counted AFTER INSERT ON sessions
BEGIN
    UPDATE rooms SET session_count = session_count + 1, participant_count = participant_count + NEW.participants_total
    WHERE team_id = NEW.team_id AND id = NEW.room_id;
END;

DROP TRIGGER sessions_uncounted;
CREATE TRIGGER sessions_uncounted AFTER DELETE ON sessions
BEGIN
    UPDATE rooms SET session_count = session_count - 1, participant_count = participant_count - OLD.participants_total
    WHERE team_id = OLD.team_id AND id = OLD.room_id;
END;

CREATE TRIGGER sessions_participants_counted AFTER UPDATE OF participants_total ON sessions
WHEN NEW.participants_total <> OLD.participants_total
BEGIN
    UPDATE rooms SET participant_count = participant_count + NEW.participants_total - OLD.participants_total
    WHERE team_id = NEW.team_id AND id = NEW.room_id;
END;

-- The team's totals are read from this index alone.
DROP INDEX rooms_session_counts;
CREATE INDEX rooms_session_counts ON rooms (team_id, session_count, participant_count);

-- The participants connected now, in the list's order: a list of them reads these alone, not the team's whole past.
CREATE INDEX participants_live ON participants (team_id, join_time, id) WHERE live = 1;
