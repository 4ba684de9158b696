-- Teduh local store, schema 22: retention (issue 26, UU PDP Ps 43-44): a draft note past its
-- retention period is destroyed on its own, its client's other records kept.
-- Numbered files are never edited once landed; add a new file instead.

-- The single records erased here (a draft note), by which erasure record and when it was
-- applied: like an erased client's, their bodies and decrypted copies go, and a record of
-- theirs that arrives later is erased on arrival.
CREATE TABLE erased_entity (
    entity_id  BLOB PRIMARY KEY NOT NULL,
    client_id  BLOB NOT NULL,
    erasure_id BLOB NOT NULL,
    applied_at INTEGER NOT NULL
) STRICT;
