//! Sync in the desktop app: the glue between the core's sync engine
//! ([`teduh_core::sync::sync_once`]), the HTTP transport ([`teduh_client::HttpTransport`]), the
//! app state and the UI.
//!
//! - [`SyncControl`]: what the commands, the background worker and the UI share: the facts
//!   behind the status (read whenever the app holds the vault anyway, so `sync_status` never
//!   waits for a round), the signals that wake the worker, the one-round-at-a-time gate, and
//!   the `sync-status` event ([`EVENT`]).
//! - [`round`]: one round as the app runs it (the vault lent one local step at a time).
//! - [`schedule`]: when the next round or health probe is due (pure, unit-tested).
//! - [`worker`]: the background thread.
//! - [`join`]: joining a team, on first run or with the vault already here.

pub mod join;
pub mod round;
pub mod schedule;
pub mod worker;

use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use teduh_core::error::Code;
use teduh_core::sync::{Phase, Progress};
use teduh_core::vault::{Vault, VaultError};

use crate::ipc::{SyncErrorView, SyncProgressView, SyncState, SyncStatusView};

/// Name of the event that carries every change of the sync status to the UI.
pub const EVENT: &str = "sync-status";

/// Sends a status to the UI (the Tauri event in the app; nothing in tests without a worker).
pub type Emitter = Box<dyn Fn(&SyncStatusView) + Send + Sync>;

/// The binding part of the status, as stored in the vault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindingFacts {
    /// Server base URL.
    pub server_url: String,
    /// Username.
    pub username: String,
    /// Role name.
    pub role: String,
    /// Unix seconds of the last successful round.
    pub last_success: Option<i64>,
    /// Unix seconds of the last attempt.
    pub last_attempt: Option<i64>,
    /// Unix seconds when the server was last found restored from a backup.
    pub server_restored_at: Option<i64>,
}

/// What the vault says about sync; readable while locked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VaultFacts {
    /// Present once joined.
    pub binding: Option<BindingFacts>,
    /// Records waiting to be sent.
    pub pending: u64,
    /// Received records kept aside.
    pub held: u64,
    /// Of those, records a newer version of Teduh wrote (the app asks to be updated).
    pub update_needed: u64,
    /// Security alarms raised on this device.
    pub security_alarms: u64,
    /// The vault is unlocked.
    pub unlocked: bool,
}

impl VaultFacts {
    /// Reads the facts (a few small queries; no keys needed).
    ///
    /// Fails when the database cannot be read.
    pub fn read(vault: &Vault) -> Result<Self, VaultError> {
        let binding = vault.binding()?.map(|b| BindingFacts {
            server_url: b.server_url,
            username: b.username,
            role: b.role.as_str().to_owned(),
            last_success: b.last_success,
            last_attempt: b.last_attempt,
            server_restored_at: b.server_restored_at,
        });
        let joined = binding.is_some();
        Ok(Self {
            binding,
            pending: if joined { vault.pending_count()? } else { 0 },
            held: if joined {
                u64::try_from(vault.held_records()?.len()).unwrap_or(u64::MAX)
            } else {
                0
            },
            update_needed: if joined { vault.update_needed()? } else { 0 },
            security_alarms: if joined {
                vault.security_alarm_count()?
            } else {
                0
            },
            unlocked: vault.is_unlocked(),
        })
    }
}

/// What this session's rounds and probes found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionFacts {
    /// Whether the server answered the last round or probe (`None`: not tried yet).
    pub online: Option<bool>,
    /// Progress of the round running now.
    pub running: Option<Progress>,
    /// Code of the last round's failure.
    pub last_error: Option<Code>,
    /// The member waits for the team key.
    pub waiting_for_keys: bool,
    /// The server refused this device for good.
    pub revoked: bool,
}

/// What wakes the worker.
#[derive(Debug, Clone, Copy, Default)]
pub struct Signals {
    /// First local change not yet covered by a round.
    pub first_change: Option<Instant>,
    /// Latest local change not yet covered by a round.
    pub last_change: Option<Instant>,
    /// A round is wanted as soon as possible (unlock, join).
    pub urgent: bool,
    /// Something changed: decide again.
    woken: bool,
}

#[derive(Debug, Default)]
struct Inner {
    vault: VaultFacts,
    session: SessionFacts,
    signals: Signals,
    /// The revision of the last status composed (see `SyncStatusView::revision`).
    revision: u64,
}

/// Shared by the commands, the worker and the UI events. Lock order: round gate, then the
/// vault, then this (never the other way round).
pub struct SyncControl {
    inner: Mutex<Inner>,
    wake: Condvar,
    round: Mutex<()>,
    emitter: OnceLock<Emitter>,
}

