-- Teduh local store, schema 15: one-time steps an upgrade runs once the vault is unlocked
-- (they need the keys, so a migration cannot do them). Issue 22's first step turns recent red
-- flags into open risk episodes. Numbered files are never edited once landed.
CREATE TABLE upgrade_steps (
    step    TEXT PRIMARY KEY NOT NULL,
    done_at INTEGER NOT NULL
) STRICT;
