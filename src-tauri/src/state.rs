//! Application state shared by the commands.

use std::sync::Mutex;

use teduh_core::paths::DataDir;
use teduh_core::settings::Settings;
use teduh_core::store::LocalStore;
use teduh_directory::index::DirectoryIndex;

use crate::ipc::IpcError;

/// Environment variable naming the sync server (set by the run script); wins over settings.
pub const SERVER_URL_ENV: &str = "TEDUH_SERVER_URL";

/// What the commands share.
#[derive(Debug)]
pub struct AppState {
    data: DataDir,
    settings: Mutex<Settings>,
    server_override: Option<String>,
    schema_version: u32,
    directory: Mutex<DirectoryIndex>,
}

impl AppState {
    /// Resolves the data directory (`TEDUH_DATA_DIR` or the platform default), loads settings and
    /// opens the local store so its schema is current.
    ///
    /// Fails when the directory cannot be created or the database is foreign or too new.
    pub fn from_environment() -> Result<Self, IpcError> {
        let data = DataDir::resolve(None)?;
        let server = std::env::var(SERVER_URL_ENV).ok().filter(|s| !s.is_empty());
        Self::open(data, server)
    }

    /// Opens the state on an explicit data directory (tests use a temporary one).
    pub fn open(data: DataDir, server_override: Option<String>) -> Result<Self, IpcError> {
        data.ensure()?;
        let store = LocalStore::open(&data.database())?;
        let schema_version = store.schema_version()?;
        let settings = Settings::load(&data.settings())?;
        let directory = DirectoryIndex::open(&data.root().join("directory.sqlite3"))?;
        Ok(Self {
            data,
            settings: Mutex::new(settings),
            server_override,
            schema_version,
            directory: Mutex::new(directory),
        })
    }

    /// The data directory.
    pub fn data(&self) -> &DataDir {
        &self.data
    }

    /// The local schema version found at start-up.
    pub fn schema_version(&self) -> u32 {
        self.schema_version
    }

    /// Runs `f` on the offline directory (public data, available before unlock).
    pub fn with_directory<T>(
        &self,
        f: impl FnOnce(&mut DirectoryIndex) -> Result<T, teduh_directory::index::IndexError>,
    ) -> Result<T, IpcError> {
        let mut guard = self.directory.lock().map_err(|_| IpcError::internal())?;
        Ok(f(&mut guard)?)
    }

    /// A copy of the current settings.
    pub fn settings(&self) -> Result<Settings, IpcError> {
        Ok(self
            .settings
            .lock()
            .map_err(|_| IpcError::internal())?
            .clone())
    }

    /// Changes the settings and saves them; memory and disk stay equal (nothing changes if the
    /// save fails).
    pub fn update_settings(
        &self,
        change: impl FnOnce(&mut Settings),
    ) -> Result<Settings, IpcError> {
        let mut guard = self.settings.lock().map_err(|_| IpcError::internal())?;
        let mut next = guard.clone();
        change(&mut next);
        next.save(&self.data.settings())?;
        *guard = next.clone();
        Ok(next)
    }

    /// The server this app syncs with: the environment override, else the saved setting.
    pub fn server_url(&self) -> Result<Option<String>, IpcError> {
        Ok(match &self.server_override {
            Some(url) => Some(url.clone()),
            None => self.settings()?.server_url,
        })
    }
}
