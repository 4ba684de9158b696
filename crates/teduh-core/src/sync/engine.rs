//! One sync round: roster and team keys, push the outbox, pull the team's log.
//!
//! - **Keys.** Supervisors and admins (key managers) keep the roster current with the server's
//!   member and device lists and, whenever membership shrinks or grows or a device is revoked,
//!   make a new team-key epoch sealed to every active member; each envelope holds all the
//!   team's keys so far, so a new member reads the team's history and a removed one cannot read
//!   what comes after. Everyone else verifies the roster and opens her envelope.
//! - **Push.** The outbox (records above the acknowledged sequence) goes in byte-bounded pages
//!   sized to the link (each request aims at a few seconds); the acknowledgement is saved
//!   before the next page, so nothing acknowledged is ever sent again. Records made under an
//!   older epoch are re-sealed first; if the server finds this device's clock far ahead, the
//!   unsent records are re-stamped on the server's time and the clock corrected.
//! - **Pull.** Pages from the team cursor; each page and its cursor are applied in one local
//!   transaction ([`Vault::receive_page`]), so an interruption at any point resumes cleanly.

use std::time::{Duration, Instant};

use teduh_protocol::sync::{
    hlc_from_millis, MemberEnvelope, NewEpoch, PullPage, PushPage, RosterBody,
};
use x25519_dalek::PublicKey;
use zeroize::Zeroizing;

use super::roster::{hex32, Roster, RosterDevice, RosterMember};
use super::{SyncError, Transport, TransportError};
use crate::crypto::{self, DataKey};
use crate::hlc::{Hlc, HlcClock};
use crate::ids::{hex, DeviceId, KeyId};
use crate::records::RecordRow;
use crate::vault::Vault;

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

fn epoch_context(team: u64, epoch: u32) -> Vec<u8> {
    let mut c = b"teduh/team-keys/v1".to_vec();
    c.extend_from_slice(&team.to_be_bytes());
    c.extend_from_slice(&epoch.to_be_bytes());
    c
}

/// All team keys 1..=N, framed `epoch u32 || key id 16 || key 32` each.
fn encode_keys(keys: &[(u32, DataKey)]) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(keys.len() * 52));
    for (epoch, k) in keys {
        out.extend_from_slice(&epoch.to_be_bytes());
        out.extend_from_slice(&k.id.0);
        out.extend_from_slice(k.bytes());
    }
    out
}

fn decode_keys(bytes: &[u8]) -> Option<Vec<(u32, DataKey)>> {
    if !bytes.len().is_multiple_of(52) {
        return None;
    }
    bytes
        .chunks_exact(52)
        .map(|c| {
            let epoch = u32::from_be_bytes(c[..4].try_into().ok()?);
            let id = KeyId::from_slice(&c[4..20])?;
            let mut key = Zeroizing::new([0u8; 32]);
            key.copy_from_slice(&c[20..]);
            Some((epoch, DataKey::from_parts(id, key)))
        })
        .collect()
}

/// Who a team-key epoch is sealed to: the active members of `roster` that the server lists as
/// active too (`on_server`).
struct Recipients<'a> {
    roster: &'a Roster,
    on_server: &'a [u64],
}

struct Round<'a> {
    vault: &'a mut Vault,
    t: &'a mut dyn Transport,
    token: Zeroizing<String>,
    team: u64,
    report: SyncReport,
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

/// [`sync_once`] with explicit tuning.
///
/// Fails like [`sync_once`].
pub fn sync_with(
    vault: &mut Vault,
    transport: &mut dyn Transport,
    progress: &mut dyn FnMut(&Progress),
    options: SyncOptions,
) -> Result<SyncReport, SyncError> {
    let binding = vault.binding()?.ok_or(SyncError::NotJoined)?;
    let token = vault.sync_token()?;
    let mut round = Round {
        vault,
        t: transport,
        token,
        team: binding.team,
        report: SyncReport::default(),
        progress,
        bytes: 0,
        options,
    };
    let outcome = round.run();
    let Round { vault, report, .. } = round;
    match outcome {
        Ok(()) => {
            vault.record_sync_attempt(None)?;
            Ok(report)
        }
        Err(e) => {
            // Best effort: the error itself matters more than saving it.
            let _ = vault.record_sync_attempt(Some(&e.to_string()));
            Err(e)
        }
    }
}

