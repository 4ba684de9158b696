//! A simulated device: a vault in its own temporary directory, joined to a team on a
//! [`crate::TestServer`], syncing over real HTTP (optionally through a
//! [`crate::proxy::FaultProxy`]).

use teduh_client::HttpTransport;
use teduh_core::crypto::KdfParams;
use teduh_core::store::LocalStore;
use teduh_core::sync::join::{self, JoinRequest};
use teduh_core::sync::{SyncError, SyncReport};
use teduh_core::vault::Vault;

/// The passphrase of every simulated member.
pub const PASSPHRASE: &str = "kata sandi uji yang panjang";

/// One installation of Teduh.
pub struct Device {
    /// The device's vault (unlocked).
    pub vault: Vault,
    /// Where requests go (the server, or a proxy in front of it).
    pub url: String,
    dir: tempfile::TempDir,
}

fn transport(url: &str) -> HttpTransport {
    #[allow(clippy::expect_used)]
    HttpTransport::builder(url)
        .idle_timeout(std::time::Duration::from_secs(10))
        .build()
        .expect("transport builds")
}

impl Device {
    /// A fresh vault (fast test KDF) that has not joined anything.
    #[allow(clippy::expect_used)]
    pub fn offline(url: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = LocalStore::open(&dir.path().join("teduh.sqlite3")).expect("store");
        let vault =
            Vault::create_with_params(store, PASSPHRASE, KdfParams::insecure_fast_for_tests())
                .expect("vault");
        Self {
            vault,
            url: url.to_owned(),
            dir,
        }
    }

    /// A new member: fresh vault, registered with `invitation` as `username`.
    #[allow(clippy::expect_used)]
    pub fn register(url: &str, invitation: &str, username: &str) -> Self {
        let mut d = Self::offline(url);
        d.join(invitation, username).expect("registers");
        d
    }

    /// Registers this (offline) vault with an invitation.
    ///
    /// Fails like [`join::register`].
    pub fn join(&mut self, invitation: &str, username: &str) -> Result<(), SyncError> {
        let mut t = transport(&self.url);
        join::register(
            &mut self.vault,
            &mut t,
            &JoinRequest {
                server_url: &self.url,
                username,
                passphrase: PASSPHRASE,
                device_name: "laptop uji",
            },
            invitation,
        )
        .map(|_| ())
    }

    /// As a key manager, invites `username` as `role` from this device: the code to hand her.
    ///
    /// Fails like [`join::invite`].
    pub fn invite(
        &mut self,
        username: &str,
        role: teduh_protocol::sync::Role,
    ) -> Result<String, SyncError> {
        let mut t = transport(&self.url);
        Ok(join::invite(&mut self.vault, &mut t, username, role, None)?.code)
    }

    /// A newcomer's fresh device joined with a key manager's invitation `code` (the username is
    /// the one it names).
    ///
    /// Fails like [`join::register`].
    pub fn invited(url: &str, code: &str) -> Result<Self, SyncError> {
        let mut d = Self::offline(url);
        d.join(code, "")?;
        Ok(d)
    }

    /// A further device of this device's member: this device asks the server for a device
    /// code, and a fresh vault (with its own keys and passphrase) joins with it. It waits, with
    /// no key, until a key manager admits it.
    ///
    /// Fails like [`join::invite_device`] or [`join::register`].
    pub fn another_device(&mut self) -> Result<Self, SyncError> {
        let mut t = transport(&self.url);
        let code = join::invite_device(&mut self.vault, &mut t)?.code;
        let mut d = Self::offline(&self.url);
        d.join(&code, &self.username())?;
        Ok(d)
    }

    /// As a key manager, admits `newcomer` the way people do: both sync (she sees the roster,
    /// this device sees her waiting), she reads out the safety number her screen shows, this
    /// device's key manager types it, and both sync again (the roster lists her, a new epoch is
    /// sealed to her).
    #[allow(clippy::expect_used)]
    pub fn admit(&mut self, newcomer: &mut Device) {
        self.confirm(newcomer);
        self.sync().expect("the key manager publishes the roster");
        newcomer.sync().expect("the newcomer receives the keys");
    }

    /// The first half of [`Device::admit`]: both sync, she reads out her number and this
    /// device's key manager types it. The roster and her key go out at this device's next
    /// sync; until then nothing changed on the server.
    #[allow(clippy::expect_used)]
    pub fn confirm(&mut self, newcomer: &mut Device) {
        self.sync().expect("the key manager syncs");
        newcomer.sync().expect("the newcomer syncs and waits");
        self.sync().expect("the key manager sees her waiting");
        let number = newcomer.safety_number_for_device(self.device());
        self.vault
            .confirm_admission(&newcomer.username(), &number)
            .expect("the number she read out matches");
    }

