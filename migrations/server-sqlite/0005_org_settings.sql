-- Teduh sync server on SQLite, schema 5: the organisation's signed settings (trust 2/3).
-- Numbered files are never edited once landed; add a new file instead.
--
-- org_key: the public half of the organisation root key an administrator's device registered
-- with its first settings upload (32 bytes); the server checks uploads against it to refuse
-- junk, and devices never trust it (their signed roster names the key). settings: the newest
-- signed settings record (opaque to the server but for its version), settings_version its
-- version (0: none).
ALTER TABLE org ADD COLUMN org_key BLOB;
ALTER TABLE org ADD COLUMN settings BLOB;
ALTER TABLE org ADD COLUMN settings_version INTEGER NOT NULL DEFAULT 0;
