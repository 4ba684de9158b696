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
-- first roster signed by that key), tended while an invitation it made to them is open: its
-- sync round admits the devices that joined with one by signing the team's next roster with
-- the organisation key.
-- roster: the newest roster of the team this device verified (JSON), each one from the first
-- it signed checked against the one before, as a member's device follows its own team.
CREATE TABLE founded_team (
    team       INTEGER PRIMARY KEY,
    founded_at INTEGER NOT NULL,
    roster     TEXT NOT NULL
) STRICT;

-- The held roster as its signer signed it: a server restored from a backup gets it back as it
-- was, so devices still on an older one can check it against their own.
ALTER TABLE sync_binding ADD COLUMN roster_signed BLOB;

-- The team an invitation made here is for (another team, when the organisation founds one):
-- the device tends a founded team while an invitation to it is open.
ALTER TABLE invitation_made ADD COLUMN team INTEGER;
