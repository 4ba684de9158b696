-- Teduh local store, schema 18: checkpoints (issue 18, trust 3/3). Each device states in a signed
-- record of its own log what it holds (roster, epoch, and each device's log as a running hash);
-- readers compare those statements with their own copy to detect a server that forks or withholds.
-- Numbered files are never edited once landed; add a new file instead.

-- The running hash of each device's log as held here: hash(n) = SHA-256(tag || hash(n-1) ||
-- SHA-256(signing bytes of record n)). Extended as records arrive (this device's own log only
-- through what the server acknowledged: earlier records may still be re-sealed).
CREATE TABLE log_chain (
    device_id BLOB NOT NULL,
    seq       INTEGER NOT NULL,
    hash      BLOB NOT NULL,
    PRIMARY KEY (device_id, seq)
) STRICT, WITHOUT ROWID;

-- What this device's last checkpoint stated of each device's log (the next one states only the
-- logs that moved on).
CREATE TABLE checkpoint_stated (
    device_id BLOB PRIMARY KEY NOT NULL,
    seq       INTEGER NOT NULL
) STRICT;

-- What another device's checkpoint named that this device does not hold yet: a record
-- (`record`, device, seq, running hash), a roster version (`roster`, seq = version) or an epoch
-- (`epoch`, seq = epoch). `rounds` counts complete pulls that did not bring it; the second one
-- raises a withholding alarm.
CREATE TABLE checkpoint_expect (
    what      TEXT NOT NULL CHECK (what IN ('record', 'roster', 'epoch')),
    device_id BLOB NOT NULL,
    seq       INTEGER NOT NULL,
    hash      BLOB,
    named_by  INTEGER NOT NULL,
    rounds    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (what, device_id, seq)
) STRICT;

-- The newest checkpoint seen from each device (its own included): when, and what roster and
-- epoch it stated (when a key manager last confirmed the roster this device holds).
CREATE TABLE checkpoint_seen (
    device_id      BLOB PRIMARY KEY NOT NULL,
    hlc            INTEGER NOT NULL,
    roster_version INTEGER NOT NULL,
    epoch          INTEGER NOT NULL
) STRICT;

-- The roster version and epoch this device's last checkpoint stated.
ALTER TABLE sync_binding ADD COLUMN checkpoint_roster INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_binding ADD COLUMN checkpoint_epoch INTEGER NOT NULL DEFAULT 0;

-- Received records kept aside: every distinct copy of a (device, seq), so a junk copy a server
-- planted first cannot push out the genuine one (the copy's SHA-256 tells them apart).
CREATE TABLE sync_held_copies (
    device    INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    digest    BLOB NOT NULL,
    reason    TEXT NOT NULL,
    record    BLOB NOT NULL,
    PRIMARY KEY (device, seq, digest)
) STRICT, WITHOUT ROWID;
INSERT INTO sync_held_copies (device, seq, digest, reason, record)
    SELECT device, seq, zeroblob(32), reason, record FROM sync_held;
DROP TABLE sync_held;
ALTER TABLE sync_held_copies RENAME TO sync_held;
