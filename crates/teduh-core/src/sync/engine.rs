//! One sync round: roster and team keys (their steps are in `team_keys.rs`), push the
//! outbox, pull the team's log.
//!
//! - **Keys.** Supervisors and admins (key managers) sign the roster: the members it already
//!   lists, the ones they admitted by safety number (the server's list alone admits no one:
//!   decision 0005), their devices and the epochs with their key-confirmation tags. Whenever
//!   membership shrinks or grows or a device is revoked they make a new team-key epoch sealed
//!   to every active member and signed; each envelope holds all the team's keys so far, so a
//!   new member reads the team's history and a removed one cannot read what comes after.
//!   Everyone else verifies the roster and opens her envelope.
//! - **Push.** The outbox (records above the acknowledged sequence) goes in byte-bounded pages
//!   sized to the link (each request aims at a few seconds); the acknowledgement is saved
//!   before the next page, so nothing acknowledged is ever sent again. Records made under an
//!   older epoch are re-sealed first; if the server finds this device's clock far ahead, the
//!   unsent records are re-stamped on the server's time and the clock corrected.
//! - **Pull.** Pages from the team cursor; each page and its cursor are applied in one local
//!   transaction ([`Vault::receive_page`]), so an interruption at any point resumes cleanly.
//!
//! The round plans, then acts: what to do next is decided by pure functions of what the vault
//! and the server said (`sync/plan.rs`), and the vault is borrowed only for the local steps
//! ([`VaultAccess`]), never across a request.

use std::time::{Duration, Instant};

use teduh_protocol::sync::{hlc_from_millis, PullPage, PushPage};
use zeroize::Zeroizing;

use super::plan::{self, PushFacts, PushState, PushStep, Recovery};
use super::{credentials, SyncError, Transport, TransportError};
use crate::hlc::{Hlc, HlcClock};
use crate::vault::{Vault, VaultError};

/// What the round is doing (for progress reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Roster and team keys.
    Keys,
    /// Sending this device's records.
    Push,
    /// Receiving the team's records.
    Pull,
}

/// Progress of a round, reported after every request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// Phase.
    pub phase: Phase,
    /// Records sent and acknowledged in this round.
    pub sent: u64,
    /// Records this device still has to send.
    pub pending: u64,
    /// Records received in this round.
    pub received: u64,
    /// Bytes sent and received in this round.
    pub bytes: u64,
}

/// What a round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Records the server acknowledged in this round.
    pub pushed: u64,
    /// Push requests made.
    pub push_requests: u64,
    /// Of `pushed`, records the server already held although their acknowledgement never
    /// arrived (learned from the server before anything was re-sealed or re-stamped).
    pub recovered_acks: u64,
    /// Records re-sent, as first sent, to a server restored from a backup that had lost them.
    pub resent: u64,
    /// The server holds less than this device knows it once held (records, the team roster,
    /// key epochs): it was restored from a backup. The device re-publishes what it holds; this
    /// is an informational notice, never a security alarm.
    pub server_restored: bool,
    /// Team records applied.
    pub pulled: u64,
    /// Records kept aside, with reasons (also in [`Vault::held_records`]).
    pub held: Vec<String>,
    /// Security alarms this round raised (kept in [`Vault::security_alarms`]).
    pub alarms: Vec<String>,
    /// On a key manager's device: alarms other devices of the team reported, received this
    /// round (kept in [`Vault::reported_alarms`]).
    pub reported: Vec<String>,
    /// The device cannot send yet: the team has no key it can open (a supervisor has to sync
    /// first to share the team key with this member). Its records stay in the outbox.
    pub waiting_for_keys: bool,
    /// The team's current key epoch.
    pub epoch: u32,
    /// Records still waiting to be sent.
    pub pending: u64,
}

/// Tuning of a round.
#[derive(Debug, Clone, Copy)]
pub struct SyncOptions {
    /// Time one request should take on the measured link; pages are sized to it.
    pub target_request_time: Duration,
    /// Size of the first push page and pull budget, before the link is measured.
    pub initial_page_bytes: u64,
    /// Smallest page.
    pub min_page_bytes: u64,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            target_request_time: Duration::from_secs(4),
            initial_page_bytes: 8 * 1024,
            min_page_bytes: 2 * 1024,
        }
    }
}

