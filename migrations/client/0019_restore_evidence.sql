-- Teduh local store, schema 19: telling a real server restore from a server that withholds
-- (issue 18, trust 3/3). After a restore, records only their author can send again stay missing
-- until she reconnects; that is informational, not an alarm, until she is seen back.
-- Numbered files are never edited once landed; add a new file instead.

-- The newest time (HLC, as stored) at which each device's log was last seen to hold a record,
-- from the record times other devices' checkpoints state: the evidence that an author has been
-- active since a restore.
CREATE TABLE log_seen (
    device_id BLOB PRIMARY KEY NOT NULL,
    hlc       INTEGER NOT NULL
) STRICT;

-- The newest restore this device knows of (Unix milliseconds): found itself, or stated by
-- another device's checkpoint. 0: none.
ALTER TABLE sync_binding ADD COLUMN restore_seen_ms INTEGER NOT NULL DEFAULT 0;
-- 1 while a restore this device found itself has not been stated in a checkpoint yet.
ALTER TABLE sync_binding ADD COLUMN restore_unstated INTEGER NOT NULL DEFAULT 0;

-- The restore time an expectation's grace was first measured from (Unix milliseconds; NULL: not
-- in grace). Never moved later, so a server that fakes a restore every round cannot extend it.
ALTER TABLE checkpoint_expect ADD COLUMN grace_from INTEGER;

-- The newest of this device's sequences ever sent in a push (acknowledged or not): a record the
-- server may hold keeps its wire form (an upgrade to a newer format rewrites only later ones).
ALTER TABLE sync_binding ADD COLUMN sent_through INTEGER NOT NULL DEFAULT 0;

-- A held copy that parsed and verified, or cannot be checked yet (its epoch's key, an update):
-- 0 for one that failed its check, which is junk and says nothing about a record's arrival.
ALTER TABLE sync_held ADD COLUMN checked INTEGER NOT NULL DEFAULT 1;
