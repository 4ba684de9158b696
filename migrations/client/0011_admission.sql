-- Teduh local store, schema 11: admission by people (trust 2/3).
-- Numbered files are never edited once landed; add a new file instead.
--
-- On a key manager's device: the members the server lists but the signed roster does not
-- (pending: they wait with no key), as the server last listed them, and her decisions. Only a
-- member she admitted, by typing the safety number the newcomer's screen shows, enters the roster
-- she signs, with the keys and role she confirmed; the server's word alone admits no one.
CREATE TABLE pending_member (
    member        INTEGER PRIMARY KEY,
    username      TEXT NOT NULL,
    role          TEXT NOT NULL,
    public_keys   BLOB NOT NULL,
    first_seen    INTEGER NOT NULL,
    wrong_entries INTEGER NOT NULL DEFAULT 0,
    blocked       INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE admitted_member (
    member      INTEGER PRIMARY KEY,
    username    TEXT NOT NULL,
    role        TEXT NOT NULL,
    public_keys BLOB NOT NULL,
    admitted_at INTEGER NOT NULL
) STRICT;

-- A key manager's own removals and revocations: the roster she signs marks them whatever the
-- server says, and the next epoch is sealed without them.
CREATE TABLE removed_member (
    member     INTEGER PRIMARY KEY,
    removed_at INTEGER NOT NULL
) STRICT;

CREATE TABLE revoked_device (
    device     INTEGER PRIMARY KEY,
    revoked_at INTEGER NOT NULL
) STRICT;
