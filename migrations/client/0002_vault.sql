-- Teduh local store, schema 2: the encrypted vault and the record log.
-- Numbered files are never edited once landed; add a new file instead.
-- Nothing sensitive is stored in clear: ids, kinds, timestamps and sequence numbers only.
-- Every value column holds an AES-256-GCM envelope (teduh_protocol::envelope).

-- The member identity of this device: Argon2id parameters and salt, the private keys wrapped
-- under the passphrase-derived key-encryption key, and the public keys.
CREATE TABLE identity (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    member_id       BLOB NOT NULL,
    device_id       BLOB NOT NULL,
    team_id         BLOB NOT NULL,
    kdf_algorithm   TEXT NOT NULL,
    kdf_m_cost_kib  INTEGER NOT NULL,
    kdf_t_cost      INTEGER NOT NULL,
    kdf_p_cost      INTEGER NOT NULL,
    kdf_salt        BLOB NOT NULL,
    kek_id          BLOB NOT NULL,
    wrapped_secrets BLOB NOT NULL,
    x25519_public   BLOB NOT NULL,
    ed25519_public  BLOB NOT NULL
) STRICT;

-- Team keys (one per epoch), each sealed to this member's X25519 public key.
CREATE TABLE team_keys (
    key_id  BLOB PRIMARY KEY NOT NULL,
    team_id BLOB NOT NULL,
    epoch   INTEGER NOT NULL,
    sealed  BLOB NOT NULL,
    UNIQUE (team_id, epoch)
) STRICT;

-- The record log: every change, in the order each device made it. Payload = list of
-- (field name, envelope); signature = Ed25519 by the author device over the whole record.
CREATE TABLE record_log (
    device_id BLOB NOT NULL,
    seq       INTEGER NOT NULL CHECK (seq >= 1),
    hlc       INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    op        TEXT NOT NULL CHECK (op IN ('create', 'update')),
    entity_id BLOB NOT NULL,
    client_id BLOB NOT NULL,
    parent_id BLOB,
    key_id    BLOB NOT NULL,
    payload   BLOB NOT NULL,
    signature BLOB NOT NULL,
    PRIMARY KEY (device_id, seq)
) STRICT, WITHOUT ROWID;

-- A device's log is gapless: record n+1 can only follow record n.
CREATE TRIGGER record_log_gapless BEFORE INSERT ON record_log
WHEN NEW.seq != COALESCE((SELECT MAX(seq) FROM record_log WHERE device_id = NEW.device_id), 0) + 1
BEGIN
    SELECT RAISE(ABORT, 'record_log: device sequence must be gapless');
END;

-- The log is append-only.
CREATE TRIGGER record_log_no_update BEFORE UPDATE ON record_log
BEGIN
    SELECT RAISE(ABORT, 'record_log: records are immutable');
END;

-- Materialised state, derived from the log (see teduh_core::records::rebuild).
-- Per-client data keys, wrapped under the team key.
CREATE TABLE client_keys (
    client_id   BLOB PRIMARY KEY NOT NULL,
    team_key_id BLOB NOT NULL,
    device_id   BLOB NOT NULL,
    seq         INTEGER NOT NULL,
    wrapped     BLOB NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE entities (
    entity_id      BLOB PRIMARY KEY NOT NULL,
    kind           TEXT NOT NULL,
    client_id      BLOB NOT NULL,
    parent_id      BLOB,
    created_hlc    INTEGER NOT NULL,
    created_device BLOB NOT NULL,
    created_seq    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX entities_by_client ON entities (client_id, kind, created_hlc);
CREATE INDEX entities_by_kind ON entities (kind, client_id);

-- Each field holds the envelope of the record that last wrote it (last writer wins by
-- (hlc, device_id)); the envelope's associated data names that record.
CREATE TABLE entity_fields (
    entity_id BLOB NOT NULL,
    field     TEXT NOT NULL,
    hlc       INTEGER NOT NULL,
    device_id BLOB NOT NULL,
    seq       INTEGER NOT NULL,
    value     BLOB NOT NULL,
    PRIMARY KEY (entity_id, field)
) STRICT, WITHOUT ROWID;
