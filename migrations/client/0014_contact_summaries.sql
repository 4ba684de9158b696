-- Teduh local store, schema 14: the hotline and chat contact log (issue 20).
-- Numbered files are never edited once landed; add a new file instead.
--
-- Contacts are records of kind `contact` in the log like every other record (no new table for
-- them). This is their sealed summary, one row per contact: everything the contact list, its
-- filter, the repeat-caller lookup and the supervisor's queue read, sealed in one envelope
-- under the contact's data key (or, for a contact copied into a client's timeline, the
-- client's), so listing 50,000 contacts opens one envelope each instead of every field.
-- Derived from the log like note_summaries (emptied and refilled by a rebuild).
CREATE TABLE contact_summaries (
    contact_id BLOB PRIMARY KEY NOT NULL,
    client_id  BLOB NOT NULL,
    sealed     BLOB NOT NULL
) STRICT;
