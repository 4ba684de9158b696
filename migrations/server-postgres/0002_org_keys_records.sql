-- Teduh sync server on PostgreSQL, schema 2: organisation, teams, members, devices, key material
-- and the record log. All key material and record payloads are opaque ciphertext, stored as BYTEA.
-- Times are Unix seconds (UTC).

CREATE TABLE org (
    id         SMALLINT PRIMARY KEY CHECK (id = 1),
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- last_seq is advanced only by the push transaction, which holds this row's lock (FOR UPDATE)
-- until commit: team sequences therefore become visible in order, and a reader's cursor can
-- never pass a record that commits later.
CREATE TABLE teams (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    key_epoch  BIGINT NOT NULL DEFAULT 0,
    last_seq   BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE invitations (
    id         BIGSERIAL PRIMARY KEY,
    team_id    BIGINT NOT NULL REFERENCES teams(id),
    role       TEXT NOT NULL,
    code_hash  BYTEA NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    used_by    BIGINT
);

CREATE TABLE members (
    id           BIGSERIAL PRIMARY KEY,
    team_id      BIGINT NOT NULL REFERENCES teams(id),
    username     TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL,
    public_keys  BYTEA NOT NULL,
    wrapped_keys BYTEA NOT NULL,
    kdf_params   BYTEA NOT NULL,
    verifier     BYTEA NOT NULL,
    created_at   BIGINT NOT NULL,
    removed_at   BIGINT
);
CREATE INDEX members_team ON members(team_id);

CREATE TABLE devices (
    id             BIGSERIAL PRIMARY KEY,
    member_id      BIGINT NOT NULL REFERENCES members(id),
    name           TEXT NOT NULL,
    token_hash     BYTEA NOT NULL UNIQUE,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    revoked_at     BIGINT,
    contiguous_seq BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX devices_member ON devices(member_id);

CREATE TABLE rosters (
    team_id    BIGINT NOT NULL REFERENCES teams(id),
    version    BIGINT NOT NULL,
    roster     BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (team_id, version)
);

CREATE TABLE team_key_envelopes (
    team_id   BIGINT NOT NULL REFERENCES teams(id),
    epoch     BIGINT NOT NULL,
    member_id BIGINT NOT NULL REFERENCES members(id),
    envelope  BYTEA NOT NULL,
    PRIMARY KEY (team_id, epoch, member_id)
);
CREATE INDEX team_key_envelopes_member ON team_key_envelopes(member_id, epoch);

CREATE TABLE client_key_wraps (
    team_id   BIGINT NOT NULL REFERENCES teams(id),
    epoch     BIGINT NOT NULL,
    client_id BYTEA NOT NULL,
    wrap      BYTEA NOT NULL,
    PRIMARY KEY (team_id, epoch, client_id)
);

CREATE TABLE records (
    team_id    BIGINT NOT NULL REFERENCES teams(id),
    team_seq   BIGINT NOT NULL,
    device_id  BIGINT NOT NULL REFERENCES devices(id),
    device_seq BIGINT NOT NULL,
    key_epoch  BIGINT NOT NULL,
    hlc        BIGINT NOT NULL,
    payload    BYTEA NOT NULL,
    PRIMARY KEY (team_id, team_seq)
);
-- Payloads are already encrypted (incompressible): skip TOAST compression attempts.
ALTER TABLE records ALTER COLUMN payload SET STORAGE EXTERNAL;
CREATE UNIQUE INDEX records_device ON records(device_id, device_seq);
