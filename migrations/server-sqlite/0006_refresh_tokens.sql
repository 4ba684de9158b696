-- Teduh sync server on SQLite, schema 6: rotating tokens (issue 27, item 3).
-- Numbered files are never edited once landed; add a new file instead.
--
-- token_hash / expires_at now hold the short-lived access token (at most an hour). A device
-- renews it with its refresh token (POST /v1/token), which rotates at every renewal and lives at
-- most 90 days:
--   refresh_hash          SHA-256 of the current refresh token;
--   refresh_expires_at    when it stops working;
--   previous_refresh_hash the one it replaced: presented again while the new access token was
--                         never used, it means the answer was lost on the way (a re-issue);
--                         otherwise it was copied (the device is revoked);
--   access_used           whether the current access token has authenticated a request;
--   revoked_reason        NULL, or 'refresh_reused' when the server revoked the device itself.
-- spent_refresh_tokens keeps every older refresh token's hash until it would have expired, so
-- that presenting one is recognised as reuse rather than as an unknown token.
--
-- A device that joined before this schema holds a single token: it becomes the refresh token as
-- well, and the access token it is also expires within the hour.
ALTER TABLE devices ADD COLUMN refresh_hash BLOB;
ALTER TABLE devices ADD COLUMN refresh_expires_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN previous_refresh_hash BLOB;
ALTER TABLE devices ADD COLUMN access_used INTEGER NOT NULL DEFAULT 1;
ALTER TABLE devices ADD COLUMN revoked_reason TEXT;
UPDATE devices SET refresh_hash = token_hash,
    refresh_expires_at = MIN(expires_at, CAST(strftime('%s', 'now') AS INTEGER) + 7776000),
    expires_at = MIN(expires_at, CAST(strftime('%s', 'now') AS INTEGER) + 3600);
CREATE UNIQUE INDEX devices_refresh ON devices(refresh_hash);
CREATE UNIQUE INDEX devices_previous_refresh ON devices(previous_refresh_hash);

CREATE TABLE spent_refresh_tokens (
    hash      BLOB PRIMARY KEY,
    device_id INTEGER NOT NULL REFERENCES devices(id),
    spent_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX spent_refresh_device ON spent_refresh_tokens(device_id, spent_at);
