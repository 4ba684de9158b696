-- Teduh local store, schema 16: need-to-know access (issue 23). Numbered files are never edited
-- once landed; add a new file instead.
--
-- A key manager's decisions about volunteers' levels, until a roster she holds lists them (then
-- the decision is spent: another key manager's later decision is not overridden).
CREATE TABLE member_level (
    member INTEGER PRIMARY KEY NOT NULL,
    level  TEXT NOT NULL CHECK (level IN ('junior', 'intermediate', 'senior'))
) STRICT;

-- Every data key of a client this device holds, one row per record that gave it one: a
-- team-wide key from before need-to-know, or a key wrapped to this very device (a client's
-- keys change when a worker is taken off the case). `local` marks the one key that seals this
-- device's own copies of the client's fields; `hlc` orders the versions (newest seals).
CREATE TABLE client_keys_v2 (
    client_id BLOB NOT NULL,
    device_id BLOB NOT NULL,
    seq       INTEGER NOT NULL,
    wrapped   BLOB NOT NULL,
    proven    INTEGER NOT NULL DEFAULT 0,
    local     INTEGER NOT NULL DEFAULT 1 CHECK (local IN (0, 1)),
    hlc       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (client_id, device_id, seq)
) STRICT, WITHOUT ROWID;
INSERT INTO client_keys_v2 (client_id, device_id, seq, wrapped, proven, local, hlc)
    SELECT client_id, device_id, seq, wrapped, proven, 1, 0 FROM client_keys;
DROP TABLE client_keys;
ALTER TABLE client_keys_v2 RENAME TO client_keys;
CREATE UNIQUE INDEX client_keys_local ON client_keys (client_id) WHERE local = 1;

-- What every member sees of a client's key records, never the keys: which key (by id) was
-- wrapped to which device (reader 0: the whole team, a key from before need-to-know). Tells a
-- device that a key exists it does not hold, and a supervisor's device whom to wrap to.
CREATE TABLE client_key_wraps (
    device_id BLOB NOT NULL,
    seq       INTEGER NOT NULL,
    client_id BLOB NOT NULL,
    key_id    BLOB NOT NULL,
    reader    INTEGER NOT NULL,
    hlc       INTEGER NOT NULL,
    PRIMARY KEY (device_id, seq)
) STRICT;
CREATE INDEX client_key_wraps_client ON client_key_wraps (client_id, key_id, reader);

-- Records in the log this device cannot open: of clients whose key it does not hold (not
-- assigned to it, or no longer). Applied as soon as a key for the client arrives; nothing else
-- retries them, and they block nothing.
CREATE TABLE unopened_record (
    device_id BLOB NOT NULL,
    seq       INTEGER NOT NULL,
    client_id BLOB NOT NULL,
    reason    TEXT NOT NULL,
    PRIMARY KEY (device_id, seq)
) STRICT;
CREATE INDEX unopened_record_client ON unopened_record (client_id);

-- Clients whose readers may lack a key wrap (a new assignment), and the roster version the
-- last full pass over all clients saw: a supervisor's device wraps keys to new readers.
CREATE TABLE rewrap_due (
    client_id BLOB PRIMARY KEY NOT NULL
) STRICT;
CREATE TABLE rewrap_pass (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    roster_version INTEGER NOT NULL
) STRICT;
