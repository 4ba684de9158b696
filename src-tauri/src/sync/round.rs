//! One sync round as the app runs it.
//!
//! The core's engine borrows the vault one local step at a time ([`VaultAccess`]): here each
//! step takes the shared vault's mutex and lets go before the next request, so a user command
//! waits at most for one local step (reading an outbox page, applying a pulled page), never for
//! a request on a slow link. See docs/architecture.md for the measured figures.

use std::time::Duration;

use teduh_core::sync::engine::{sync_with, SyncOptions};
use teduh_core::sync::{SyncError, SyncReport, VaultAccess};
use teduh_core::vault::{Vault, VaultError};

use super::{SessionFacts, VaultFacts};
use crate::ipc::{IpcError, SyncStatusView};
use crate::state::AppState;

/// Time one request should take once the link is measured. The engine's default is 4 s; the
/// app halves it so that the header's progress moves every couple of seconds on a slow link, at
/// the cost of a few more requests.
pub const TARGET_REQUEST_TIME: Duration = Duration::from_secs(2);

fn options() -> SyncOptions {
    SyncOptions {
        target_request_time: TARGET_REQUEST_TIME,
        ..SyncOptions::default()
    }
}

/// How a round ended.
#[derive(Debug)]
pub enum RoundEnd {
    /// It completed.
    Done(SyncReport),
    /// It failed (offline, refused...); the vault keeps everything done so far.
    Failed(SyncError),
    /// The vault is locked (or there is none): sync pauses.
    Locked,
    /// This computer has not joined a team.
    NotJoined,
}

/// The app's vault, lent to a round one local step at a time.
struct SharedVault<'a>(&'a AppState);

impl VaultAccess for SharedVault<'_> {
    fn with<R>(&mut self, step: impl FnOnce(&mut Vault) -> R) -> Result<R, SyncError> {
        let mut slot = self.0.vault_for_sync();
        match slot.as_mut() {
            Some(vault) if vault.is_unlocked() => Ok(step(vault)),
            // Locked (or gone) since the last step: the round ends, keeping what it applied.
            _ => Err(SyncError::Vault(VaultError::Locked)),
        }
    }
}

/// Runs one round to its end, one at a time. Updates the shared facts and publishes the status
/// on every change.
pub fn run(state: &AppState) -> RoundEnd {
    let control = state.sync();
    let _one_at_a_time = control.round_gate();
    let binding = {
        let mut slot = state.vault_for_sync();
        let Some(vault) = slot.as_mut() else {
            return RoundEnd::NotJoined;
        };
        if state.lock_if_idle(vault) {
            state.vault_facts_changed(vault, false);
            return RoundEnd::Locked;
        }
        let binding = match vault.binding() {
            Ok(Some(b)) => b,
            Ok(None) => return RoundEnd::NotJoined,
            Err(e) => return RoundEnd::Failed(e.into()),
        };
        control.round_started(vault.pending_count().unwrap_or(0));
        binding
    };
    control.publish();
    let mut http = match super::join::transport_to(&binding.server_url).build() {
        Ok(t) => t,
        Err(e) => return RoundEnd::Failed(SyncError::Protocol(e.to_string())),
    };
    let result = sync_with(
        SharedVault(state),
        &mut http,
        &mut |p| {
            control.update_session(|s| s.running = Some(p.clone()));
            control.publish();
        },
        options(),
    );
    let org_key = match state.vault_for_sync().as_ref() {
        Some(vault) => {
            if let Ok(f) = VaultFacts::read(vault) {
                control.vault_changed(f, false);
            }
            vault.roster().ok().flatten().and_then(|r| r.org_key)
        }
        None => None,
    };
    trust_the_organisation_key(state, org_key);
    control.update_session(|s| finish(s, &result));
    control.publish();
    match result {
        Ok(r) => RoundEnd::Done(r),
        Err(e) => RoundEnd::Failed(e),
    }
}

/// The directory key travels in the signed roster: once it names an organisation key, that key
/// is the one directory bundles must verify against on this computer (what the server's own key
/// signs no longer counts), and Settings shows it.
fn trust_the_organisation_key(state: &AppState, org_key: Option<String>) {
    let Some(key) = org_key else {
        return;
    };
    let trusted = state.settings().ok().and_then(|s| s.directory_key);
    if trusted.as_deref() != Some(key.as_str()) {
        // A settings file that cannot be written now is written after the next round.
        let _ = state.update_settings(|s| {
            s.directory_key = Some(key);
            s.directory_etag = None;
        });
    }
}

/// Records a round's outcome in this session's facts.
fn finish(s: &mut SessionFacts, result: &Result<SyncReport, SyncError>) {
    s.running = None;
    match result {
        Ok(report) => {
            s.online = Some(true);
            s.last_error = None;
            s.waiting_for_keys = report.waiting_for_keys;
            s.revoked = false;
        }
        Err(e) => {
            s.online = Some(!matches!(e, SyncError::Offline(_)));
            s.revoked = matches!(e, SyncError::Revoked | SyncError::TokenCopied);
            s.last_error = Some(e.code());
        }
    }
}

/// `sync_now`: a round at once, whatever the schedule; its outcome is in the returned status.
///
/// Fails with `NotInitialised`/`NotJoined` before joining and `Locked` while locked.
pub fn sync_now(state: &AppState) -> Result<SyncStatusView, IpcError> {
    match run(state) {
        RoundEnd::Locked => Err(teduh_core::vault::VaultError::Locked.into()),
        RoundEnd::NotJoined => Err(SyncError::NotJoined.into()),
        RoundEnd::Done(_) | RoundEnd::Failed(_) => Ok(state.sync_status()),
    }
}

/// Whether the server answers its health check (no vault, no token: cheap).
pub fn reachable(url: &str) -> bool {
    super::join::transport_to(url)
        .connect_timeout(Duration::from_secs(5))
        .idle_timeout(Duration::from_secs(5))
        .build()
        .is_ok_and(|t| t.server_client().health().is_ok())
}
