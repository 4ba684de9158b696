-- Teduh local store, schema 9: a client's data key proven by its creator.
-- Numbered files are never edited once landed; add a new file instead.
--
-- A new client's id is derived from its creating device and a nonce carried (encrypted) in its
-- data-key record, so a receiver can tell the creator's key from anyone else's. A proven key
-- wins over an unproven one whatever the order of arrival or replay (a server could deliver a
-- colleague's key for a new client first); among equals the lowest (device, seq) wins as before.
ALTER TABLE client_keys ADD COLUMN proven INTEGER NOT NULL DEFAULT 0;
