-- A team's LiveKit server. The API key names the team in every webhook token, so it belongs to one team only.
-- api_secret_protected is the secret encrypted with ASP.NET Core Data Protection (key ring under the data
-- directory): it must be readable again to check webhook signatures and to sign RoomService tokens, so it
-- cannot be a one-way hash.
CREATE TABLE livekit_integrations (
    team_id              TEXT    NOT NULL PRIMARY KEY,
    api_key              TEXT    NOT NULL UNIQUE,
    api_secret_protected TEXT    NOT NULL,
    server_url           TEXT    NULL,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);
