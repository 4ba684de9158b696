-- Teduh local store, schema 15: risk episodes (issue 22). Episodes and the on-call rota are
-- records of the log like any other (no table for them); these two tables are this device's
-- own bookkeeping. Numbered files are never edited once landed; add a new file instead.
--
-- One-time steps an upgrade runs once the vault is unlocked (they need the keys, so a migration
-- cannot do them): the first turns recent red flags into open episodes.
CREATE TABLE upgrade_steps (
    step    TEXT PRIMARY KEY NOT NULL,
    done_at INTEGER NOT NULL
) STRICT;

-- The content-free alerts this device has had the server send for an episode: once when it
-- opened here, once when it went past its deadline unacknowledged.
CREATE TABLE urgent_signals (
    episode_id BLOB NOT NULL,
    overdue    INTEGER NOT NULL,
    sent_at    INTEGER NOT NULL,
    PRIMARY KEY (episode_id, overdue)
) STRICT;
