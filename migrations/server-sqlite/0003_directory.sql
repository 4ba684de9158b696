-- Teduh sync server on SQLite, schema 3: published directory bundles (public data, signed by the
-- publisher; the server stores and serves the exact bytes).
CREATE TABLE directory_bundles (
    version      INTEGER PRIMARY KEY,
    bundle       BLOB NOT NULL,
    sha256       BLOB NOT NULL,
    published_at INTEGER NOT NULL
) STRICT;
