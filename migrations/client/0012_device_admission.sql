-- Teduh local store, schema 12: every device has its own keys, so a key manager admits devices,
-- not members (trust 2/3). Numbered files are never edited once landed; add a new file instead.
--
-- On a key manager's device: the devices the server lists but the signed roster does not
-- (pending: they wait with no key; a further device of a member already in the team waits
-- too), as the server last listed them, and her admissions, each with the keys she confirmed by
-- typing the safety number the newcomer's screen shows. The member-level tables of schema 11
-- go: their keys were a member's, which no longer exist (a clean break; see
-- docs/decisions/0005).
DROP TABLE pending_member;
DROP TABLE admitted_member;

CREATE TABLE pending_device (
    device        INTEGER PRIMARY KEY,
    member        INTEGER NOT NULL,
    username      TEXT NOT NULL,
    role          TEXT NOT NULL,
    public_keys   BLOB NOT NULL,
    first_seen    INTEGER NOT NULL,
    wrong_entries INTEGER NOT NULL DEFAULT 0,
    blocked       INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX pending_device_username ON pending_device(username);

CREATE TABLE admitted_device (
    device      INTEGER PRIMARY KEY,
    member      INTEGER NOT NULL,
    username    TEXT NOT NULL,
    role        TEXT NOT NULL,
    public_keys BLOB NOT NULL,
    admitted_at INTEGER NOT NULL
) STRICT;
