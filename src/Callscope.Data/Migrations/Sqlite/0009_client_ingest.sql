-- Browser ingest (docs/browser-sdk.md). The origins whose pages may send a team's browser events, in the order the
-- team gave them; looked up by origin alone to answer a CORS preflight, which carries no token.
CREATE TABLE team_origins (
    team_id  TEXT    NOT NULL,
    origin   TEXT    NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (team_id, origin)
);
CREATE INDEX team_origins_by_origin ON team_origins (origin);

-- The key that signs the team's client tokens, encrypted with the Data Protection key ring. Cleared whenever the
-- developer key is replaced, so every client token signed before stops working; a new key is made on the next token.
ALTER TABLE teams ADD COLUMN client_key TEXT NULL;