/// Sizes pages to the link: the throughput of the last request times the target time.
struct PageSizer {
    bytes: u64,
    min: u64,
    max: u64,
    target: Duration,
}

impl PageSizer {
    fn observe(&mut self, bytes: u64, took: Duration) {
        let secs = took.as_secs_f64().max(0.001);
        let rate = bytes as f64 / secs;
        let next = (rate * self.target.as_secs_f64()) as u64;
        // Grow at most 4x per request; shrink at once.
        self.bytes = next.clamp(
            self.min,
            self.max.min(self.bytes.saturating_mul(4)).max(self.min),
        );
    }
}

/// The vault, lent to a round one local step at a time. A round never holds it across a
/// request to the server: it reads what the next request needs, lets go, makes the request, and
/// takes the vault again to apply the answer. A user command therefore waits for one local step
/// at most, however slow the link (the desktop lends its shared vault this way; the CLI and
/// tests lend `&mut Vault`).
pub trait VaultAccess {
    /// Runs one local step with the vault.
    ///
    /// Fails with [`SyncError::Vault`] ([`VaultError::Locked`]) when the vault was locked or
    /// closed since the last step: the round ends, keeping what it applied.
    fn with<R>(&mut self, step: impl FnOnce(&mut Vault) -> R) -> Result<R, SyncError>;
}

impl VaultAccess for &mut Vault {
    fn with<R>(&mut self, step: impl FnOnce(&mut Vault) -> R) -> Result<R, SyncError> {
        Ok(step(self))
    }
}

/// One round in progress: what every step of it reads and reports to. The team-key steps are in
/// [`super::team_keys`].
pub(super) struct Round<'a, A: VaultAccess> {
    vault: A,
    pub(super) t: &'a mut dyn Transport,
    pub(super) token: Zeroizing<String>,
    /// When to renew `token`, by this computer's clock.
    token_renew_at: i64,
    pub(super) team: u64,
    pub(super) report: SyncReport,
    progress: &'a mut dyn FnMut(&Progress),
    bytes: u64,
    options: SyncOptions,
}

/// Runs one sync round; see the module documentation. Progress is reported after every
/// request.
///
/// Fails with [`SyncError::Offline`] when the link drops (everything acknowledged or applied so
/// far is kept; the next round resumes), [`SyncError::Revoked`] when the server no longer
/// accepts this device, or a vault error. The outcome is saved for [`Vault::binding`].
pub fn sync_once(
    vault: &mut Vault,
    transport: &mut dyn Transport,
    progress: &mut dyn FnMut(&Progress),
) -> Result<SyncReport, SyncError> {
    sync_with(vault, transport, progress, SyncOptions::default())
}

/// [`sync_once`] with explicit tuning, borrowing the vault through `vault` one local step at a
/// time ([`VaultAccess`]).
///
/// Fails like [`sync_once`], and with [`VaultError::Locked`] when the vault is locked mid-round.
pub fn sync_with<A: VaultAccess>(
    mut vault: A,
    transport: &mut dyn Transport,
    progress: &mut dyn FnMut(&Progress),
    options: SyncOptions,
) -> Result<SyncReport, SyncError> {
    let binding = vault.with(|v| v.binding())??;
    let binding = binding.ok_or(SyncError::NotJoined)?;
    let (token, token_renew_at) = match credentials::access_token(&mut vault, transport) {
        Ok(fresh) => fresh,
        Err(e) => {
            let _ = vault.with(|v| v.record_sync_attempt(Some(&e.to_string())));
            return Err(e);
        }
    };
    let mut round = Round {
        vault,
        t: transport,
        token,
        token_renew_at,
        team: binding.team,
        report: SyncReport::default(),
        progress,
        bytes: 0,
        options,
    };
    let mut outcome = round.run();
    if matches!(
        outcome,
        Err(SyncError::UnknownDevice | SyncError::SessionExpired)
    ) {
        // The server no longer takes this access token: its clock ran ahead, another renewal
        // replaced the token (someone holds a copy of the refresh chain), or it was restored
        // from a backup older than the token. A renewal tells which (a copy revokes the device;
        // a restored server takes the chain's next token), and the round runs once more.
        outcome = round.renew_and_rerun();
    }
    let Round {
        mut vault, report, ..
    } = round;
    match outcome {
        Ok(()) => {
            vault.with(|v| v.record_sync_attempt(None))??;
            Ok(report)
        }
        Err(e) => {
            // Best effort: the error itself matters more than saving it.
            let _ = vault.with(|v| v.record_sync_attempt(Some(&e.to_string())));
            Err(e)
        }
    }
}

