-- Teduh local store, schema 17: each record keeps the format it was written in. Format 2 (every
-- record before this schema): header in clear on the wire, signature over the whole payload.
-- Format 3: header sealed under the epoch's team key on the wire, signature over the payload's
-- hash. The format decides the signed bytes, so a record's stays what it was written in.
-- Numbered files are never edited once landed; add a new file instead.
ALTER TABLE record_log ADD COLUMN format INTEGER NOT NULL DEFAULT 2 CHECK (format >= 2);
