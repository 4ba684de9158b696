-- Teduh sync server on SQLite, schema 1: server metadata.
-- Numbered files are never edited once landed; add a new file instead.
CREATE TABLE server_meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL
) STRICT;
