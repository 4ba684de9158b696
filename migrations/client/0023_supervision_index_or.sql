-- Teduh local store, schema 23: the supervision index's condition as equalities joined by OR.
-- Numbered files are never edited once landed; add a new file instead.
--
-- Schema 6 wrote it as `field IN (...)`. SQLite evaluates a partial index's condition on every
-- insert into entity_fields, and an IN list of more than two values builds a temporary B-tree
-- each time: a quarter of folding a pulled note into its fields (issue 27, item 4). Equalities
-- joined by OR select the same rows with plain comparisons. The queries that read through the
-- index repeat this condition word for word (`STORED_VALUES_SQL`), as SQLite requires.
DROP INDEX entity_fields_supervision;
CREATE INDEX entity_fields_supervision ON entity_fields (field, entity_id, device_id, seq, value)
    WHERE field = 'action' OR field = 'done_at' OR field = 'due' OR field = 'level'
       OR field = 'status';
