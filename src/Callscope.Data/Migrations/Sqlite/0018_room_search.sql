-- Room search by substring (the room part of a session list's q): a trigram index of room names and descriptions.
-- The FTS5 table keeps no copy of the text: it indexes the rooms table by its rowid, and these triggers keep it in step
-- with every insert, rename and delete. A search reads the rooms the index names and checks them again with LIKE, so its
-- answer is exactly that of a scan. A hand-made VACUUM can renumber the rooms' rowids; docs/operations.md says how to
-- rebuild the index after one.
CREATE VIRTUAL TABLE room_search USING fts5 (friendly_url, description, content = 'rooms', content_rowid = 'rowid', tokenize = 'trigram');
INSERT INTO room_search (room_search) VALUES ('rebuild');

CREATE TRIGGER rooms_searched AFTER INSERT ON rooms BEGIN
    INSERT INTO room_search (rowid, friendly_url, description) VALUES (NEW.rowid, NEW.friendly_url, NEW.description);
END;
CREATE TRIGGER rooms_unsearched AFTER DELETE ON rooms BEGIN
    INSERT INTO room_search (room_search, rowid, friendly_url, description) VALUES ('delete', OLD.rowid, OLD.friendly_url, OLD.description);
END;
CREATE TRIGGER rooms_searched_again AFTER UPDATE OF friendly_url, description ON rooms BEGIN
    INSERT INTO room_search (room_search, rowid, friendly_url, description) VALUES ('delete', OLD.rowid, OLD.friendly_url, OLD.description);
    INSERT INTO room_search (rowid, friendly_url, description) VALUES (NEW.rowid, NEW.friendly_url, NEW.description);
END;

-- The total of a plain session list is the sum of the team's room counts: read from this index alone.
CREATE INDEX rooms_session_counts ON rooms (team_id, session_count);
