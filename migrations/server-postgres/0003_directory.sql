-- Teduh sync server on PostgreSQL, schema 3: published directory bundles (public data, signed by
-- the publisher; the server stores and serves the exact bytes).
CREATE TABLE directory_bundles (
    version      BIGINT PRIMARY KEY,
    bundle       BYTEA NOT NULL,
    sha256       BYTEA NOT NULL,
    published_at BIGINT NOT NULL
);
