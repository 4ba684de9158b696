//! One sync round as the app runs it.
//!
//! The engine needs `&mut Vault` for the whole round, network calls included, so the round
//! holds the vault's mutex. To keep the window responsive on a slow link, the transport is
//! wrapped in [`YieldToUser`]: once the round has held the vault for [`SLICE`] and a user command
//! is waiting for it, the next request is not made; the round ends as if the link had dropped
//! (everything acknowledged or applied so far is kept, the engine is built for that), the
//! command runs, and the round continues after [`YIELD_PAUSE`]. A user command therefore waits
//! at most [`SLICE`] plus one request (pages are sized to take [`TARGET_REQUEST_TIME`]; a
//! stalled request ends after the transport's idle timeout). See docs/architecture.md for the
//! measured figures.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use teduh_core::sync::engine::{sync_with, SyncOptions};
use teduh_core::sync::{Intercepted, Interceptor, Request, SyncError, SyncReport, TransportError};

use super::{SessionFacts, VaultFacts};
use crate::ipc::{IpcError, SyncStatusView};
use crate::state::AppState;

/// How long a round may keep the vault from a waiting user command before it yields.
pub const SLICE: Duration = Duration::from_millis(300);
/// Pause after yielding, so the waiting commands get the vault before the round takes it back.
pub const YIELD_PAUSE: Duration = Duration::from_millis(150);
/// Time one request should take once the link is measured. The engine's default is 4 s; the
/// app halves it because a user command may wait for one request (see the module docs), at the
/// cost of a few more requests on slow links.
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

/// A transport that gives the vault back to the user between requests (see the module docs).
pub struct YieldToUser<'a> {
    waiters: &'a AtomicUsize,
    since: Instant,
    yielded: bool,
}

impl<'a> YieldToUser<'a> {
    /// Starts the slice now; `waiters` counts user commands waiting for the vault.
    pub fn new(waiters: &'a AtomicUsize) -> Self {
        Self {
            waiters,
            since: Instant::now(),
            yielded: false,
        }
    }

    /// Whether the round stopped to let a user command run.
    pub fn yielded(&self) -> bool {
        self.yielded
    }
}

impl Interceptor for YieldToUser<'_> {
    fn before(&mut self, _request: Request<'_>) -> Result<(), TransportError> {
        if self.waiters.load(Ordering::SeqCst) > 0 && self.since.elapsed() >= SLICE {
            self.yielded = true;
            return Err(TransportError::Unreachable(
                "round paused so a user command can run".into(),
            ));
        }
        Ok(())
    }
}

/// Runs one round to its end (continuing after each pause for the user), one at a time.
/// Updates the shared facts and publishes the status on every change.
pub fn run(state: &AppState) -> RoundEnd {
    let control = state.sync();
    let _one_at_a_time = control.round_gate();
    loop {
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
        let mut http = match super::join::transport_to(&binding.server_url).build() {
            Ok(t) => t,
            Err(e) => return RoundEnd::Failed(SyncError::Protocol(e.to_string())),
        };
        control.round_started(vault.pending_count().unwrap_or(0));
        control.publish();
        let mut transport = Intercepted::new(&mut http, YieldToUser::new(state.vault_waiters()));
        let result = sync_with(
            vault,
            &mut transport,
            &mut |p| {
                control.update_session(|s| s.running = Some(p.clone()));
                control.publish();
            },
            options(),
        );
        let facts = VaultFacts::read(vault);
        drop(slot);
        if let Ok(f) = facts {
            control.vault_changed(f, false);
        }
        if transport.hooks.yielded() && result.is_err() {
            std::thread::sleep(YIELD_PAUSE);
            continue;
        }
        control.update_session(|s| finish(s, &result));
        control.publish();
        return match result {
            Ok(r) => RoundEnd::Done(r),
            Err(e) => RoundEnd::Failed(e),
        };
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
            s.revoked = matches!(e, SyncError::Revoked);
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
