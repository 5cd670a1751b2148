-- Each room counts its sessions, so a team's total is a sum over its rooms instead of a walk over every session.
-- Triggers keep the count in the same transaction as the sessions themselves: it cannot drift.
ALTER TABLE rooms ADD COLUMN session_count INTEGER NOT NULL DEFAULT 0;

UPDATE rooms SET session_count = (SELECT COUNT(*) FROM sessions s WHERE s.team_id = rooms.team_id AND s.room_id = rooms.id);

CREATE TRIGGER sessions_counted AFTER INSERT ON sessions
BEGIN
    UPDATE rooms SET session_count = session_count + 1 WHERE team_id = NEW.team_id AND id = NEW.room_id;
END;

CREATE TRIGGER sessions_uncounted AFTER DELETE ON sessions
BEGIN
    UPDATE rooms SET session_count = session_count - 1 WHERE team_id = OLD.team_id AND id = OLD.room_id;
END;