impl Round<'_> {
    fn run(&mut self) -> Result<(), SyncError> {
        // Progress after every request, so a slow link still shows movement every few seconds.
        self.report(Phase::Keys)?;
        let limits = self.t.limits()?;
        self.report(Phase::Keys)?;
        self.refresh_keys()?;
        self.report(Phase::Keys)?;
        self.push(limits.max_push_bytes, limits.max_push_records)?;
        self.pull(limits.max_pull_bytes)?;
        self.report.pending = self.vault.pending_count()?;
        self.report.held = self.vault.held_records()?;
        Ok(())
    }

    fn report(&mut self, phase: Phase) -> Result<(), SyncError> {
        let p = Progress {
            phase,
            sent: self.report.pushed,
            pending: self.vault.pending_count()?,
            received: self.report.pulled,
            bytes: self.bytes,
        };
        (self.progress)(&p);
        Ok(())
    }

    /// Roster and team keys: verify the server's roster; as a key manager, bring it and the
    /// epochs up to date; open this member's newest envelope.
    fn refresh_keys(&mut self) -> Result<(), SyncError> {
        let binding = self.vault.binding()?.ok_or(SyncError::NotJoined)?;
        let mut changed = false;
        let roster = self.t.roster(&self.token, self.team)?;
        self.report(Phase::Keys)?;
        let held_version = self.vault.roster()?.map_or(0, |r| r.version);
        let server_version = roster.as_ref().map_or(0, |b| b.version);
        if let Some(body) = roster {
            let current = self.vault.roster()?;
            if body.version > held_version {
                match Roster::verify(&body.roster, self.team, current.as_ref()) {
                    Ok(r) => {
                        self.vault.store_roster(&r)?;
                        changed = true;
                    }
                    Err(e) => self.report.held.push(format!("team roster: {e}")),
                }
            }
        }
        if server_version < held_version {
            // Rosters only move forward: the server lost the newest (restored from a backup).
            self.server_restored()?;
        }
        if binding.role.manages_keys() {
            changed |= self.maintain_team(server_version)?;
        }
        changed |= self.open_envelopes()?;
        if changed {
            // Records held for want of a roster entry or a key may open now.
            let cursor = self.vault.binding()?.map_or(0, |b| b.pull_cursor);
            let r = self.vault.receive_page(&[], cursor)?;
            self.report.pulled += r.applied;
        }
        Ok(())
    }

    /// Notes (for this round's report and the device's notice) that the server was restored
    /// from a backup.
    fn server_restored(&mut self) -> Result<(), SyncError> {
        self.report.server_restored = true;
        self.vault.note_server_restored()?;
        Ok(())
    }

    fn open_envelopes(&mut self) -> Result<bool, SyncError> {
        let list = self.t.envelopes(&self.token, self.team)?;
        self.report.epoch = list.current_epoch;
        if list.current_epoch < self.newest_epoch_held() {
            // Epochs only move forward: the server lost the newest ones. Until a key manager's
            // device publishes them again, records sealed under them cannot be stored there.
            self.server_restored()?;
            self.report.waiting_for_keys = true;
            return Ok(false);
        }
        let Some(newest) = list.envelopes.iter().max_by_key(|e| e.epoch) else {
            self.report.waiting_for_keys = true;
            return Ok(false);
        };
        if self.vault.team_epochs().contains(&newest.epoch) {
            self.report.waiting_for_keys = newest.epoch < list.current_epoch;
            return Ok(false);
        }
        let ctx = epoch_context(self.team, newest.epoch);
        let opened = self
            .vault
            .with_x25519(|x| crypto::open_sealed_bytes(x, &ctx, &newest.envelope))
            .ok_or(SyncError::Vault(crate::vault::VaultError::Locked))?
            .map_err(|_| SyncError::Protocol("the team-key envelope does not open".into()))?;
        let keys = decode_keys(&opened)
            .ok_or_else(|| SyncError::Protocol("the team-key envelope is malformed".into()))?;
        self.vault.store_team_keys(keys, list.current_epoch)?;
        self.report.waiting_for_keys = newest.epoch < list.current_epoch;
        Ok(true)
    }

    /// The newest team-key epoch this device holds (0: none).
    fn newest_epoch_held(&self) -> u32 {
        self.vault.team_epochs().into_iter().max().unwrap_or(0)
    }

    /// As a key manager: publish a roster matching the server's members and devices, and a new
    /// epoch when the set of active members or devices changed. A server that lost the newest
    /// roster or epochs (`server_roster` is the version it holds) gets them back first, as this
    /// device holds them. Returns whether anything changed.
    fn maintain_team(&mut self, server_roster: u64) -> Result<bool, SyncError> {
        let binding = self.vault.binding()?.ok_or(SyncError::NotJoined)?;
        let members = self.t.members(&self.token, self.team)?;
        self.report(Phase::Keys)?;
        let devices = self.t.devices(&self.token)?;
        self.report(Phase::Keys)?;
        let current = self.vault.roster()?;
        let on_server: Vec<u64> = members
            .iter()
            .filter(|m| !m.removed)
            .map(|m| m.member_id)
            .collect();
        let mut roster = Roster {
            team: self.team,
            version: current.as_ref().map_or(0, |r| r.version) + 1,
            members: members
                .iter()
                .filter(|m| m.public_keys.len() == 64)
                .map(|m| RosterMember {
                    member: m.member_id,
                    username: m.username.clone(),
                    role: m.role,
                    x25519: hex(&m.public_keys[..32]),
                    ed25519: hex(&m.public_keys[32..]),
                    removed: m.removed,
                })
                .collect(),
            devices: Vec::new(),
        };
        // Keys once pinned in the roster never change silently (a server swapping a member's
        // keys would otherwise get team keys sealed to itself), and a removal is never undone
        // by the server's list (a server restored from a backup lists a removed member again).
        // A member the server does not list at all stays as she was: removing someone is an
        // explicit decision, not something a server's lost or shortened list can make.
        if let Some(cur) = &current {
            for m in &mut roster.members {
                if let Some(old) = cur.member(m.member) {
                    m.x25519.clone_from(&old.x25519);
                    m.ed25519.clone_from(&old.ed25519);
                    m.removed |= old.removed;
                }
            }
            for old in &cur.members {
                if roster.member(old.member).is_none() {
                    roster.members.push(old.clone());
                }
            }
        }
        for d in &devices {
            let prior = current
                .as_ref()
                .and_then(|c| c.devices.iter().find(|x| x.device == d.device_id));
            let revoked = d.revoked_at.is_some() || prior.is_some_and(|p| p.revoked);
            let member_removed = roster.member(d.member_id).is_none_or(|m| m.removed);
            let dead = revoked || member_removed;
            let accept_through = if dead {
                match prior {
                    Some(p) if p.revoked => p.accept_through,
                    _ => Some(
                        self.vault
                            .highest_seq_of(DeviceId::from_server(d.device_id))?,
                    ),
                }
            } else {
                None
            };
            roster.devices.push(RosterDevice {
                device: d.device_id,
                member: d.member_id,
                revoked: dead,
                accept_through,
            });
        }
        if let Some(cur) = &current {
            for old in &cur.devices {
                if !roster.devices.iter().any(|d| d.device == old.device) {
                    roster.devices.push(old.clone());
                }
            }
        }
        roster.members.sort_by_key(|m| m.member);
        roster.devices.sort_by_key(|d| d.device);
        let same = current
            .as_ref()
            .is_some_and(|c| c.members == roster.members && c.devices == roster.devices);
        let active = |r: &Roster| -> Vec<u64> {
            r.members
                .iter()
                .filter(|m| !m.removed)
                .map(|m| m.member)
                .collect()
        };
        let revoked = |r: &Roster| -> Vec<u64> {
            r.devices
                .iter()
                .filter(|d| d.revoked)
                .map(|d| d.device)
                .collect()
        };
        let list = self.t.envelopes(&self.token, self.team)?;
        self.report(Phase::Keys)?;
        let mut changed = false;
        let mut server_epoch = list.current_epoch;
        let held_roster = current.as_ref().map_or(0, |c| c.version);
        if same && server_roster < held_roster {
            // The server lost the newest roster: publish it again, as this device holds it.
            roster.version = held_roster;
        }
        if server_epoch < self.newest_epoch_held() {
            // The server lost the newest epochs: publish them again with the keys this device
            // holds, sealed to the members of the roster it holds.
            let Some(cur) = &current else {
                return Err(SyncError::Protocol(
                    "this device holds team keys but no roster to seal them to".into(),
                ));
            };
            let sealed_to = Recipients {
                roster: cur,
                on_server: &on_server,
            };
            for epoch in server_epoch + 1..=self.newest_epoch_held() {
                self.publish_epoch(&sealed_to, epoch, self.keys_through(epoch)?)?;
            }
            server_epoch = self.newest_epoch_held();
            changed = true;
        }
        // A member this device could not seal the current epoch to (the server did not know
        // her then: restored from a backup) is listed again: she needs the keys.
        let unsealed = self.vault.sealed_to()?.is_some_and(|(epoch, sealed)| {
            epoch == server_epoch
                && active(&roster)
                    .iter()
                    .any(|m| on_server.contains(m) && !sealed.contains(m))
        });
        let needs_epoch = server_epoch == 0
            || unsealed
            || current
                .as_ref()
                .is_none_or(|c| active(c) != active(&roster) || revoked(c) != revoked(&roster));
        if !same || server_roster < held_roster {
            let signed = self
                .vault
                .with_signing_key(|k| roster.sign(binding.member, k))
                .ok_or(SyncError::Vault(crate::vault::VaultError::Locked))?;
            match self.t.put_roster(
                &self.token,
                self.team,
                &RosterBody {
                    version: roster.version,
                    roster: signed,
                },
            ) {
                Ok(()) => {
                    self.vault.store_roster(&roster)?;
                    changed = true;
                }
                // Another supervisor published first: take hers next round.
                Err(TransportError::Refused { code, .. }) if code == "RosterNotNewer" => {
                    return Ok(false)
                }
                Err(e) => return Err(e.into()),
            }
        }
        if needs_epoch {
            let sealed_to = Recipients {
                roster: &roster,
                on_server: &on_server,
            };
            self.new_epoch(&sealed_to, server_epoch)?;
            changed = true;
        }
        Ok(changed)
    }

    /// The team keys of epochs 1..=`last`, as this device holds them.
    ///
    /// Fails when one is missing (this device cannot speak for that epoch).
    fn keys_through(&self, last: u32) -> Result<Vec<(u32, DataKey)>, SyncError> {
        (1..=last)
            .map(|e| {
                self.vault.team_key(e).map(|k| (e, k)).ok_or_else(|| {
                    SyncError::Protocol(format!(
                        "this supervisor's device lacks team key {e}; it cannot publish epoch \
                         {last}"
                    ))
                })
            })
            .collect()
    }

    fn new_epoch(&mut self, sealed_to: &Recipients<'_>, current: u32) -> Result<(), SyncError> {
        let next = current + 1;
        // Every key so far, so members keep reading the team's history.
        let mut keys = self.keys_through(current)?;
        keys.push((next, DataKey::generate()));
        if self.publish_epoch(sealed_to, next, keys.clone())? {
            self.vault.store_team_keys(keys, next)?;
        }
        Ok(())
    }

    /// Publishes epoch `epoch` holding `keys` (all of 1..=`epoch`), sealed to every member
    /// active in both the roster and the server's list (a member the server does not know yet,
    /// or no longer, cannot receive an envelope there). Returns false when another key manager published it first (her
    /// envelope reaches this device instead).
    ///
    /// Fails when the server refuses it otherwise or cannot be reached.
    fn publish_epoch(
        &mut self,
        sealed_to: &Recipients<'_>,
        epoch: u32,
        keys: Vec<(u32, DataKey)>,
    ) -> Result<bool, SyncError> {
        let next = epoch;
        let plain = encode_keys(&keys);
        let ctx = epoch_context(self.team, next);
        let envelopes: Vec<MemberEnvelope> = sealed_to
            .roster
            .members
            .iter()
            .filter(|m| !m.removed && sealed_to.on_server.contains(&m.member))
            .filter_map(|m| {
                let x = hex32(&m.x25519)?;
                Some(MemberEnvelope {
                    member_id: m.member,
                    envelope: crypto::seal_bytes_to(&PublicKey::from(x), &ctx, &plain),
                })
            })
            .collect();
        let members: Vec<u64> = envelopes.iter().map(|e| e.member_id).collect();
        match self.t.add_epoch(
            &self.token,
            self.team,
            &NewEpoch {
                epoch: next,
                envelopes,
            },
        ) {
            Ok(()) => {
                self.vault.remember_sealed_to(next, &members)?;
                Ok(true)
            }
            // Another supervisor made it first; her envelope reaches us below.
            Err(TransportError::Refused { code, .. }) if code == "EpochNotNext" => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    fn push(&mut self, max_bytes: u64, max_records: u64) -> Result<(), SyncError> {
        let mut sizer = PageSizer {
            bytes: self.options.initial_page_bytes.min(max_bytes),
            min: self.options.min_page_bytes.min(max_bytes),
            max: max_bytes,
            target: self.options.target_request_time,
        };
        let mut retries = 0;
        // The epoch whose key the outbox is sealed under; re-sealing reads the whole outbox, so
        // it happens once, and again only when the team's epoch moves on.
        let mut sealed_for = None;
        loop {
            let epoch = self.report.epoch;
            if epoch < self.newest_epoch_held() {
                // A restored server lacks the newest epochs until a key manager's device
                // publishes them again; what was sealed under them waits for that.
                self.report.waiting_for_keys = true;
                return Ok(());
            }
            if epoch == 0 || !self.vault.team_epochs().contains(&epoch) {
                self.report.waiting_for_keys = self.vault.pending_count()? > 0 || epoch == 0;
                return Ok(());
            }
            if sealed_for.is_none() {
                // Every round: the device is the source of truth for its own log.
                self.resume_from_server()?;
                self.resend(sizer.max, max_records)?;
                if self.vault.pending_count()? == 0 {
                    return Ok(());
                }
            }
            if sealed_for != Some(epoch) {
                self.vault.reseal_outbox(epoch)?;
                sealed_for = Some(epoch);
            }
            let candidates = self
                .vault
                .outbox(usize::try_from(max_records).unwrap_or(1000))?;
            if candidates.is_empty() {
                return Ok(());
            }
            let page = page_within(&candidates, sizer.bytes)?;
            let body = page.encode();
            let last = page.records.last().map_or(0, |r| r.device_seq);
            let started = Instant::now();
            let sent = self.t.push(&self.token, self.team, &body);
            self.report.push_requests += 1;
            self.report(Phase::Push)?;
            match sent {
                Ok(ack) => {
                    sizer.observe(body.len() as u64, started.elapsed());
                    self.bytes += body.len() as u64;
                    let before = self.vault.binding()?.map_or(0, |b| b.acked_seq);
                    if ack.stored_through < before || ack.stored_through > last {
                        return Err(SyncError::Protocol(format!(
                            "the server acknowledged through {} after {before}..{last} was sent",
                            ack.stored_through
                        )));
                    }
                    self.vault.acknowledge(ack.stored_through)?;
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
                    match code.as_str() {
                        "StaleKeyEpoch" | "UnknownKeyEpoch" => {
                            self.refresh_keys()?;
                            sealed_for = None;
                        }
                        "ClockAhead" => {
                            let server_now = server_time_ms.ok_or_else(|| {
                                SyncError::Protocol("ClockAhead without the server's time".into())
                            })?;
                            let wall = HlcClock::wall_millis();
                            let offset = i64::try_from(server_now).unwrap_or(i64::MAX)
                                - i64::try_from(wall).unwrap_or(i64::MAX);
                            self.vault.set_clock_offset_ms(offset)?;
                            self.vault
                                .restamp_outbox(Hlc(hlc_from_millis(server_now, 0)))?;
                        }
                        // The server holds other content under a sequence of ours: most likely
                        // an earlier version of records whose acknowledgement was lost before
                        // they were re-sealed. Take the server's point and go on from there.
                        "Fork" => {
                            let before = self.vault.binding()?.map_or(0, |b| b.acked_seq);
                            self.resume_from_server()?;
                            let after = self.vault.binding()?.map_or(0, |b| b.acked_seq);
                            if after == before {
                                return Err(SyncError::Refused { code, message });
                            }
                        }
                        "BodyTooLarge" | "TooManyRecords" => {
                            sizer.max = (sizer.bytes / 2).max(1024);
                            sizer.bytes = sizer.max;
                        }
                        _ => {
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
        let acked = self.vault.binding()?.map_or(0, |b| b.acked_seq);
        let written = self.vault.highest_seq_of(self.vault.device_id())?;
        if ack.stored_through > written {
            return Err(SyncError::Protocol(format!(
                "the server says it holds this device's records through {}, but only {written} \
                 were ever written here",
                ack.stored_through
            )));
        }
        if ack.stored_through > acked {
            self.vault.acknowledge(ack.stored_through)?;
            self.report.pushed += ack.stored_through - acked;
            self.report.recovered_acks += ack.stored_through - acked;
        } else if ack.stored_through < acked {
            // A server restored from a backup: it lost what it once acknowledged.
            self.vault.server_lost_records(ack.stored_through)?;
            self.report.server_restored = true;
        }
        Ok(())
    }

    /// Re-sends, exactly as first sent, the records a restored server lost, before anything
    /// new (the server's log of this device stays gapless).
    ///
    /// Fails when the server is unreachable or refuses them (the next round resumes).
    fn resend(&mut self, max_bytes: u64, max_records: u64) -> Result<(), SyncError> {
        loop {
            let rows = self
                .vault
                .resend_outbox(usize::try_from(max_records).unwrap_or(1000))?;
            let Some(first) = rows.first().map(|r| r.seq) else {
                return Ok(());
            };
            let page = page_within(&rows, max_bytes)?;
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
            self.vault.resent_through(ack.stored_through)?;
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
            let cursor = self.vault.binding()?.map_or(0, |b| b.pull_cursor);
            let started = Instant::now();
            let bytes = self.t.pull(&self.token, self.team, cursor, sizer.bytes)?;
            sizer.observe(bytes.len() as u64, started.elapsed());
            self.bytes += bytes.len() as u64;
            let page = PullPage::decode(&bytes)
                .map_err(|e| SyncError::Protocol(format!("pull page: {e}")))?;
            if page.next_cursor < cursor {
                return Err(SyncError::Protocol("the pull cursor went backwards".into()));
            }
            let records: Vec<_> = page.records.into_iter().map(|r| r.record).collect();
            let got = self.vault.receive_page(&records, page.next_cursor)?;
            self.report.pulled += got.applied;
            self.report.alarms.extend(got.alarms);
            self.report(Phase::Pull)?;
            if !page.more || (records.is_empty() && page.next_cursor == cursor) {
                return Ok(());
            }
        }
    }
}

/// The first of `rows` that fit in `max_bytes` as one push page (always at least one).
fn page_within(rows: &[RecordRow], max_bytes: u64) -> Result<PushPage, SyncError> {
    let mut page = PushPage::default();
    let mut size = 8u64;
    for r in rows {
        let w = r.to_wire().ok_or(SyncError::NotJoined)?;
        let len = w.encoded_len() as u64;
        if !page.records.is_empty() && size + len > max_bytes {
            break;
        }
        size += len;
        page.records.push(w);
    }
    Ok(page)
}
