-- Teduh directory index (public data, not encrypted), schema 1.
-- Numbered files are never edited once landed; add a new file instead.
CREATE TABLE directory_meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE entry (
    rowid          INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    category       TEXT NOT NULL,
    coverage_level TEXT NOT NULL,
    province       TEXT NOT NULL,
    area           TEXT NOT NULL,
    json           TEXT NOT NULL
) STRICT;

-- unicode61 with remove_diacritics 2 folds case and accents on both the text and the query.
CREATE VIRTUAL TABLE entry_fts USING fts5(
    name, services, place, terms,
    tokenize = 'unicode61 remove_diacritics 2'
);
