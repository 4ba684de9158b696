//! Application state shared by the commands.

use std::sync::Mutex;

use teduh_core::paths::DataDir;
use teduh_core::settings::Settings;
use teduh_core::store::LocalStore;
use teduh_core::vault::{Vault, VaultError};
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
    /// `None` until a vault exists on this computer; then locked or unlocked.
    vault: Mutex<Option<Vault>>,
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
        let vault = if teduh_core::vault::is_initialised(&store)? {
            Some(Vault::open(store)?)
        } else {
            None
        };
        let settings = Settings::load(&data.settings())?;
        let directory = DirectoryIndex::open(&data.root().join("directory.sqlite3"))?;
        Ok(Self {
            data,
            settings: Mutex::new(settings),
            server_override,
            schema_version,
            directory: Mutex::new(directory),
            vault: Mutex::new(vault),
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

    fn idle_timeout(&self) -> Result<Option<std::time::Duration>, IpcError> {
        let minutes = self.settings()?.auto_lock_minutes;
        // One minute longer than the UI's own idle lock, which saves drafts first: a backstop.
        Ok((minutes > 0).then(|| std::time::Duration::from_secs(u64::from(minutes + 1) * 60)))
    }

    /// Whether a vault exists and is unlocked.
    pub fn vault_state(&self) -> Result<crate::ipc::VaultStateView, IpcError> {
        let mut guard = self.vault.lock().map_err(|_| IpcError::internal())?;
        let (initialised, unlocked) = match guard.as_mut() {
            None => (false, false),
            Some(v) => (true, !v.lock_if_idle()),
        };
        Ok(crate::ipc::VaultStateView {
            initialised,
            unlocked,
            auto_lock_minutes: self.settings()?.auto_lock_minutes,
        })
    }

    /// First-run set-up of a local vault. Fails with `AlreadyInitialised` if one exists.
    pub fn create_vault(&self, passphrase: &str) -> Result<(), IpcError> {
        let mut guard = self.vault.lock().map_err(|_| IpcError::internal())?;
        if guard.is_some() {
            return Err(VaultError::AlreadyInitialised.into());
        }
        let store = LocalStore::open(&self.data.database())?;
        let mut vault = Vault::create(store, passphrase)?;
        vault.set_idle_timeout(self.idle_timeout()?);
        *guard = Some(vault);
        Ok(())
    }

    /// Unlocks the vault.
    pub fn unlock(&self, passphrase: &str) -> Result<crate::ipc::UnlockView, IpcError> {
        let timeout = self.idle_timeout()?;
        let mut guard = self.vault.lock().map_err(|_| IpcError::internal())?;
        let vault = guard.as_mut().ok_or(VaultError::NotInitialised)?;
        let report = vault.unlock(passphrase)?;
        vault.set_idle_timeout(timeout);
        Ok(crate::ipc::UnlockView {
            damaged: report.damaged,
        })
    }

    /// Locks the vault (no-op when there is none or it is locked).
    pub fn lock(&self) -> Result<(), IpcError> {
        let mut guard = self.vault.lock().map_err(|_| IpcError::internal())?;
        if let Some(v) = guard.as_mut() {
            v.lock();
        }
        Ok(())
    }

    /// Saves the auto-lock delay and applies it to the open vault at once.
    pub fn set_auto_lock(&self, minutes: u32) -> Result<u32, IpcError> {
        let saved = self.update_settings(|s| s.auto_lock_minutes = minutes)?;
        let timeout = self.idle_timeout()?;
        let mut guard = self.vault.lock().map_err(|_| IpcError::internal())?;
        if let Some(v) = guard.as_mut() {
            v.set_idle_timeout(timeout);
        }
        Ok(saved.auto_lock_minutes)
    }

    /// Runs `f` on the unlocked vault (`Locked` / `NotInitialised` otherwise).
    pub fn with_vault<T>(
        &self,
        f: impl FnOnce(&mut Vault) -> Result<T, VaultError>,
    ) -> Result<T, IpcError> {
        let mut guard = self.vault.lock().map_err(|_| IpcError::internal())?;
        let vault = guard.as_mut().ok_or(VaultError::NotInitialised)?;
        Ok(f(vault)?)
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
