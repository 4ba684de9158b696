-- Teduh local store, schema 8: re-sending what a restored server lost.
-- Numbered files are never edited once landed; add a new file instead.
--
-- The device is the source of truth for its own log. When the server holds less of it than it
-- once acknowledged (it was restored from a backup), the device re-sends records
-- resend_after+1 ..= acked_seq exactly as they were first sent (they are never re-sealed or
-- re-stamped: other devices may hold them already). NULL: nothing to re-send.
ALTER TABLE sync_binding ADD COLUMN resend_after INTEGER;
