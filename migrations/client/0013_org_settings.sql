-- Teduh local store, schema 13: the organisation settings and the teams an administrator
-- founds (trust 2/3).
-- Numbered files are never edited once landed; add a new file instead.
--
-- The newest settings record this device verified against the organisation key its signed
-- roster names (or signed itself, on the administrator's device holding that key), as signed:
-- a server restored from a backup gets it back. Not secret (names, time zones, deadlines,
-- taxonomies), so kept as it travels.
CREATE TABLE org_settings (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    version    INTEGER NOT NULL,
    signed     BLOB NOT NULL,
    stored_at  INTEGER NOT NULL
) STRICT;

-- On the administrator's device holding the organisation key: the teams it founded (their
-- first roster signed by that key) and tends until a key manager of their own is admitted:
-- its sync round admits the devices that joined with its invitations by signing the team's
-- next roster with the organisation key.
-- roster: the newest roster of the team this device verified (JSON), each one from the first
-- it signed checked against the one before, as a member's device follows its own team.
CREATE TABLE founded_team (
    team       INTEGER PRIMARY KEY,
    founded_at INTEGER NOT NULL,
    roster     TEXT NOT NULL,
    done_at    INTEGER
) STRICT;
