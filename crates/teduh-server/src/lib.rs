//! The Teduh sync server.
//!
//! It authenticates devices, orders and serves encrypted records and keeps key envelopes, but
//! never holds a key that could read a note: everything personal arrives as ciphertext.
//!
//! Map of the crate:
//! - [`config::ServerConfig`]: listen address, data directory and database URL, from flags,
//!   environment (`TEDUH_SERVER_*`) and an optional TOML file, in that order of precedence.
//! - HTTP, from the outside in:
//!   - [`router`]: the routes and the middleware (request metrics and logs, idle-body timeout,
//!     rate limit of the authentication endpoints);
//!   - `handlers/` (private): one module per resource (health, auth, devices, members, roster,
//!     keys, records, directory); record pages use [`teduh_protocol::sync`];
//!   - [`extract`]: the extractors [`extract::ApiJson`] and [`extract::Authed`];
//!   - [`http_error`]: [`http_error::HttpError`] and its mapping from
//!     [`storage::StorageError`];
//!   - [`state`]: [`state::AppState`] and its [`state::Settings`] (also re-exported from
//!     [`router`]).
//! - [`storage::Storage`]: the one storage trait, with [`storage::sqlite::SqliteStorage`]
//!   (embedded default) and [`storage::postgres::PostgresStorage`] (`--database postgres://...`);
//!   the rules both enforce (invitations, tokens, epochs, envelopes, versions, pushes, page
//!   cutting) are pure functions in `storage/rules.rs`, called inside each backend's transaction.
//! - [`auth`]: verifiers, tokens, invitation codes, rate limiting; [`admin`]: the
//!   `teduh-server admin ...` commands; [`directory_admin`]: publishing directory bundles;
//!   [`metrics`]: Prometheus counters; [`openapi`]: the document served at `/openapi.json`.
//!
//! Entry points: [`serve`] (default settings), [`serve_with`] (explicit [`router::AppState`])
//! and, with the default `tls` feature, `serve_tls` (HTTPS with rustls).
//!
//! Ordering guarantee of the record log: a push assigns team sequences while holding the team's
//! write lock until commit (the single SQLite writer; `SELECT ... FOR UPDATE` on the team row in
//! PostgreSQL), so committed sequences are always a gapless prefix and a reader's cursor can never
//! pass a record that commits later. `tests/contract.rs` checks it with concurrent writers and
//! readers on both backends.

pub mod admin;
pub mod alerts;
pub mod auth;
pub mod config;
pub mod directory_admin;
pub mod extract;
mod handlers;
pub mod http_error;
pub mod metrics;
pub mod openapi;
pub mod router;
pub mod state;
pub mod storage;

use std::sync::Arc;

use anyhow::Context as _;

pub use config::ServerConfig;
pub use storage::Storage;

/// Version of this server build.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Opens the storage the configuration names: PostgreSQL when a `postgres://` URL is given,
/// otherwise the embedded SQLite file in the data directory.
///
/// Fails with a one-line explanation when the database cannot be opened or reached.
pub async fn open_storage(config: &ServerConfig) -> anyhow::Result<Arc<dyn Storage>> {
    match &config.database {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            let pg = storage::postgres::PostgresStorage::connect(url).await?;
            Ok(Arc::new(pg))
        }
        Some(other) => anyhow::bail!(
            "unsupported database URL {:?}: use postgres://... or leave it out for the embedded SQLite",
            storage::redact_url(other)
        ),
        None => {
            let dir = config.data_dir()?;
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
            let path = dir.join("teduh-server.sqlite3");
            let sqlite = storage::sqlite::SqliteStorage::open(&path)?;
            Ok(Arc::new(sqlite))
        }
    }
}

/// Serves the API with default settings on `listener` until `shutdown` resolves, then
/// finishes in-flight requests.
///
/// Fails only if the listener itself fails.
pub async fn serve(
    listener: tokio::net::TcpListener,
    storage: Arc<dyn Storage>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, router::AppState::new(storage), shutdown).await
}

/// Like [`serve`] with explicit state (settings, shared metrics).
///
/// Fails only if the listener itself fails.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    state: router::AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Like [`serve_with`], over HTTPS with the PEM certificate chain and private key given (TLS by
/// rustls with the ring provider). `listener` must be a bound std listener.
///
/// Fails when the certificate or key cannot be read or do not match, or if the listener fails.
#[cfg(feature = "tls")]
pub async fn serve_tls(
    listener: std::net::TcpListener,
    state: router::AppState,
    cert: &std::path::Path,
    key: &std::path::Path,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    // Installing twice (e.g. in tests) is harmless; the first provider stays.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
        .await
        .with_context(|| {
            format!(
                "cannot use the TLS certificate {} with the key {}",
                cert.display(),
                key.display()
            )
        })?;
    listener.set_nonblocking(true)?;
    let handle = axum_server::Handle::new();
    let on_shutdown = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        on_shutdown.graceful_shutdown(Some(router::SHUTDOWN_GRACE));
    });
    let app = router::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum_server::from_tcp_rustls(listener, config)?
        .handle(handle)
        .serve(app)
        .await?;
    Ok(())
}
