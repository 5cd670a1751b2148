-- A team's LiveKit server (see the SQLite script of the same number for why the secret is protected, not hashed).
CREATE TABLE livekit_integrations (
    team_id              TEXT    NOT NULL PRIMARY KEY,
    api_key              TEXT    NOT NULL UNIQUE,
    api_secret_protected TEXT    NOT NULL,
    server_url           TEXT    NULL,
    created_at           BIGINT  NOT NULL,
    updated_at           BIGINT  NOT NULL
);
