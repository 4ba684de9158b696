-- Teduh sync server on SQLite, schema 6: rotating tokens (issue 27, item 3; decisions/0013).
-- Numbered files are never edited once landed; add a new file instead.
--
-- token_hash / expires_at now hold the short-lived access token (at most an hour). A device
-- renews it with the next token of its refresh chain (POST /v1/token; teduh_protocol's
-- sync::refresh):
--   refresh_head           the last refresh token accepted, or the chain's anchor: a token is
--                          accepted when it hashes forward to it, and refused as reused when it
--                          is it or lies behind it (nothing secret is stored);
--   refresh_expires_at     when the next refresh token stops being accepted (90 days after the
--                          last renewal);
--   refresh_bootstrap_hash SHA-256 of the single token of a device that joined before this
--                          schema: presented once with an anchor, it starts the device's chain;
--                          presented again afterwards, it was copied;
--   revoked_reason         NULL, or 'refresh_reused' when the server revoked the device itself.
ALTER TABLE devices ADD COLUMN refresh_head BLOB;
ALTER TABLE devices ADD COLUMN refresh_expires_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN refresh_bootstrap_hash BLOB;
ALTER TABLE devices ADD COLUMN revoked_reason TEXT;
UPDATE devices SET refresh_bootstrap_hash = token_hash,
    refresh_expires_at = MIN(expires_at, CAST(strftime('%s', 'now') AS INTEGER) + 7776000),
    expires_at = MIN(expires_at, CAST(strftime('%s', 'now') AS INTEGER) + 3600);
