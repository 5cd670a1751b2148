-- An e-mail address is unique within a team, not across teams: adding a member must not reveal that the address
-- belongs to someone in another team. security_stamp changes whenever a member's sign-ins must end (sign-out, a
-- new password, a new role); every sign-in cookie carries the stamp it was issued with.
DROP INDEX members_by_email;
CREATE UNIQUE INDEX members_by_team_email ON members (team_id, lower(email));
CREATE INDEX members_by_email ON members (lower(email));

ALTER TABLE members ADD COLUMN security_stamp TEXT NULL;
UPDATE members SET security_stamp = replace(gen_random_uuid()::text, '-', '');
ALTER TABLE members ALTER COLUMN security_stamp SET NOT NULL;