impl std::fmt::Debug for SyncControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncControl")
            .field("inner", &self.inner)
            .field("emits", &self.emitter.get().is_some())
            .finish()
    }
}

fn phase_name(p: Phase) -> &'static str {
    match p {
        Phase::Keys => "keys",
        Phase::Push => "push",
        Phase::Pull => "pull",
    }
}

fn rfc3339(unix: Option<i64>) -> Option<String> {
    unix.and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map(|t| t.to_rfc3339())
}

/// The status the UI shows, from what the vault and this session know.
pub fn compose(vault: &VaultFacts, session: &SessionFacts) -> SyncStatusView {
    let b = vault.binding.as_ref();
    let state = match b {
        None => SyncState::NotJoined,
        Some(_) if session.revoked => SyncState::Revoked,
        Some(_) if !vault.unlocked => SyncState::Locked,
        Some(_) if session.running.is_some() => SyncState::Syncing,
        Some(_) if session.online == Some(false) => SyncState::Offline,
        Some(_) if session.waiting_for_keys => SyncState::WaitingForKeys,
        Some(_) if session.last_error.is_some() => SyncState::Error,
        Some(b) if vault.pending > 0 || b.last_success.is_none() => SyncState::Pending,
        Some(_) => SyncState::Synced,
    };
    SyncStatusView {
        revision: 0,
        state,
        joined: b.is_some(),
        server_url: b.map(|b| b.server_url.clone()),
        username: b.map(|b| b.username.clone()),
        role: b.map(|b| b.role.clone()),
        online: session.online,
        pending: session
            .running
            .as_ref()
            .map_or(vault.pending, |p| p.pending),
        last_success: rfc3339(b.and_then(|b| b.last_success)),
        last_attempt: rfc3339(b.and_then(|b| b.last_attempt)),
        last_error: session.last_error.map(|code| SyncErrorView { code }),
        progress: session.running.as_ref().map(|p| SyncProgressView {
            phase: phase_name(p.phase).to_owned(),
            sent: p.sent,
            pending: p.pending,
            received: p.received,
        }),
        held: vault.held,
        update_needed: vault.update_needed,
        security_alarms: vault.security_alarms,
        waiting_for_keys: session.waiting_for_keys,
        server_restored_at: rfc3339(b.and_then(|b| b.server_restored_at)),
    }
}

