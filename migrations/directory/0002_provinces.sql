-- Teduh directory index, schema 2: an entry may cover several provinces.
-- Numbered files are never edited once landed; add a new file instead.
CREATE TABLE entry_province (
    entry    INTEGER NOT NULL REFERENCES entry (rowid) ON DELETE CASCADE,
    province TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (entry, province)
) STRICT;

-- An index written by schema 1 holds one province per entry: carry it over, so the region
-- filter works before the next bundle is applied.
INSERT INTO entry_province (entry, province)
SELECT rowid, province FROM entry WHERE province <> '';
