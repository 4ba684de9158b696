-- Teduh local store, schema 4: records sealed whole (one AEAD per record, compressed first) under
-- team-key epochs, and the device's binding to a sync server.
-- Numbered files are never edited once landed; add a new file instead.
--
-- Records of schema 2-3 sealed each field separately under the client key alone; they cannot be
-- converted without the keys, so they are kept aside untouched (`*_v1` tables, never read) and
-- the record tables start empty. This only affects pre-release development vaults.
ALTER TABLE record_log RENAME TO record_log_v1;
DROP TRIGGER record_log_gapless;
DROP TRIGGER record_log_no_update;
ALTER TABLE client_keys RENAME TO client_keys_v1;
DELETE FROM entities;
-- Rowid tables from here on: their rows hold envelopes and payloads of up to several KB, which
-- WITHOUT ROWID B-trees store inline and rebalance expensively (measured: receiving a page).
DROP TABLE entity_fields;
CREATE TABLE entity_fields (
    entity_id BLOB NOT NULL,
    field     TEXT NOT NULL,
    hlc       INTEGER NOT NULL,
    device_id BLOB NOT NULL,
    seq       INTEGER NOT NULL,
    value     BLOB NOT NULL,
    rank      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (entity_id, field)
) STRICT;

-- The record log. `epoch` is the team-key epoch the payload is sealed under (0: this device's
-- provisional key, before it joined a team); `payload` = nonce || AES-256-GCM(compressed
-- fields); the signature covers every column.
CREATE TABLE record_log (
    device_id BLOB NOT NULL,
    seq       INTEGER NOT NULL CHECK (seq >= 1),
    hlc       INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    op        TEXT NOT NULL CHECK (op IN ('create', 'update')),
    entity_id BLOB NOT NULL,
    client_id BLOB NOT NULL,
    parent_id BLOB,
    epoch     INTEGER NOT NULL CHECK (epoch >= 0),
    payload   BLOB NOT NULL,
    signature BLOB NOT NULL,
    PRIMARY KEY (device_id, seq)
) STRICT;

CREATE TRIGGER record_log_gapless BEFORE INSERT ON record_log
WHEN NEW.seq != COALESCE((SELECT MAX(seq) FROM record_log WHERE device_id = NEW.device_id), 0) + 1
BEGIN
    SELECT RAISE(ABORT, 'record_log: device sequence must be gapless');
END;

-- The device and the server: which team, which device id the server gave us, the bearer token
-- (sealed to the member's X25519 key), how far the server acknowledged our log, and how far we
-- pulled the team's.
CREATE TABLE sync_binding (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    server_url     TEXT NOT NULL,
    username       TEXT NOT NULL,
    team           INTEGER NOT NULL,
    member         INTEGER NOT NULL,
    device         INTEGER NOT NULL,
    role           TEXT NOT NULL,
    token_sealed   BLOB NOT NULL,
    acked_seq      INTEGER NOT NULL DEFAULT 0,
    pull_cursor    INTEGER NOT NULL DEFAULT 0,
    current_epoch  INTEGER NOT NULL DEFAULT 0,
    roster_version INTEGER NOT NULL DEFAULT 0,
    roster         BLOB,
    roster_signer  BLOB,
    last_success   INTEGER,
    last_attempt   INTEGER,
    last_error     TEXT,
    clock_offset_ms INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Records only this device has not had acknowledged may be rewritten (re-sealed under a newer
-- epoch, re-stamped when the clock was far ahead); acknowledged ones never change.
CREATE TRIGGER record_log_no_update BEFORE UPDATE ON record_log
WHEN OLD.seq <= COALESCE((SELECT acked_seq FROM sync_binding WHERE id = 1), 0)
     OR OLD.device_id != (SELECT device_id FROM identity WHERE id = 1)
BEGIN
    SELECT RAISE(ABORT, 'record_log: acknowledged and received records are immutable');
END;

-- Per-client data keys, sealed for this device at rest (the log holds them sealed under the
-- team key of their epoch).
CREATE TABLE client_keys (
    client_id BLOB PRIMARY KEY NOT NULL,
    device_id BLOB NOT NULL,
    seq       INTEGER NOT NULL,
    wrapped   BLOB NOT NULL
) STRICT, WITHOUT ROWID;

-- Every version of every field that is not the current one (the winner is in entity_fields):
-- earlier and losing concurrent versions stay readable as conflict revisions.
CREATE TABLE field_versions (
    entity_id BLOB NOT NULL,
    field     TEXT NOT NULL,
    device_id BLOB NOT NULL,
    seq       INTEGER NOT NULL,
    hlc       INTEGER NOT NULL,
    rank      INTEGER NOT NULL,
    value     BLOB NOT NULL,
    PRIMARY KEY (entity_id, field, device_id, seq)
) STRICT;

-- Records received from the team that could not be applied yet (unknown device, missing key,
-- bad signature...): kept, reported, retried when the roster or keys change. Nothing is lost.
CREATE TABLE sync_held (
    device    INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    reason    TEXT NOT NULL,
    record    BLOB NOT NULL,
    PRIMARY KEY (device, seq)
) STRICT, WITHOUT ROWID;
