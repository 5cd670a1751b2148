-- Participants whose personal data was erased (docs/api.md, deleting history). The law keeps their records, under a
-- placeholder identity and name, from events flagged erased (events.law_flags bit 4); the diagnosis leaves them and the
-- issues kept for them as they are, since their events logs are gone.
ALTER TABLE participants ADD COLUMN erased INTEGER NOT NULL DEFAULT 0;
