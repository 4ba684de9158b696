//! The background sync worker: one thread that sleeps until [`super::schedule`] says a round
//! or a health probe is due, or until something wakes it (a write, unlocking, joining).
//!
//! It never runs two rounds at once (rounds pass through the gate in [`super::round::run`],
//! which `sync_now` shares), probes the server without touching the vault, and stops syncing
//! while the vault is locked because rounds need its keys.

use std::time::Instant;
use teduh_core::error::Code;

use tauri::{AppHandle, Emitter as _, Manager as _, Runtime};

use super::round::{self, RoundEnd};
use super::schedule::{self, Action, Plan};
use crate::ipc::IpcError;
use crate::state::AppState;

/// Starts the worker for the app's [`AppState`] and sends every status change to the UI as the
/// [`super::EVENT`] event. Call once, after the state is managed.
///
/// Fails when the thread cannot be started.
pub fn start<R: Runtime>(app: &AppHandle<R>) -> Result<(), IpcError> {
    let emitter = app.clone();
    app.state::<AppState>()
        .sync()
        .set_emitter(Box::new(move |status| {
            // A window that is gone cannot be told; the next status reaches the next one.
            let _ = emitter.emit(super::EVENT, status);
        }));
    let app = app.clone();
    std::thread::Builder::new()
        .name("teduh-sync".into())
        .spawn(move || run(&app.state::<AppState>()))
        .map(|_| ())
        .map_err(|e| {
            IpcError::new(
                Code::Internal,
                format!("the sync worker did not start: {e}"),
            )
        })
}

/// The worker's loop (runs for the life of the app).
pub fn run(state: &AppState) {
    let mut plan = Plan::default();
    loop {
        // The core's idle lock would never fire while rounds keep the vault busy: the app
        // tracks the user's own activity and locks for her.
        state.lock_idle_vault();
        let inputs = state.sync().take_inputs();
        match plan.next(Instant::now(), &inputs) {
            Action::Wait(d) => state.sync().wait(d),
            Action::Round => {
                let end = round::run(state);
                let offline = matches!(
                    end,
                    RoundEnd::Failed(teduh_core::sync::SyncError::Offline(_))
                );
                plan.after_round(Instant::now(), offline, schedule::jitter());
            }
            Action::Check => {
                let Some(url) = state.sync().server_url() else {
                    continue;
                };
                let reachable = round::reachable(&url);
                if !reachable {
                    // The header says "offline" now, with when it was last in touch.
                    state.sync().update_session(|s| s.online = Some(false));
                    state.publish_sync_status();
                }
                plan.after_check(Instant::now(), reachable, schedule::jitter());
            }
            Action::Probe => {
                let Some(url) = state.sync().server_url() else {
                    continue;
                };
                if round::reachable(&url) {
                    let end = round::run(state);
                    let offline = matches!(
                        end,
                        RoundEnd::Failed(teduh_core::sync::SyncError::Offline(_))
                    );
                    plan.after_round(Instant::now(), offline, schedule::jitter());
                } else {
                    plan.after_failed_probe(Instant::now(), schedule::jitter());
                }
            }
        }
    }
}
