-- An e-mail address is unique within a team, not across teams: adding a member must not reveal that the address
-- belongs to someone in another team. The inline UNIQUE of the first schema cannot be dropped in SQLite, so the
-- table is built again. security_stamp changes whenever a member's sign-ins must end (sign-out, a new password, a
-- new role); every sign-in cookie carries the stamp it was issued with.
CREATE TABLE members_new (
    id              TEXT    NOT NULL PRIMARY KEY,
    team_id         TEXT    NOT NULL REFERENCES teams (id),
    email           TEXT    NOT NULL COLLATE NOCASE,
    name            TEXT    NULL,
    password_hash   TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('admin', 'viewer')),
    created_at      INTEGER NOT NULL,
    security_stamp  TEXT    NOT NULL
);

INSERT INTO members_new (id, team_id, email, name, password_hash, role, created_at, security_stamp)
SELECT id, team_id, email, name, password_hash, role, created_at, lower(hex(randomblob(16))) FROM members;

DROP TABLE members;
ALTER TABLE members_new RENAME TO members;

CREATE UNIQUE INDEX members_by_team_email ON members (team_id, lower(email));
CREATE INDEX members_by_email ON members (lower(email));
