-- Teduh local store, schema 20: erasure by crypto-shredding (issue 26, UU PDP Ps 43-44).
-- Numbered files are never edited once landed; add a new file instead.

-- An erased record keeps its routing fields, its header and its signature; its sealed body is
-- replaced by nothing, and the length and SHA-256 its signature covers are kept in its place,
-- so the author's log stays gapless and every header still verifies (`records::verify_erased`).
ALTER TABLE record_log ADD COLUMN erased_len INTEGER;
ALTER TABLE record_log ADD COLUMN erased_sha256 BLOB;

-- Records stay immutable, with one exception: a body erased once, its digest kept.
DROP TRIGGER record_log_no_update;
CREATE TRIGGER record_log_no_update BEFORE UPDATE ON record_log
WHEN NOT (
        OLD.erased_sha256 IS NULL AND NEW.erased_sha256 IS NOT NULL AND NEW.payload = x''
        AND NEW.device_id = OLD.device_id AND NEW.seq = OLD.seq AND NEW.hlc = OLD.hlc
        AND NEW.kind = OLD.kind AND NEW.op = OLD.op AND NEW.entity_id = OLD.entity_id
        AND NEW.client_id = OLD.client_id AND NEW.parent_id IS OLD.parent_id
        AND NEW.epoch = OLD.epoch AND NEW.format = OLD.format AND NEW.signature = OLD.signature
    )
    AND (OLD.seq <= COALESCE((SELECT acked_seq FROM sync_binding WHERE id = 1), 0)
         OR OLD.device_id != (SELECT device_id FROM identity WHERE id = 1))
BEGIN
    SELECT RAISE(ABORT, 'record_log: acknowledged and received records are immutable');
END;

-- The clients erased here, by which erasure record (its entity) and when it was applied: a
-- record of theirs that arrives later is erased on arrival.
CREATE TABLE erased_client (
    client_id  BLOB PRIMARY KEY NOT NULL,
    erasure_id BLOB NOT NULL,
    applied_at INTEGER NOT NULL
) STRICT;
