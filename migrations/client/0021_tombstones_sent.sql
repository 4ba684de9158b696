-- Teduh local store, schema 21: erased records reach the server (issue 26, UU PDP Ps 43-44).
-- Numbered files are never edited once landed; add a new file instead.

-- The erased records whose tombstones the server has taken (replaced the stored record, held
-- it already, or held nothing there): this device does not send them again, unless the server
-- turns out restored from a backup that may hold the bodies again (then the table is emptied).
CREATE TABLE tombstone_sent (
    device_id BLOB NOT NULL,
    seq       INTEGER NOT NULL,
    PRIMARY KEY (device_id, seq)
) STRICT, WITHOUT ROWID;

-- Every sync round reads the erased records (the tombstones still to send, and those no
-- erasure explains): a partial index keeps that from scanning the whole log.
CREATE INDEX record_log_erased ON record_log (device_id, seq) WHERE erased_sha256 IS NOT NULL;
