-- Teduh local store, schema 1: device metadata.
-- Numbered files are never edited once landed; add a new file instead.
CREATE TABLE device_meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL
) STRICT;
