-- Participants whose personal data was erased (see the SQLite script of the same number).
ALTER TABLE participants ADD COLUMN erased BIGINT NOT NULL DEFAULT 0;
