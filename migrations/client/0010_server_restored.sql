-- Teduh local store, schema 10: when this device last found its server restored from a backup.
-- Numbered files are never edited once landed; add a new file instead.
--
-- Set when the server holds less than this device knows it once held (records it acknowledged,
-- the team roster, key epochs); the device then re-publishes what it holds. Shown as an
-- informational notice, never as a security alarm. NULL: never seen.
ALTER TABLE sync_binding ADD COLUMN server_restored_at INTEGER;
