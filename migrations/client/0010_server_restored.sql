-- Teduh local store, schema 10: when this device last found its server restored from a backup.
-- Numbered files are never edited once landed; add a new file instead.
--
-- Set when the server holds less than this device knows it once held (records it acknowledged,
-- the team roster, key epochs); the device then re-publishes what it holds. Shown as an
-- informational notice, never as a security alarm. NULL: never seen.
ALTER TABLE sync_binding ADD COLUMN server_restored_at INTEGER;

-- A key manager's device remembers whom it sealed the newest epoch it published to, so that a
-- member the server did not know then (restored from a backup) gets the keys once she is back.
-- JSON {"epoch": N, "members": [ids]}; NULL: this device published no epoch.
ALTER TABLE sync_binding ADD COLUMN sealed_to TEXT;
