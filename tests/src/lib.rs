//! Shared fixtures for Teduh's cross-crate scenarios: a real sync server in-process on a free
//! loopback port ([`TestServer`]), driven by the real client, and a fault-injecting TCP proxy to
//! put between them ([`proxy::FaultProxy`]).

use std::net::SocketAddr;
use std::sync::Arc;

pub mod proxy;

/// A real `teduh-server` on 127.0.0.1:0 with a temporary SQLite database; stops when dropped.
pub struct TestServer {
    addr: SocketAddr,
    url: String,
    storage: Arc<dyn teduh_server::Storage>,
    runtime: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

impl TestServer {
    /// Starts the server. Panics (test fixture) if the loopback port or temp dir is unavailable.
    #[allow(clippy::expect_used)]
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let path = dir.path().join("server.sqlite3");
        let storage: Arc<dyn teduh_server::Storage> = Arc::new(
            teduh_server::storage::sqlite::SqliteStorage::open(&path).expect("storage opens"),
        );
        let serving = Arc::clone(&storage);
        let addr = runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind loopback");
            let addr = listener.local_addr().expect("addr");
            tokio::spawn(teduh_server::serve(
                listener,
                serving,
                std::future::pending(),
            ));
            addr
        });
        Self {
            addr,
            url: format!("http://{addr}"),
            storage,
            runtime,
            _dir: dir,
        }
    }

    /// Publishes a signed directory bundle file, as `teduh-server admin` does.
    #[allow(clippy::expect_used)]
    pub fn publish_directory(&self, version: u64, file: Vec<u8>) {
        let bundle = teduh_server::storage::DirectoryBundle {
            version,
            sha256: teduh_server::auth::sha256(&file),
            bundle: file,
        };
        self.runtime
            .block_on(self.storage.publish_directory(bundle, 0))
            .expect("publishes");
    }

    /// The server's base URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The server's socket address (the upstream of a [`proxy::FaultProxy`]).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}
