//! Shared fixtures for Teduh's cross-crate scenarios: a real sync server in-process on a free
//! loopback port ([`TestServer`]), driven by the real client, and a fault-injecting TCP proxy to
//! put between them ([`proxy::FaultProxy`]).

use std::net::SocketAddr;
use std::sync::Arc;

use device::Device;

pub mod device;
pub mod forgery;
pub mod hostile;
pub mod leak;
pub mod ledger;
pub mod oracle;
pub mod proxy;
pub mod smtp;

/// A real `teduh-server` on 127.0.0.1:0 with a temporary SQLite database; stops when dropped.
pub struct TestServer {
    addr: SocketAddr,
    url: String,
    storage: Arc<dyn teduh_server::Storage>,
    metrics: Arc<teduh_server::metrics::Metrics>,
    runtime: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
}

/// The server's settings in tests: many simulated devices log in from 127.0.0.1, so no rate
/// limit.
fn test_settings() -> teduh_server::router::Settings {
    teduh_server::router::Settings {
        auth_burst: 1_000_000,
        auth_per_second: 1_000_000.0,
        ..teduh_server::router::Settings::default()
    }
}

impl TestServer {
    /// Starts the server. Panics (test fixture) if the loopback port or temp dir is unavailable.
    #[allow(clippy::expect_used)]
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("server.sqlite3");
        let storage: Arc<dyn teduh_server::Storage> = Arc::new(
            teduh_server::storage::sqlite::SqliteStorage::open(&path).expect("storage opens"),
        );
        Self::start_on(storage, dir)
    }

    /// Starts the server over a given storage (e.g. PostgreSQL); `dir` is its data directory.
    pub fn start_on(storage: Arc<dyn teduh_server::Storage>, dir: tempfile::TempDir) -> Self {
        Self::start_at("127.0.0.1:0", storage, dir)
    }

    /// Starts the server with content-free alerts configured (`[alerts]` of its config file).
    pub fn start_with_alerts(alerts: teduh_server::alerts::AlertConfig) -> Self {
        Self::start_tuned(alerts, |_| {})
    }

    /// Starts the server with alerts configured and its settings changed by `tune` (e.g.
    /// shorter token lifetimes).
    #[allow(clippy::expect_used)]
    pub fn start_tuned(
        alerts: teduh_server::alerts::AlertConfig,
        tune: impl FnOnce(&mut teduh_server::router::Settings),
    ) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("server.sqlite3");
        let storage: Arc<dyn teduh_server::Storage> = Arc::new(
            teduh_server::storage::sqlite::SqliteStorage::open(&path).expect("storage opens"),
        );
        let mut settings = test_settings();
        tune(&mut settings);
        Self::start_configured("127.0.0.1:0", storage, dir, alerts, settings)
    }

    /// A copy of the server's SQLite data directory as it is now: the nightly backup (take it
    /// while no request is in flight, as a copy of a stopped server's directory would be).
    #[allow(clippy::expect_used)]
    pub fn back_up(&self) -> tempfile::TempDir {
        let backup = tempfile::tempdir().expect("tempdir");
        for entry in std::fs::read_dir(self.dir.path()).expect("data dir") {
            let path = entry.expect("entry").path();
            if path.is_file() {
                std::fs::copy(&path, backup.path().join(path.file_name().expect("name")))
                    .expect("copies");
            }
        }
        backup
    }

    /// Stops this server and starts one at the same address from `backup` (a copy made by
    /// [`Self::back_up`]), as an operator restoring the nightly backup would. Run
    /// `admin after-restore` on it next, as `docs/operations.md` says.
    #[allow(clippy::expect_used)]
    pub fn restored_from(self, backup: &tempfile::TempDir) -> Self {
        let addr = self.addr;
        drop(self);
        let dir = tempfile::tempdir().expect("tempdir");
        for entry in std::fs::read_dir(backup.path()).expect("backup") {
            let path = entry.expect("entry").path();
            std::fs::copy(&path, dir.path().join(path.file_name().expect("name")))
                .expect("restores");
        }
        let storage: Arc<dyn teduh_server::Storage> = Arc::new(
            teduh_server::storage::sqlite::SqliteStorage::open(&dir.path().join("server.sqlite3"))
                .expect("restored storage opens"),
        );
        Self::start_at(&addr.to_string(), storage, dir)
    }

    /// Stops this server and starts one at the same address over `storage` (e.g. a PostgreSQL
    /// database restored from a dump).
    pub fn replaced_by(
        self,
        storage: Arc<dyn teduh_server::Storage>,
        dir: tempfile::TempDir,
    ) -> Self {
        let addr = self.addr;
        drop(self);
        Self::start_at(&addr.to_string(), storage, dir)
    }

    #[allow(clippy::expect_used)]
    fn start_at(
        bind: &str,
        storage: Arc<dyn teduh_server::Storage>,
        dir: tempfile::TempDir,
    ) -> Self {
        Self::start_configured(
            bind,
            storage,
            dir,
            teduh_server::alerts::AlertConfig::default(),
            test_settings(),
        )
    }

    #[allow(clippy::expect_used)]
    fn start_configured(
        bind: &str,
        storage: Arc<dyn teduh_server::Storage>,
        dir: tempfile::TempDir,
        alerts: teduh_server::alerts::AlertConfig,
        settings: teduh_server::router::Settings,
    ) -> Self {
        let bind = bind.to_owned();
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let state = teduh_server::router::AppState::with_settings(Arc::clone(&storage), settings)
            .with_data_dir(Some(dir.path().to_owned()))
            .with_alerts(alerts);
        let metrics = Arc::clone(&state.metrics);
        let addr = runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind(bind.as_str())
                .await
                .expect("bind loopback");
            let addr = listener.local_addr().expect("addr");
            tokio::spawn(teduh_server::serve_with(
                listener,
                state,
                std::future::pending(),
            ));
            addr
        });
        Self {
            addr,
            url: format!("http://{addr}"),
            storage,
            metrics,
            runtime,
            dir,
        }
    }

    /// Runs an admin command (as `teduh-server admin ...`) and returns its output.
    #[allow(clippy::expect_used)]
    pub fn admin(&self, cmd: teduh_server::admin::AdminCommand) -> String {
        self.try_admin(cmd).expect("admin command succeeds")
    }

    /// Runs an admin command as `teduh-server admin` would, returning its output.
    ///
    /// Fails with the command's error.
    pub fn try_admin(&self, cmd: teduh_server::admin::AdminCommand) -> anyhow::Result<String> {
        let mut out = Vec::new();
        self.runtime.block_on(teduh_server::admin::run(
            self.storage.as_ref(),
            self.dir.path(),
            cmd,
            &mut out,
        ))?;
        Ok(String::from_utf8(out)?)
    }

    /// Creates a team (naming the organisation first if needed) and returns its name.
    pub fn create_team(&self, name: &str) -> String {
        use teduh_server::admin::AdminCommand;
        let has_org = self
            .runtime
            .block_on(self.storage.org_name())
            .ok()
            .flatten()
            .is_some();
        if !has_org {
            self.admin(AdminCommand::InitOrg {
                name: "Organisasi Uji".into(),
            });
        }
        self.admin(AdminCommand::CreateTeam { name: name.into() });
        name.to_owned()
    }

    /// A single-use invitation code for `team` as `role`.
    #[allow(clippy::expect_used)]
    pub fn invite(&self, team: &str, role: teduh_protocol::sync::Role) -> String {
        let out = self.admin(teduh_server::admin::AdminCommand::Invite {
            team: team.into(),
            role,
            device_of: None,
            expires_in_hours: 1,
        });
        out.lines().next().expect("a code line").trim().to_owned()
    }

    /// A single-use invitation from the server's administrator for a further device of the
    /// existing member `username` of `team` (`admin invite --device-of`).
    pub fn invite_device_of(&self, team: &str, username: &str) -> String {
        let out = self.admin(teduh_server::admin::AdminCommand::Invite {
            team: team.into(),
            role: teduh_protocol::sync::Role::Counselor,
            device_of: Some(username.into()),
            expires_in_hours: 1,
        });
        out.lines().next().expect("a code line").trim().to_owned()
    }

    /// A new member of `team` as `role` on a fresh device: invited by the server's administrator
    /// and registered as `username`. She waits until a key manager admits her
    /// ([`Device::admit`]), except the team's first key manager.
    pub fn member(&self, team: &str, role: teduh_protocol::sync::Role, username: &str) -> Device {
        Device::register(&self.url, &self.invite(team, role), username)
    }

    /// A new team `name` with a supervisor and a counselor she admitted (her device made the
    /// team key and sealed it to the counselor's).
    #[allow(clippy::expect_used)]
    pub fn supervised_team(
        &self,
        name: &str,
        supervisor: &str,
        counselor: &str,
    ) -> (Device, Device) {
        use teduh_protocol::sync::Role;
        let team = self.create_team(name);
        let mut sup = self.member(&team, Role::Supervisor, supervisor);
        let mut c = self.member(&team, Role::Counselor, counselor);
        sup.admit(&mut c);
        (sup, c)
    }

    /// The server's database, for attacks that write to it directly as its operator could.
    pub fn storage(&self) -> Arc<dyn teduh_server::Storage> {
        Arc::clone(&self.storage)
    }

    /// Runs a storage call (or any future) on the server's runtime.
    pub fn block_on<T>(&self, f: impl std::future::Future<Output = T>) -> T {
        self.runtime.block_on(f)
    }

    /// The server's id of the team named `team`.
    #[allow(clippy::expect_used)]
    pub fn team_id(&self, team: &str) -> u64 {
        self.runtime
            .block_on(self.storage.teams())
            .expect("teams")
            .into_iter()
            .find(|t| t.name == team)
            .map(|t| t.id)
            .expect("the team exists")
    }

    /// Removes a member from her team (her devices are refused at once).
    pub fn remove_member(&self, member: u64) {
        self.admin(teduh_server::admin::AdminCommand::RemoveMember { member });
    }

    /// The server's counters (records stored, identical re-sends...).
    pub fn metrics(&self) -> &teduh_server::metrics::Metrics {
        &self.metrics
    }

    /// Records this server instance stored (new ones, not re-sends).
    pub fn records_stored(&self) -> u64 {
        self.metrics
            .records_stored
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Identical records the server received again (re-sends).
    pub fn duplicates(&self) -> u64 {
        self.metrics
            .records_duplicate
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Records in the server's log of the team named `team`.
    #[allow(clippy::expect_used)]
    pub fn team_record_count(&self, team: &str) -> u64 {
        self.runtime
            .block_on(self.storage.teams())
            .expect("teams")
            .into_iter()
            .find(|t| t.name == team)
            .map_or(0, |t| t.last_seq)
    }

    /// The server's data directory (its SQLite file and WAL are inside).
    pub fn data_dir(&self) -> &std::path::Path {
        self.dir.path()
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
