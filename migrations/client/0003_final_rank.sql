-- Teduh local store, schema 3: finalisation outranks ordinary edits.
-- Numbered files are never edited once landed; add a new file instead.
-- A record that finalises an entity (a session note) re-seals every content field and writes
-- them with rank 1; ordinary edits have rank 0. Last writer wins on (rank, hlc, device_id), so a
-- late or concurrent edit can never replace finalised text, whatever order records arrive in.
ALTER TABLE entity_fields ADD COLUMN rank INTEGER NOT NULL DEFAULT 0;
