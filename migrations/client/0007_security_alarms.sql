-- Teduh local store, schema 7: security alarms.
-- Numbered files are never edited once landed; add a new file instead.
--
-- What a device refused to apply because it can only be an attack or a fault in another
-- device: a second, differently signed record under a (device, seq) already applied
-- (equivocation). The record as received is kept for whoever investigates; it is never applied
-- and never retried. Ciphertext only: the payload stays sealed as it arrived.
CREATE TABLE security_alarm (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    device     INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    detail     TEXT NOT NULL,
    record     BLOB NOT NULL,
    first_seen INTEGER NOT NULL,
    UNIQUE (kind, device, seq)
) STRICT;
