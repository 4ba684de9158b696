-- Teduh sync server on SQLite, schema 2: organisation, teams, members, devices, key material and
-- the record log. All key material and record payloads are opaque ciphertext, stored as BLOBs.
-- Times are Unix seconds (UTC).

-- One organisation per server.
CREATE TABLE org (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- key_epoch: the current team-key epoch (0 = none yet). last_seq: the team log's last assigned
-- sequence; it is only advanced inside the (serialised) push transaction.
CREATE TABLE teams (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    key_epoch  INTEGER NOT NULL DEFAULT 0,
    last_seq   INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Only the SHA-256 of an invitation code is stored.
CREATE TABLE invitations (
    id         INTEGER PRIMARY KEY,
    team_id    INTEGER NOT NULL REFERENCES teams(id),
    role       TEXT NOT NULL,
    code_hash  BLOB NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    used_by    INTEGER
) STRICT;

-- verifier: Argon2id hash of the client-derived authentication secret (never the passphrase).
CREATE TABLE members (
    id           INTEGER PRIMARY KEY,
    team_id      INTEGER NOT NULL REFERENCES teams(id),
    username     TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL,
    public_keys  BLOB NOT NULL,
    wrapped_keys BLOB NOT NULL,
    kdf_params   BLOB NOT NULL,
    verifier     BLOB NOT NULL,
    created_at   INTEGER NOT NULL,
    removed_at   INTEGER
) STRICT;
CREATE INDEX members_team ON members(team_id);

-- token_hash: SHA-256 of the random bearer token. contiguous_seq: highest device_seq such that
-- 1..=it are all stored.
CREATE TABLE devices (
    id             INTEGER PRIMARY KEY,
    member_id      INTEGER NOT NULL REFERENCES members(id),
    name           TEXT NOT NULL,
    token_hash     BLOB NOT NULL UNIQUE,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    revoked_at     INTEGER,
    contiguous_seq INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX devices_member ON devices(member_id);

CREATE TABLE rosters (
    team_id    INTEGER NOT NULL REFERENCES teams(id),
    version    INTEGER NOT NULL,
    roster     BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (team_id, version)
) STRICT, WITHOUT ROWID;

CREATE TABLE team_key_envelopes (
    team_id   INTEGER NOT NULL REFERENCES teams(id),
    epoch     INTEGER NOT NULL,
    member_id INTEGER NOT NULL REFERENCES members(id),
    envelope  BLOB NOT NULL,
    PRIMARY KEY (team_id, epoch, member_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX team_key_envelopes_member ON team_key_envelopes(member_id, epoch);

CREATE TABLE client_key_wraps (
    team_id   INTEGER NOT NULL REFERENCES teams(id),
    epoch     INTEGER NOT NULL,
    client_id BLOB NOT NULL,
    wrap      BLOB NOT NULL,
    PRIMARY KEY (team_id, epoch, client_id)
) STRICT, WITHOUT ROWID;

-- The record log. (team_id, team_seq) is the pull order; (device_id, device_seq) the push identity.
CREATE TABLE records (
    team_id    INTEGER NOT NULL REFERENCES teams(id),
    team_seq   INTEGER NOT NULL,
    device_id  INTEGER NOT NULL REFERENCES devices(id),
    device_seq INTEGER NOT NULL,
    key_epoch  INTEGER NOT NULL,
    hlc        INTEGER NOT NULL,
    payload    BLOB NOT NULL,
    PRIMARY KEY (team_id, team_seq)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX records_device ON records(device_id, device_seq);