impl SyncControl {
    /// Starts from what the vault says (`VaultFacts::default()` when there is none yet).
    pub fn new(vault: VaultFacts) -> Self {
        Self {
            inner: Mutex::new(Inner {
                vault,
                ..Inner::default()
            }),
            wake: Condvar::new(),
            round: Mutex::new(()),
            emitter: OnceLock::new(),
        }
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        // The facts are plain values: a panic elsewhere cannot leave them half-written.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Sends every later status change through `emit` (set once, by the worker's start).
    pub fn set_emitter(&self, emit: Emitter) {
        let _ = self.emitter.set(emit);
    }

    /// Holds the one-round-at-a-time gate (also taken by joining).
    pub fn round_gate(&self) -> MutexGuard<'_, ()> {
        self.round
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The status now, with the next revision (composed under the lock, so a higher revision
    /// always describes a later state).
    pub fn status(&self) -> SyncStatusView {
        let mut inner = self.inner();
        inner.revision += 1;
        SyncStatusView {
            revision: inner.revision,
            ..compose(&inner.vault, &inner.session)
        }
    }

    /// Sends the current status to the UI.
    pub fn publish(&self) {
        if let Some(emit) = self.emitter.get() {
            let status = self.status();
            emit(&status);
        }
    }

    /// New facts from the vault; `local_write` when the user just changed something (the
    /// worker then runs a round after a quiet pause).
    pub fn vault_changed(&self, facts: VaultFacts, local_write: bool) {
        let mut inner = self.inner();
        let was_unlocked = inner.vault.unlocked;
        if !was_unlocked && facts.unlocked {
            // Unlocked (or just joined): sync at once.
            inner.signals.urgent = true;
        }
        if local_write && facts.binding.is_some() {
            let now = Instant::now();
            inner.signals.first_change.get_or_insert(now);
            inner.signals.last_change = Some(now);
        }
        inner.vault = facts;
        inner.signals.woken = true;
        drop(inner);
        self.wake.notify_all();
    }

    /// Asks the worker for a round as soon as possible.
    pub fn request_round(&self) {
        let mut inner = self.inner();
        inner.signals.urgent = true;
        inner.signals.woken = true;
        drop(inner);
        self.wake.notify_all();
    }

    /// Changes this session's facts.
    pub fn update_session(&self, change: impl FnOnce(&mut SessionFacts)) {
        change(&mut self.inner().session);
    }

    /// A round starts: its progress shows from now; the changes it covers are no longer waiting.
    pub fn round_started(&self, pending: u64) {
        let mut inner = self.inner();
        inner.session.running = Some(Progress {
            phase: Phase::Keys,
            sent: 0,
            pending,
            received: 0,
            bytes: 0,
        });
        inner.signals.first_change = None;
        inner.signals.last_change = None;
        inner.signals.urgent = false;
    }

    /// What the worker decides on: the vault facts, this session's, and the signals (the
    /// urgent flag is taken).
    pub fn take_inputs(&self) -> schedule::Inputs {
        let mut inner = self.inner();
        let s = inner.signals;
        inner.signals.urgent = false;
        inner.signals.woken = false;
        schedule::Inputs {
            joined: inner.vault.binding.is_some(),
            unlocked: inner.vault.unlocked,
            revoked: inner.session.revoked,
            offline: inner.session.online == Some(false),
            urgent: s.urgent,
            first_change: s.first_change,
            last_change: s.last_change,
        }
    }

    /// The server the vault is bound to, if joined.
    pub fn server_url(&self) -> Option<String> {
        self.inner()
            .vault
            .binding
            .as_ref()
            .map(|b| b.server_url.clone())
    }

    /// Sleeps up to `timeout`, or until something signals the worker.
    pub fn wait(&self, timeout: Duration) {
        let inner = self.inner();
        if inner.signals.woken {
            return;
        }
        let _ = self
            .wake
            .wait_timeout_while(inner, timeout, |i| !i.signals.woken);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(pending: u64) -> VaultFacts {
        VaultFacts {
            binding: Some(BindingFacts {
                server_url: "http://127.0.0.1:8470".into(),
                username: "konselor.budi".into(),
                role: "counselor".into(),
                last_success: Some(1_700_000_000),
                last_attempt: Some(1_700_000_000),
                server_restored_at: None,
            }),
            pending,
            held: 0,
            update_needed: 0,
            security_alarms: 0,
            unlocked: true,
        }
    }

    #[test]
    fn the_status_names_the_most_important_state_first() {
        let ok = SessionFacts {
            online: Some(true),
            ..SessionFacts::default()
        };
        let cases = [
            (VaultFacts::default(), ok.clone(), SyncState::NotJoined),
            (joined(0), ok.clone(), SyncState::Synced),
            (joined(2), ok.clone(), SyncState::Pending),
            (
                VaultFacts {
                    unlocked: false,
                    ..joined(2)
                },
                ok.clone(),
                SyncState::Locked,
            ),
            (
                joined(2),
                SessionFacts {
                    online: Some(false),
                    last_error: Some(Code::ServerUnreachable),
                    ..SessionFacts::default()
                },
                SyncState::Offline,
            ),
            (
                joined(2),
                SessionFacts {
                    waiting_for_keys: true,
                    ..ok.clone()
                },
                SyncState::WaitingForKeys,
            ),
            (
                joined(0),
                SessionFacts {
                    revoked: true,
                    online: Some(false),
                    ..SessionFacts::default()
                },
                SyncState::Revoked,
            ),
            (
                joined(0),
                SessionFacts {
                    last_error: Some(Code::ServerRefused),
                    ..ok.clone()
                },
                SyncState::Error,
            ),
        ];
        for (vault, session, want) in cases {
            assert_eq!(
                compose(&vault, &session).state,
                want,
                "{vault:?} {session:?}"
            );
        }
    }

    #[test]
    fn a_running_round_shows_its_own_pending_count_and_the_error_code() {
        let session = SessionFacts {
            online: Some(true),
            running: Some(Progress {
                phase: Phase::Push,
                sent: 3,
                pending: 4,
                received: 0,
                bytes: 100,
            }),
            last_error: Some(Code::ServerUnreachable),
            ..SessionFacts::default()
        };
        let s = compose(&joined(7), &session);
        assert_eq!(s.state, SyncState::Syncing);
        assert_eq!(s.pending, 4, "the round's own count is the freshest");
        assert_eq!(s.progress.map(|p| p.phase), Some("push".to_owned()));
        let err = s.last_error.expect("error shown");
        assert_eq!(err.code, Code::ServerUnreachable);
        assert_eq!(s.last_success.as_deref(), Some("2023-11-14T22:13:20+00:00"));
    }

    #[test]
    fn every_status_composed_is_newer_than_the_one_before_so_a_late_answer_loses() {
        let control = SyncControl::new(joined(0));
        let answer = control.status();
        control.round_started(0);
        let running = control.status();
        control.update_session(|s| s.running = None);
        let done = control.status();
        assert!(answer.revision < running.revision && running.revision < done.revision);
        assert_eq!(running.state, SyncState::Syncing);
        assert_eq!(done.state, SyncState::Synced, "{done:?}");
    }
}
