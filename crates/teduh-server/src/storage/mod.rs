//! The server's storage: one trait, two backends, one contract test suite.

pub mod postgres;
pub mod sqlite;

use std::future::Future;
use std::pin::Pin;

/// A boxed future, so that [`Storage`] can be used as a trait object.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Errors from a storage backend.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database cannot be reached or answered with an error.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The database has a schema newer than this server understands.
    #[error("the database has schema version {found}, newer than this server understands ({supported}); upgrade teduh-server")]
    TooNew {
        /// Version found in the database.
        found: i64,
        /// Highest version this binary knows.
        supported: i64,
    },
}

/// What the server needs from its database. Implementations: SQLite and PostgreSQL.
pub trait Storage: Send + Sync + 'static {
    /// Short backend name for `/healthz` and logs: `"sqlite"` or `"postgres"`.
    fn backend(&self) -> &'static str;

    /// Checks that the database answers. Fails when it does not.
    fn ping(&self) -> BoxFuture<'_, Result<(), StorageError>>;

    /// The schema version the database is at.
    fn schema_version(&self) -> BoxFuture<'_, Result<i64, StorageError>>;
}

/// Hides the password of a database URL (`postgres://user:secret@host/db` ->
/// `postgres://user:***@host/db`) so it never reaches logs or error messages.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_leave_redact_url() {
        assert_eq!(
            redact_url("postgres://teduh:hunter2@db.example:5432/teduh"),
            "postgres://teduh:***@db.example:5432/teduh"
        );
        assert_eq!(redact_url("postgres://db/teduh"), "postgres://db/teduh");
    }
}
