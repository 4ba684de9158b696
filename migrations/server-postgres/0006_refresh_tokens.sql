-- Teduh sync server on PostgreSQL, schema 6: rotating tokens (issue 27, item 3). The same
-- columns as the SQLite schema 6 (migrations/server-sqlite/0006_refresh_tokens.sql explains
-- each). Numbered files are never edited once landed; add a new file instead.
ALTER TABLE devices ADD COLUMN refresh_head BYTEA;
ALTER TABLE devices ADD COLUMN refresh_expires_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN refresh_bootstrap_hash BYTEA;
ALTER TABLE devices ADD COLUMN revoked_reason TEXT;
UPDATE devices SET refresh_bootstrap_hash = token_hash,
    refresh_expires_at = LEAST(expires_at, EXTRACT(EPOCH FROM now())::BIGINT + 7776000),
    expires_at = LEAST(expires_at, EXTRACT(EPOCH FROM now())::BIGINT + 3600);
