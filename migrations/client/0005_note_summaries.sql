-- Teduh local store, schema 5: a sealed summary per session note for supervision.
-- Numbered files are never edited once landed; add a new file instead.
-- Derived from the log like the other materialised tables (rebuilt with them): the note's
-- author, session time and risk sealed together in one envelope under the client's data key,
-- so the review queue and the dashboard read one row and open one envelope per note.
CREATE TABLE note_summaries (
    note_id   BLOB PRIMARY KEY NOT NULL,
    client_id BLOB NOT NULL,
    sealed    BLOB NOT NULL
) STRICT;
