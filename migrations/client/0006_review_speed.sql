-- Teduh local store, schema 6: what the review queue and the team dashboard read in bulk.
-- Numbered files are never edited once landed; add a new file instead.
--
-- Finalised notes and when they were finalised, without touching the rest of entity_fields:
-- a partial index over plaintext metadata the table already holds (which entity has a
-- `finalised_at` field, and its timestamp). SQLite fills it here and maintains it on every
-- write; the queue read 50,000 scattered rows of entity_fields to learn the same.
CREATE INDEX entity_fields_finalised ON entity_fields (entity_id, hlc)
    WHERE field = 'finalised_at';

-- The few fields the dashboard and the review states read across all clients (a review's
-- action, a task's due and done dates, a risk entry's level, a referral's status): a covering
-- partial index holding their stored envelopes (the same ciphertext as the table, nothing
-- decrypted), so one contiguous scan replaces thousands of scattered lookups in the table.
CREATE INDEX entity_fields_supervision ON entity_fields (field, entity_id, device_id, seq, value)
    WHERE field IN ('action', 'done_at', 'due', 'level', 'status');

-- A sealed summary per screening (whether its answers raised a red flag), under the client's
-- data key like note_summaries, so the queue learns which clients raised one without
-- decrypting and re-scoring every screening. Derived from the log like the other
-- materialised tables (emptied and refilled by a rebuild); rows missing after the upgrade
-- from schema 5 are filled at the next unlock.
CREATE TABLE screening_summaries (
    screening_id BLOB PRIMARY KEY NOT NULL,
    client_id    BLOB NOT NULL,
    sealed       BLOB NOT NULL
) STRICT;
