//! Application state shared by the commands and the background sync worker.

use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use teduh_core::paths::DataDir;
use teduh_core::settings::Settings;
use teduh_core::store::LocalStore;
use teduh_core::vault::{Vault, VaultError};
use teduh_directory::index::DirectoryIndex;

use crate::ipc::{IpcError, SyncStatusView};
use crate::sync::{SyncControl, VaultFacts};

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
    /// `None` until a vault exists on this computer; then locked or unlocked. Held briefly by
    /// user commands and by each local step of a sync round, never across a request (see
    /// [`crate::sync::round`]).
    vault: Mutex<Option<Vault>>,
    /// Last vault command of the user (sync rounds do not count: they must not keep an
    /// unattended laptop unlocked).
    user_activity: Mutex<Instant>,
    /// Sync status, worker signals and the round gate.
    sync: SyncControl,
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
        let facts = match &vault {
            Some(v) => VaultFacts::read(v)?,
            None => VaultFacts::default(),
        };
        Ok(Self {
            data,
            settings: Mutex::new(settings),
            server_override,
            schema_version,
            directory: Mutex::new(directory),
            vault: Mutex::new(vault),
            user_activity: Mutex::new(Instant::now()),
            sync: SyncControl::new(facts),
        })
    }

    /// The vault for a user command.
    fn user_vault(&self) -> Result<MutexGuard<'_, Option<Vault>>, IpcError> {
        self.vault.lock().map_err(|_| IpcError::internal())
    }

    /// The vault for one local step of a sync round.
    pub(crate) fn vault_for_sync(&self) -> MutexGuard<'_, Option<Vault>> {
        // A panic while holding the vault leaves it as SQLite left it (transactions are
        // atomic); carrying on is safer than never syncing again.
        self.vault
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Sync status, signals and gate.
    pub fn sync(&self) -> &SyncControl {
        &self.sync
    }

    /// The sync status now (never waits for a running round).
    pub fn sync_status(&self) -> SyncStatusView {
        self.sync.status()
    }

    /// Sends the sync status to the UI (after a change that affects it).
    pub fn publish_sync_status(&self) {
        self.sync.publish();
    }

    /// Re-reads the sync facts from `vault` and tells the UI; `local_write` schedules a round.
    pub(crate) fn vault_facts_changed(&self, vault: &Vault, local_write: bool) {
        // Facts that cannot be read leave the previous ones; the next write or round retries.
        if let Ok(facts) = VaultFacts::read(vault) {
            self.sync.vault_changed(facts, local_write);
        }
        self.publish_sync_status();
    }

    fn note_user_activity(&self) {
        if let Ok(mut at) = self.user_activity.lock() {
            *at = Instant::now();
        }
    }

    /// Locks `vault` if the user has been idle past the timeout; returns whether it is locked.
    pub(crate) fn lock_if_idle(&self, vault: &mut Vault) -> bool {
        let idle = match (self.idle_timeout(), self.user_activity.lock()) {
            (Ok(Some(timeout)), Ok(at)) => at.elapsed() > timeout,
            _ => false,
        };
        if idle {
            vault.lock();
        }
        vault.lock_if_idle()
    }

    /// The worker's idle check: locks an unlocked vault the user left alone (waits for the
    /// vault only if it is free; a busy vault is being used).
    pub(crate) fn lock_idle_vault(&self) {
        if let Ok(mut guard) = self.vault.try_lock() {
            if let Some(v) = guard.as_mut() {
                if v.is_unlocked() && self.lock_if_idle(v) {
                    self.vault_facts_changed(v, false);
                }
            }
        }
    }

    /// Puts a joined vault in place: `join` gets the vault already here (or `None` on first
    /// run) and returns a new vault to install, if it made one. Rounds wait meanwhile; the
    /// worker syncs at once afterwards.
    ///
    /// Fails with whatever `join` fails with (then nothing changed).
    pub(crate) fn install_joined_vault(
        &self,
        join: impl FnOnce(Option<&mut Vault>) -> Result<Option<Vault>, IpcError>,
    ) -> Result<(), IpcError> {
        let timeout = self.idle_timeout()?;
        let _no_round = self.sync.round_gate();
        let mut guard = self.user_vault()?;
        if let Some(v) = guard.as_mut() {
            if self.lock_if_idle(v) {
                return Err(VaultError::Locked.into());
            }
        }
        if let Some(mut made) = join(guard.as_mut())? {
            made.set_idle_timeout(timeout);
            *guard = Some(made);
        }
        self.note_user_activity();
        if let Some(v) = guard.as_ref() {
            self.vault_facts_changed(v, false);
        }
        self.sync.request_round();
        Ok(())
    }

    /// The data directory.
    pub fn data(&self) -> &DataDir {
        &self.data
    }

    /// The local schema version found at start-up.
    pub fn schema_version(&self) -> u32 {
        self.schema_version
    }

    /// Runs `f` on the offline directory (public data, available before unlock). It may run
    /// inside [`Self::with_vault`] (a referral letter reads the partner's address): the lock
    /// order is the vault, then the directory, so `f` never takes the vault.
    pub fn with_directory<T>(
        &self,
        f: impl FnOnce(&mut DirectoryIndex) -> Result<T, teduh_directory::index::IndexError>,
    ) -> Result<T, IpcError> {
        let mut guard = self.directory.lock().map_err(|_| IpcError::internal())?;
        Ok(f(&mut guard)?)
    }

    pub(crate) fn idle_timeout(&self) -> Result<Option<std::time::Duration>, IpcError> {
        let minutes = self.settings()?.auto_lock_minutes;
        // One minute longer than the UI's own idle lock, which saves drafts first: a backstop.
        Ok((minutes > 0).then(|| std::time::Duration::from_secs(u64::from(minutes + 1) * 60)))
    }

    /// Whether a vault exists and is unlocked.
    pub fn vault_state(&self) -> Result<crate::ipc::VaultStateView, IpcError> {
        let mut guard = self.user_vault()?;
        let (initialised, unlocked) = match guard.as_mut() {
            None => (false, false),
            Some(v) => (true, !self.lock_if_idle(v)),
        };
        Ok(crate::ipc::VaultStateView {
            initialised,
            unlocked,
            auto_lock_minutes: self.settings()?.auto_lock_minutes,
        })
    }

    /// Whether this computer has a vault and it is locked (an idle one locks now).
    pub fn vault_is_locked(&self) -> Result<bool, IpcError> {
        let mut guard = self.user_vault()?;
        Ok(guard.as_mut().is_some_and(|v| self.lock_if_idle(v)))
    }

    /// First-run set-up of a local vault. Fails with `AlreadyInitialised` if one exists.
    pub fn create_vault(&self, passphrase: &str) -> Result<(), IpcError> {
        let mut guard = self.user_vault()?;
        if guard.is_some() {
            return Err(VaultError::AlreadyInitialised.into());
        }
        let store = LocalStore::open(&self.data.database())?;
        let mut vault = Vault::create(store, passphrase)?;
        vault.set_idle_timeout(self.idle_timeout()?);
        self.note_user_activity();
        self.vault_facts_changed(&vault, false);
        *guard = Some(vault);
        Ok(())
    }

    /// Unlocks the vault.
    pub fn unlock(&self, passphrase: &str) -> Result<crate::ipc::UnlockView, IpcError> {
        let timeout = self.idle_timeout()?;
        let mut guard = self.user_vault()?;
        let vault = guard.as_mut().ok_or(VaultError::NotInitialised)?;
        let report = vault.unlock(passphrase)?;
        vault.set_idle_timeout(timeout);
        self.note_user_activity();
        // Unlocked: the worker syncs at once.
        self.vault_facts_changed(vault, false);
        Ok(crate::ipc::UnlockView {
            damaged: report.damaged,
        })
    }

    /// Locks the vault (no-op when there is none or it is locked).
    /// Sync pauses with it: rounds need the unlocked vault (a running round ends at its next
    /// local step, keeping what it applied, and the next one finds the vault locked).
    pub fn lock(&self) -> Result<(), IpcError> {
        let mut guard = self.user_vault()?;
        if let Some(v) = guard.as_mut() {
            v.lock();
            self.vault_facts_changed(v, false);
        }
        Ok(())
    }

    /// Saves the auto-lock delay and applies it to the open vault at once.
    pub fn set_auto_lock(&self, minutes: u32) -> Result<u32, IpcError> {
        let saved = self.update_settings(|s| s.auto_lock_minutes = minutes)?;
        let timeout = self.idle_timeout()?;
        let mut guard = self.user_vault()?;
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
        self.with_vault_for(f)
    }

    /// [`Self::with_vault`] for a use case with an error of its own (a report's).
    pub fn with_vault_for<T, E>(
        &self,
        f: impl FnOnce(&mut Vault) -> Result<T, E>,
    ) -> Result<T, IpcError>
    where
        IpcError: From<E>,
    {
        let mut guard = self.user_vault()?;
        let vault = guard.as_mut().ok_or(VaultError::NotInitialised)?;
        if vault.is_unlocked() && self.lock_if_idle(vault) {
            self.vault_facts_changed(vault, false);
            return Err(VaultError::Locked.into());
        }
        self.note_user_activity();
        Ok(f(vault)?)
    }

    /// Like [`Self::with_vault`] for commands that change records: afterwards the sync status
    /// counts the new records and the worker sends them after a quiet pause.
    pub fn with_vault_write<T>(
        &self,
        f: impl FnOnce(&mut Vault) -> Result<T, VaultError>,
    ) -> Result<T, IpcError> {
        let mut guard = self.user_vault()?;
        let vault = guard.as_mut().ok_or(VaultError::NotInitialised)?;
        if vault.is_unlocked() && self.lock_if_idle(vault) {
            self.vault_facts_changed(vault, false);
            return Err(VaultError::Locked.into());
        }
        self.note_user_activity();
        let out = f(vault)?;
        self.vault_facts_changed(vault, true);
        Ok(out)
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

    /// The server this app talks to: once joined, the team's server (the vault's binding, which
    /// sync uses); before, the environment override, else the saved setting.
    pub fn server_url(&self) -> Result<Option<String>, IpcError> {
        if let Some(team_server) = self.sync.server_url() {
            return Ok(Some(team_server));
        }
        Ok(match &self.server_override {
            Some(url) => Some(url.clone()),
            None => self.settings()?.server_url,
        })
    }
}
