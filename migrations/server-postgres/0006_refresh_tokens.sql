-- Teduh sync server on PostgreSQL, schema 6: rotating tokens (issue 27, item 3). The same
-- columns as the SQLite schema 6 (migrations/server-sqlite/0006_refresh_tokens.sql explains
-- each). Numbered files are never edited once landed; add a new file instead.
ALTER TABLE devices ADD COLUMN refresh_hash BYTEA UNIQUE;
ALTER TABLE devices ADD COLUMN refresh_expires_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN previous_refresh_hash BYTEA UNIQUE;
ALTER TABLE devices ADD COLUMN access_used BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE devices ADD COLUMN revoked_reason TEXT;
UPDATE devices SET refresh_hash = token_hash,
    refresh_expires_at = LEAST(expires_at, EXTRACT(EPOCH FROM now())::BIGINT + 7776000),
    expires_at = LEAST(expires_at, EXTRACT(EPOCH FROM now())::BIGINT + 3600);

CREATE TABLE spent_refresh_tokens (
    hash      BYTEA PRIMARY KEY,
    device_id BIGINT NOT NULL REFERENCES devices(id),
    spent_at  BIGINT NOT NULL
);
CREATE INDEX spent_refresh_device ON spent_refresh_tokens(device_id, spent_at);