impl<A: VaultAccess> Round<'_, A> {
    /// One local step with the vault (never spanning a request).
    pub(super) fn local<R, E: Into<SyncError>>(
        &mut self,
        step: impl FnOnce(&mut Vault) -> Result<R, E>,
    ) -> Result<R, SyncError> {
        self.vault.with(step)?.map_err(Into::into)
    }

    /// One request with the access token: renewed first when it is close to expiring (a round
    /// of many pages on a slow link outlives an hour), and once more when the server finds it
    /// expired anyway. The outer error is the renewal's; the inner one the request's.
    pub(super) fn authorized<T>(
        &mut self,
        call: impl Fn(&mut dyn Transport, &str) -> Result<T, TransportError>,
    ) -> Result<Result<T, TransportError>, SyncError> {
        let now = chrono::Utc::now().timestamp();
        if self.token_renew_at <= now {
            (self.token, self.token_renew_at) =
                credentials::access_token(&mut self.vault, &mut *self.t)?;
        }
        match call(&mut *self.t, &self.token) {
            Err(e) if e.code() == Some("TokenExpired") => {
                (self.token, self.token_renew_at) =
                    credentials::renew_expired(&mut self.vault, &mut *self.t, &self.token)?;
                Ok(call(&mut *self.t, &self.token))
            }
            answer => Ok(answer),
        }
    }

    /// Renews the access token the server refused, and runs the round again.
    fn renew_and_rerun(&mut self) -> Result<(), SyncError> {
        (self.token, self.token_renew_at) =
            credentials::renew_expired(&mut self.vault, &mut *self.t, &self.token)?;
        self.run()
    }

    fn run(&mut self) -> Result<(), SyncError> {
        // Progress after every request, so a slow link still shows movement every few seconds.
        self.report(Phase::Keys)?;
        let limits = self.t.limits()?;
        // Before anything is stamped or pushed: a clock hours off would shift every time this
        // device records (an episode's opening, and so its deadline on the supervisor's screen).
        if let Some(server_now) = self.t.server_time_ms() {
            let wall = HlcClock::wall_millis();
            self.local(|v| v.follow_server_clock(server_now, wall))?;
        }
        self.report(Phase::Keys)?;
        self.refresh_keys()?;
        self.report(Phase::Keys)?;
        // The organisation's own steps never hold up the team's records: a server without them,
        // a founded team it lost or a race with another device holding the organisation key
        // waits for the next round.
        self.organisation_step(Self::exchange_org_settings)?;
        self.organisation_step(Self::tend_founded_teams)?;
        // Clients' keys to readers who lack them (a new device, a new supervisor), before the
        // push that carries them.
        self.local(|v| v.wrap_keys_for_readers())?;
        // Erasures applied here are acknowledged in the same push, and this device's own
        // bodies of an erased client go once the server has acknowledged them (issue 26).
        self.local(|v| v.acknowledge_erasures())?;
        // What this device holds, stated after the roster and keys were refreshed above and
        // pushed with the outbox (trust 3/3: other devices compare it with their copies).
        let server_epoch = self.report.epoch;
        self.local(|v| v.write_checkpoint(server_epoch))?;
        // A colleague's checkpoint names a roster or epoch the server has not given this
        // device (a hidden revocation?): nothing leaves under the old keys meanwhile.
        if self.local(|v| v.awaits_newer_keys())? {
            self.report.waiting_for_keys = true;
        } else {
            self.push(limits.max_push_bytes, limits.max_push_records)?;
            // The push found the server restored from a backup: say so in this round, so the
            // others tell an author who is away from a server that withholds.
            if self.report.server_restored && self.local(|v| v.write_checkpoint(server_epoch))? {
                self.push(limits.max_push_bytes, limits.max_push_records)?;
            }
        }
        self.pull(limits.max_pull_bytes)?;
        // After the pull, which may have shredded a client here: the server replaces the
        // bodies this device erased by their tombstones. Like the organisation's steps, a server
        // that refuses waits for the next round.
        self.organisation_step(|r| {
            r.send_tombstones(limits.max_push_bytes, limits.max_push_records)
        })?;
        // After a complete pull: what other devices' checkpoints named and is still missing.
        let withheld = self.local(|v| v.settle_checkpoints())?;
        self.report.alarms.extend(withheld);
        // And records served erased whose client no erasure names (a made-up tombstone).
        let unexplained = self.local(|v| v.check_erased_records())?;
        self.report.alarms.extend(unexplained);
        // After the pull, so an acknowledgement that arrived stops the alert; like the
        // organisation's steps, a server without the endpoint waits for the next round.
        self.organisation_step(Self::send_urgent_signals)?;
        // Last: the pull may have raised an alarm too (equivocation).
        self.exchange_alarm_reports()?;
        let (pending, held) =
            self.local(|v| Ok::<_, VaultError>((v.pending_count()?, v.held_records()?)))?;
        self.report.pending = pending;
        self.report.held = held;
        Ok(())
    }

    /// Runs a best-effort step (the organisation's, the urgent alerts); only what stops the whole
    /// round (offline, revoked, expired, the vault) stops it.
    fn organisation_step(
        &mut self,
        step: impl FnOnce(&mut Self) -> Result<(), SyncError>,
    ) -> Result<(), SyncError> {
        match step(self) {
            Err(e) if e.ends_round() => Err(e),
            _ => Ok(()),
        }
    }

    pub(super) fn report(&mut self, phase: Phase) -> Result<(), SyncError> {
        let pending = self.local(|v| v.pending_count())?;
        let p = Progress {
            phase,
            sent: self.report.pushed,
            pending,
            received: self.report.pulled,
            bytes: self.bytes,
        };
        (self.progress)(&p);
        Ok(())
    }

    /// The device's acknowledged sequence (0 before the first acknowledgement).
    fn acked_seq(&mut self) -> Result<u64, SyncError> {
        self.local(|v| v.binding().map(|b| b.map_or(0, |b| b.acked_seq)))
    }

    fn push(&mut self, max_bytes: u64, max_records: u64) -> Result<(), SyncError> {
        let mut sizer = PageSizer {
            bytes: self.options.initial_page_bytes.min(max_bytes),
            min: self.options.min_page_bytes.min(max_bytes),
            max: max_bytes,
            target: self.options.target_request_time,
        };
        let mut retries = 0;
        let mut state = PushState::default();
        let max_rows = usize::try_from(max_records).unwrap_or(1000);
        loop {
            let (held_epochs, pending) =
                self.local(|v| Ok::<_, VaultError>((v.team_epochs(), v.pending_count()?)))?;
            let facts = PushFacts {
                epoch: self.report.epoch,
                held_epochs: &held_epochs,
                pending,
            };
            let candidates = match plan::next_push_step(&facts, &state) {
                PushStep::WaitForKeys(waiting) => {
                    self.report.waiting_for_keys = waiting;
                    return Ok(());
                }
                PushStep::Done => return Ok(()),
                PushStep::Resume => {
                    // Every round: the device is the source of truth for its own log.
                    self.resume_from_server()?;
                    self.resend(sizer.max, max_records)?;
                    self.local(|v| v.upgrade_outbox_format())?;
                    state.resumed = true;
                    continue;
                }
                PushStep::Reseal(epoch) => {
                    // Re-sealing reads the whole outbox, so it happens once, and again only
                    // when the team's epoch moves on.
                    self.local(|v| v.reseal_outbox(epoch))?;
                    state.sealed_for = Some(epoch);
                    continue;
                }
                PushStep::Send => {
                    let bytes = sizer.bytes;
                    self.local(|v| {
                        // Read as far as the page fits: every row read is sent.
                        v.outbox_page(max_rows, bytes)
                            .and_then(|rows| v.wire_records(&rows))
                    })?
                }
            };
            if candidates.is_empty() {
                return Ok(());
            }
            let page = PushPage {
                records: candidates,
            };
            let body = page.encode();
            let last = page.records.last().map_or(0, |r| r.device_seq);
            let before = self.acked_seq()?;
            // From here the server may hold them whatever it answers: an upgrade to a newer
            // format must not give them a second wire form.
            self.local(|v| v.note_sent_through(last))?;
            let started = Instant::now();
            let team = self.team;
            let sent = self.authorized(|t, token| t.push(token, team, &body))?;
            self.report.push_requests += 1;
            self.report(Phase::Push)?;
            match sent {
                Ok(ack) => {
                    sizer.observe(body.len() as u64, started.elapsed());
                    self.bytes += body.len() as u64;
                    if ack.stored_through < before || ack.stored_through > last {
                        return Err(SyncError::Protocol(format!(
                            "the server acknowledged through {} after {before}..{last} was sent",
                            ack.stored_through
                        )));
                    }
                    self.local(|v| v.acknowledge(ack.stored_through))?;
                    self.report.pushed += ack.stored_through - before;
                    if ack.stored_through == before {
                        return Err(SyncError::Protocol(
                            "the server stored nothing of a page it accepted".into(),
                        ));
                    }
                    retries = 0;
                    self.report(Phase::Push)?;
                }
                Err(TransportError::Refused {
                    code,
                    server_time_ms,
                    message,
                    ..
                }) if retries < 3 => {
                    retries += 1;
                    match plan::recovery_for(&code) {
                        Recovery::RefreshKeys => {
                            self.refresh_keys()?;
                            state = PushState::default();
                        }
                        Recovery::CorrectClock => {
                            let server_now = server_time_ms.ok_or_else(|| {
                                SyncError::Protocol("ClockAhead without the server's time".into())
                            })?;
                            let wall = HlcClock::wall_millis();
                            let offset = i64::try_from(server_now).unwrap_or(i64::MAX)
                                - i64::try_from(wall).unwrap_or(i64::MAX);
                            self.local(|v| {
                                v.set_clock_offset_ms(offset)?;
                                v.restamp_outbox(Hlc(hlc_from_millis(server_now, 0)))
                            })?;
                        }
                        // The server holds other content under a sequence of ours: most likely
                        // an earlier version of records whose acknowledgement was lost before
                        // they were re-sealed. Take the server's point and go on from there.
                        Recovery::ResumeFromServer => {
                            let before = self.acked_seq()?;
                            self.resume_from_server()?;
                            if self.acked_seq()? == before {
                                return Err(SyncError::Refused { code, message });
                            }
                        }
                        Recovery::HalvePage => {
                            sizer.max = (sizer.bytes / 2).max(1024);
                            sizer.bytes = sizer.max;
                        }
                        Recovery::GiveUp => {
                            return Err(SyncError::Refused { code, message });
                        }
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Asks the server how far it holds this device's log (an empty push page answers with
    /// its acknowledgement) and takes as acknowledged what it holds beyond the last answer that
    /// arrived: an answer lost on the way back must not lead to re-sealing or re-stamping
    /// records the server already has (it would see a fork and refuse every later push).
    ///
    /// Fails when the server is unreachable, or claims more than this device ever wrote.
    fn resume_from_server(&mut self) -> Result<(), SyncError> {
        let ack = self
            .t
            .push(&self.token, self.team, &PushPage::default().encode())?;
        self.report.push_requests += 1;
        let (acked, written) = self.local(|v| {
            let acked = v.binding()?.map_or(0, |b| b.acked_seq);
            Ok::<_, VaultError>((acked, v.highest_seq_of(v.device_id())?))
        })?;
        if ack.stored_through > written {
            return Err(SyncError::Protocol(format!(
                "the server says it holds this device's records through {}, but only {written} \
                 were ever written here",
                ack.stored_through
            )));
        }
        if ack.stored_through > acked {
            self.local(|v| v.acknowledge(ack.stored_through))?;
            self.report.pushed += ack.stored_through - acked;
            self.report.recovered_acks += ack.stored_through - acked;
        } else if ack.stored_through < acked {
            // A server restored from a backup: it lost what it once acknowledged.
            self.local(|v| v.server_lost_records(ack.stored_through))?;
            self.report.server_restored = true;
        }
        Ok(())
    }

    /// Re-sends, exactly as first sent, the records a restored server lost, before anything
    /// new (the server's log of this device stays gapless).
    ///
    /// Fails when the server is unreachable or refuses them (the next round resumes).
    fn resend(&mut self, max_bytes: u64, max_records: u64) -> Result<(), SyncError> {
        let max_rows = usize::try_from(max_records).unwrap_or(1000);
        loop {
            let rows = self.local(|v| {
                v.resend_outbox(max_rows, max_bytes)
                    .and_then(|rows| v.wire_records(&rows))
            })?;
            let Some(first) = rows.first().map(|r| r.device_seq) else {
                return Ok(());
            };
            let page = PushPage { records: rows };
            let ack = self
                .t
                .push(&self.token, self.team, &page.encode())
                .map_err(SyncError::from)?;
            self.report.push_requests += 1;
            if ack.stored_through < first {
                return Err(SyncError::Protocol(
                    "the server stored nothing of the records it had lost".into(),
                ));
            }
            self.local(|v| v.resent_through(ack.stored_through))?;
            self.report.resent += ack.stored_through + 1 - first;
            self.report(Phase::Push)?;
        }
    }

    fn pull(&mut self, max_bytes: u64) -> Result<(), SyncError> {
        let mut sizer = PageSizer {
            bytes: self
                .options
                .initial_page_bytes
                .saturating_mul(4)
                .min(max_bytes),
            min: self.options.min_page_bytes.min(max_bytes),
            max: max_bytes,
            target: self.options.target_request_time,
        };
        loop {
            let cursor = self.pull_cursor()?;
            let started = Instant::now();
            let (team, budget) = (self.team, sizer.bytes);
            let bytes = self.authorized(|t, token| t.pull(token, team, cursor, budget))??;
            sizer.observe(bytes.len() as u64, started.elapsed());
            self.bytes += bytes.len() as u64;
            let page = PullPage::decode(&bytes)
                .map_err(|e| SyncError::Protocol(format!("pull page: {e}")))?;
            if page.next_cursor < cursor {
                return Err(SyncError::Protocol("the pull cursor went backwards".into()));
            }
            let records: Vec<_> = page.records.into_iter().map(|r| r.record).collect();
            let got = self.local(|v| v.receive_page(&records, page.next_cursor))?;
            self.report.pulled += got.applied;
            self.report.alarms.extend(got.alarms);
            self.report(Phase::Pull)?;
            if !page.more || (records.is_empty() && page.next_cursor == cursor) {
                return Ok(());
            }
        }
    }

    /// Sends the tombstones of the records this device erased whose server copies may still hold
    /// their bodies (`vault/erasure/server.rs`), a page at a time.
    ///
    /// Fails when the server is unreachable or refuses a page (the next round sends it again).
    fn send_tombstones(&mut self, max_bytes: u64, max_records: u64) -> Result<(), SyncError> {
        let max_rows = usize::try_from(max_records).unwrap_or(1000);
        loop {
            let page = self.local(|v| v.tombstones_due(max_rows, max_bytes))?;
            if page.is_empty() {
                return Ok(());
            }
            let page = PushPage { records: page };
            let body = page.encode();
            self.t.erase_records(&self.token, self.team, &body)?;
            self.bytes += body.len() as u64;
            self.local(|v| v.tombstones_sent(&page.records))?;
        }
    }

    /// Asks the server to alert the supervisors outside the app for each episode that is due
    /// one (opened here, or past its deadline): the signal names no client and no episode.
    fn send_urgent_signals(&mut self) -> Result<(), SyncError> {
        let now = self.local(|v| Ok::<_, VaultError>(v.corrected_now()))?;
        let due = self.local(|v| v.urgent_signals_due(now))?;
        for d in due {
            let signal = teduh_protocol::sync::UrgentSignal {
                on_call: d.on_call.into_iter().collect(),
                overdue: d.overdue,
            };
            self.t.signal_urgent(&self.token, self.team, &signal)?;
            self.local(|v| v.mark_urgent_signal_sent(d.episode, d.overdue, now))?;
        }
        Ok(())
    }

    /// Where the team log's next pull starts.
    pub(super) fn pull_cursor(&mut self) -> Result<u64, SyncError> {
        self.local(|v| v.binding().map(|b| b.map_or(0, |b| b.pull_cursor)))
    }
}