    /// The safety number this (waiting) device's screen shows for the key manager
    /// `key_manager`: what she reads out to that key manager.
    #[allow(clippy::expect_used)]
    pub fn safety_number_for(&self, key_manager: &str) -> String {
        self.vault
            .safety_numbers()
            .expect("numbers")
            .into_iter()
            .find(|n| n.key_manager == key_manager)
            .expect("her screen shows a number for this key manager")
            .number
    }

    /// The safety number this (waiting) device's screen shows for the key manager's device
    /// `device`.
    #[allow(clippy::expect_used)]
    pub fn safety_number_for_device(&self, device: u64) -> String {
        self.vault
            .safety_numbers()
            .expect("numbers")
            .into_iter()
            .find(|n| n.device == device)
            .expect("her screen shows a number for this key manager's device")
            .number
    }

    /// Where this device's next pull of the team log starts (a lying server's page is handed
    /// to `receive_page` from here).
    #[allow(clippy::expect_used)]
    pub fn pull_cursor(&self) -> u64 {
        self.vault
            .binding()
            .expect("binding")
            .expect("joined")
            .pull_cursor
    }

    /// The server's number of this device.
    #[allow(clippy::expect_used)]
    pub fn device(&self) -> u64 {
        self.vault
            .binding()
            .expect("binding")
            .expect("joined")
            .device
    }

    /// The server's number of this device's member.
    #[allow(clippy::expect_used)]
    pub fn member(&self) -> u64 {
        self.vault
            .binding()
            .expect("binding")
            .expect("joined")
            .member
    }

    /// This device's member's username.
    #[allow(clippy::expect_used)]
    pub fn username(&self) -> String {
        self.vault
            .binding()
            .expect("binding")
            .expect("joined")
            .username
    }

    /// One sync round against [`Device::url`].
    ///
    /// Fails like [`teduh_core::sync::sync_once`].
    pub fn sync(&mut self) -> Result<SyncReport, SyncError> {
        let mut t = transport(&self.url);
        teduh_core::sync::sync_once(&mut self.vault, &mut t, &mut |_| {})
    }

    /// One sync round through a given transport (e.g. a counting or fault-injecting wrapper).
    ///
    /// Fails like [`teduh_core::sync::sync_once`].
    pub fn sync_through(
        &mut self,
        t: &mut dyn teduh_core::sync::Transport,
    ) -> Result<SyncReport, SyncError> {
        teduh_core::sync::sync_once(&mut self.vault, t, &mut |_| {})
    }

    /// An HTTP transport to [`Device::url`].
    pub fn transport(&self) -> HttpTransport {
        transport(&self.url)
    }

    /// Syncs until a round succeeds (at most `tries`), returning the last report.
    ///
    /// Fails with the last error if no round succeeded.
    pub fn sync_until_done(&mut self, tries: usize) -> Result<SyncReport, SyncError> {
        let mut last = None;
        for _ in 0..tries.max(1) {
            match self.sync() {
                Ok(r) => return Ok(r),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or(SyncError::NotJoined))
    }

    /// Closes the vault and hands over the data directory (e.g. to a child process).
    pub fn close(self) -> tempfile::TempDir {
        drop(self.vault);
        self.dir
    }

    /// The device's data directory (its database and WAL).
    pub fn data_dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// A digest of the materialised state (equal on two devices exactly when they agree).
    #[allow(clippy::expect_used)]
    pub fn state(&self) -> Vec<u8> {
        self.vault.state_dump().expect("dump")
    }
}

/// A synthetic client profile (never a real person).
pub fn profile(code: &str, name: &str) -> teduh_core::domain::ClientProfile {
    teduh_core::domain::ClientProfile {
        code: code.into(),
        name: name.into(),
        nickname: format!("{name}-kecil"),
        birth_date: chrono::NaiveDate::from_ymd_opt(1990, 1, 2),
        language: "id".into(),
        ..teduh_core::domain::ClientProfile::default()
    }
}

/// A synthetic session-note draft.
pub fn draft(narrative: &str) -> teduh_core::domain::NoteDraft {
    use chrono::TimeZone;
    teduh_core::domain::NoteDraft {
        occurred_at: chrono::Utc.with_ymd_and_hms(2026, 3, 4, 2, 30, 0).single(),
        zone: "Asia/Makassar".into(),
        duration_minutes: 45,
        modality: teduh_core::domain::Modality::Phone,
        location: "telepon".into(),
        narrative: narrative.into(),
        plan: "Sesi lanjutan minggu depan".into(),
        ..teduh_core::domain::NoteDraft::default()
    }
}

/// A supervisor puts `workers` (usernames) on a client's case and sends it: only a case's
/// workers and the team's supervisors read a client (issue 23). She first pulls the client.
#[allow(clippy::expect_used)]
pub fn put_on_case(sup: &mut Device, client: teduh_core::ids::ClientId, workers: &[&str]) {
    sup.sync().expect("the supervisor pulls the client");
    for w in workers {
        sup.vault
            .assign_member(client, w)
            .expect("the supervisor assigns");
    }
    sup.sync().expect("the supervisor sends the assignment");
}
