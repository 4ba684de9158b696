//! The team-key steps of a sync round ([`super::engine`]): verify the roster the server serves,
//! open this device's newest envelope, and as a key manager maintain the roster and the key
//! epochs (publishing again what a restored server lost). Who enters the roster she signs is
//! decided in `membership` (the same round, its other concept).
//!
//! Every key is authenticated: an envelope opens only when a key manager's device of the
//! verified roster signed it for this team, epoch and device ([`crate::team::envelope`]), and a
//! key is adopted only when the signed roster names its epoch with the key's confirmation tag
//! (a key manager also adopts a colleague's signed epoch that no roster names yet, and names it
//! in the next roster). A held key is never replaced. What a server forges raises its own alarm
//! ([`AlarmKind`]).

use teduh_protocol::sync::{DeviceEnvelope, NewEpoch, RosterBody};
use x25519_dalek::PublicKey;
use zeroize::Zeroizing;

use super::engine::{Phase, Round, VaultAccess};
use super::roster::{hex32, key_confirmation, EpochTag, Roster, RosterError};
use super::{SyncError, TransportError};
use crate::crypto::{self, DataKey};
use crate::ids::KeyId;
use crate::team::{envelope, AlarmKind};
use crate::vault::VaultError;

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

/// Who a team-key epoch is sealed to: the active devices of `roster` that the server lists as
/// active too (`on_server`).
struct Recipients<'a> {
    roster: &'a Roster,
    on_server: &'a [u64],
}

impl<A: VaultAccess> Round<'_, A> {
    /// Roster and team keys: verify the server's roster; open this member's newest envelope;
    /// as a key manager, bring the roster and the epochs up to date.
    pub(super) fn refresh_keys(&mut self) -> Result<(), SyncError> {
        let binding = self.local(|v| v.binding())?.ok_or(SyncError::NotJoined)?;
        let mut changed = false;
        let roster = self.t.roster(&self.token, self.team)?;
        self.report(Phase::Keys)?;
        let current = self.local(|v| v.roster())?;
        let held_version = current.as_ref().map_or(0, |r| r.version);
        let server_version = roster.as_ref().map_or(0, |b| b.version);
        if let Some(body) = roster {
            if body.version > held_version {
                // A device that holds a roster walks the chain from it, each roster verified
                // against the one before (a supervisor admitted in a version it missed signs
                // the next); a new device starts from the newest.
                // A device that joined with a key manager's invitation starts from the roster
                // its inviter's device held (the anchor), not from whatever the server shows.
                let anchor = match &current {
                    Some(_) => None,
                    None => self.local(|v| v.invitation_anchor())?,
                };
                let chain = match (&current, &anchor) {
                    (Some(_), _) => self.roster_chain(held_version, body.version)?,
                    (None, Some(a)) => {
                        self.roster_chain(a.roster_version.saturating_sub(1), body.version)?
                    }
                    (None, None) => vec![body],
                };
                let mut accepted = current.clone();
                let mut accepted_signed = None;
                for link in chain {
                    let verified = Roster::verify(&link.roster, self.team, accepted.as_ref());
                    if let (Ok(first), Some(a), None) = (&verified, &anchor, &accepted) {
                        if first.version != a.roster_version || first.anchor_hash() != a.roster_hash
                        {
                            let detail = format!(
                                "team roster {}: not the roster the invitation names",
                                link.version
                            );
                            self.alarm(
                                AlarmKind::ForgedRoster,
                                0,
                                link.version,
                                &detail,
                                &link.roster,
                            )?;
                            break;
                        }
                    }
                    match verified {
                        Ok(r) => {
                            accepted = Some(r);
                            accepted_signed = Some(link.roster);
                        }
                        Err(e) => {
                            let kind = match e {
                                // Served as newer, signed as older: an old roster replayed.
                                RosterError::Stale => AlarmKind::ReplayedRoster,
                                RosterError::Rewritten => AlarmKind::RewrittenRoster,
                                RosterError::Malformed | RosterError::Untrusted => {
                                    AlarmKind::ForgedRoster
                                }
                            };
                            let detail = format!("team roster {}: {e}", link.version);
                            self.alarm(kind, 0, link.version, &detail, &link.roster)?;
                        }
                    }
                }
                if accepted != current {
                    if let (Some(r), Some(signed)) = (&accepted, &accepted_signed) {
                        self.local(|v| v.store_roster(r, signed))?;
                        changed = true;
                    }
                }
            }
        }
        if server_version < held_version {
            // Rosters only move forward: the server lost the newest (restored from a backup).
            self.server_restored()?;
        }
        changed |= self.open_envelopes(binding.role.manages_keys())?;
        if binding.role.manages_keys() && self.maintain_team(server_version)? {
            changed = true;
            let held = self.newest_epoch_held()?;
            self.report.waiting_for_keys = held == 0 || held < self.report.epoch;
        }
        if changed {
            // Records held for want of a roster entry or a key may open now.
            let cursor = self.pull_cursor()?;
            let r = self.local(|v| v.receive_page(&[], cursor))?;
            self.report.pulled += r.applied;
        }
        Ok(())
    }

    /// The rosters above `held` up to `newest`, oldest first, page by page.
    fn roster_chain(
        &mut self,
        held: u64,
        newest: u64,
    ) -> Result<Vec<teduh_protocol::sync::RosterBody>, SyncError> {
        let mut chain = Vec::new();
        let mut after = held;
        while after < newest {
            let page = self.t.rosters_after(&self.token, self.team, after)?;
            self.report(Phase::Keys)?;
            let Some(last) = page.last().map(|b| b.version) else {
                break;
            };
            if last <= after {
                return Err(SyncError::Protocol(
                    "the server's roster chain does not move forward".into(),
                ));
            }
            after = last;
            chain.extend(page);
        }
        Ok(chain)
    }

    /// Keeps a security alarm (once) and lists it in this round's report.
    pub(super) fn alarm(
        &mut self,
        kind: AlarmKind,
        subject: u64,
        seq: u64,
        detail: &str,
        evidence: &[u8],
    ) -> Result<(), SyncError> {
        if self.local(|v| v.raise_alarm(kind, subject, seq, detail, evidence))? {
            self.report
                .alarms
                .push(format!("{}: {detail}", kind.code()));
        }
        Ok(())
    }

    /// The alarm for a server listing other public keys for `username`'s `device` than the ones
    /// people confirmed (in the roster, or at its admission).
    pub(super) fn swapped_keys(
        &mut self,
        device: u64,
        username: &str,
        listed: &[u8],
    ) -> Result<(), SyncError> {
        let detail = format!("the server lists other keys for {username}'s device {device}");
        self.alarm(AlarmKind::SwappedKeys, device, 0, &detail, listed)
    }

    /// Notes (for this round's report and the device's notice) that the server was restored
    /// from a backup.
    fn server_restored(&mut self) -> Result<(), SyncError> {
        self.report.server_restored = true;
        self.local(|v| v.note_server_restored())?;
        Ok(())
    }

    /// Opens the newest envelope addressed to this device that a key manager's device of the
    /// held roster signed, and adopts the keys in it that the roster names (a key manager: also the newer
    /// epochs no roster names yet). Returns whether a key was adopted.
    fn open_envelopes(&mut self, key_manager: bool) -> Result<bool, SyncError> {
        let list = self.t.envelopes(&self.token, self.team)?;
        self.report.epoch = list.current_epoch;
        let newest_held = self.newest_epoch_held()?;
        if list.current_epoch < newest_held {
            // Epochs only move forward: the server lost the newest ones. Until a key manager's
            // device publishes them again, records sealed under them cannot be stored there.
            self.server_restored()?;
            self.report.waiting_for_keys = true;
            return Ok(false);
        }
        let Some(roster) = self.local(|v| v.roster())? else {
            // No verified roster yet: nothing says whose envelopes to trust.
            self.report.waiting_for_keys = true;
            return Ok(false);
        };
        let named = roster.newest_epoch();
        if list.current_epoch > named.max(newest_held) + 1 {
            // A key manager names each epoch in the roster right after making it; an epoch
            // further ahead was made by the server (records under the named ones are refused
            // there until a key manager publishes past it).
            self.alarm(
                AlarmKind::EpochJump,
                0,
                u64::from(list.current_epoch),
                &format!(
                    "the server says the team key is at epoch {}, the signed roster names {named}",
                    list.current_epoch
                ),
                &[],
            )?;
        }
        let device = self
            .local(|v| v.binding())?
            .ok_or(SyncError::NotJoined)?
            .device;
        let mut adopted = false;
        let mut envelopes = list.envelopes;
        envelopes.sort_by_key(|e| std::cmp::Reverse(e.epoch));
        for env in &envelopes {
            if env.epoch <= newest_held {
                break;
            }
            let sealed = match envelope::verify(&env.envelope, &roster, env.epoch, device) {
                Ok((_, sealed)) => sealed,
                Err(e) => {
                    self.alarm(
                        AlarmKind::ForgedTeamKey,
                        0,
                        u64::from(env.epoch),
                        &format!("epoch {}: {e}", env.epoch),
                        &env.envelope,
                    )?;
                    continue;
                }
            };
            // A member waits until the roster names the epoch (no alarm: the key manager puts
            // the roster right after the epoch).
            if !key_manager && roster.tag_of(env.epoch).is_none() {
                continue;
            }
            let ctx = epoch_context(self.team, env.epoch);
            let opened = self.local(|v| {
                v.with_x25519(|x| crypto::open_sealed_bytes(x, &ctx, sealed))
                    .ok_or(VaultError::Locked)
            })?;
            let Some(keys) = opened.ok().and_then(|o| decode_keys(&o)) else {
                self.alarm(
                    AlarmKind::ForgedTeamKey,
                    0,
                    u64::from(env.epoch),
                    &format!(
                        "epoch {}: signed, but it does not open to team keys",
                        env.epoch
                    ),
                    &env.envelope,
                )?;
                continue;
            };
            let mut accepted = Vec::new();
            for (epoch, key) in keys {
                match roster.tag_of(epoch) {
                    Some(tag) if tag == key_confirmation(self.team, epoch, &key) => {
                        accepted.push((epoch, key));
                    }
                    Some(_) => {
                        self.alarm(
                            AlarmKind::TeamKeyMismatch,
                            0,
                            u64::from(epoch),
                            &format!(
                                "epoch {epoch}: the key differs from the one the roster names"
                            ),
                            &env.envelope,
                        )?;
                    }
                    // A colleague's new epoch, signed by her: a key manager takes it and
                    // names it in the roster she publishes next.
                    None if key_manager && epoch > named => accepted.push((epoch, key)),
                    None => {}
                }
            }
            if accepted.is_empty() {
                continue;
            }
            let current_epoch = accepted.iter().map(|(e, _)| *e).max().unwrap_or(0);
            let conflicts = self.local(|v| v.store_team_keys(accepted, current_epoch))?;
            for epoch in conflicts {
                self.alarm(
                    AlarmKind::TeamKeyConflict,
                    0,
                    u64::from(epoch),
                    &format!("epoch {epoch}: another key than the one this device holds"),
                    &env.envelope,
                )?;
            }
            adopted = true;
            break;
        }
        self.report.waiting_for_keys = self.newest_epoch_held()? < list.current_epoch;
        Ok(adopted)
    }

    /// The newest team-key epoch this device holds (0: none).
    fn newest_epoch_held(&mut self) -> Result<u32, SyncError> {
        self.local(|v| Ok::<_, VaultError>(v.team_epochs().into_iter().max().unwrap_or(0)))
    }

    /// As a key manager: publish a roster matching the server's members and devices and
    /// naming every epoch this device holds, and a new epoch when the set of active members or
    /// devices changed or the server's epoch is one this device cannot hold (made by the
    /// server). A server that lost the newest roster or epochs (`server_roster` is the version
    /// it holds) gets them back first, as this device holds them. Returns whether anything
    /// changed.
    fn maintain_team(&mut self, server_roster: u64) -> Result<bool, SyncError> {
        let binding = self.local(|v| v.binding())?.ok_or(SyncError::NotJoined)?;
        let current = self.local(|v| v.roster())?;
        let newest_held = self.newest_epoch_held()?;
        let speaks_for_team = match &current {
            // Only an admitted device of a key manager of the roster this device holds, once it
            // holds the team's keys, or, in a team the organisation founded (its roster names
            // no epoch yet), to make the first.
            Some(c) => {
                c.key_manager_key(binding.device).is_some()
                    && (newest_held > 0 || c.newest_epoch() == 0)
            }
            // The team's first key manager, before anyone made a roster (or after she made the
            // first epoch and the round ended before the roster); never a device that joined
            // with an invitation, which waits for the roster its inviter's device holds.
            None => {
                newest_held >= self.report.epoch && self.local(|v| v.invitation_anchor())?.is_none()
            }
        };
        if !speaks_for_team {
            return Ok(false);
        }
        let members = self.t.members(&self.token, self.team)?;
        self.report(Phase::Keys)?;
        let devices = self.t.devices(&self.token)?;
        self.report(Phase::Keys)?;
        // A member the server lists as removed (one it does not list at all, e.g. restored from
        // an older backup, is not removed: she comes back).
        let removed_on_server =
            |member: u64| members.iter().any(|m| m.member_id == member && m.removed);
        let active_on_server =
            |member: u64| members.iter().any(|m| m.member_id == member && !m.removed);
        // The devices the server can deliver an envelope to.
        let on_server: Vec<u64> = devices
            .iter()
            .filter(|d| d.revoked_at.is_none() && active_on_server(d.member_id))
            .map(|d| d.device_id)
            .collect();
        let mut roster = Roster {
            team: self.team,
            version: current.as_ref().map_or(0, |r| r.version).saturating_add(1),
            members: current
                .as_ref()
                .map(|c| c.members.clone())
                .unwrap_or_default(),
            devices: current
                .as_ref()
                .map(|c| c.devices.clone())
                .unwrap_or_default(),
            epochs: current
                .as_ref()
                .map(|c| c.epochs.clone())
                .unwrap_or_default(),
            org_key: current.as_ref().and_then(|c| c.org_key.clone()),
            grants: current
                .as_ref()
                .map(|c| c.grants.clone())
                .unwrap_or_default(),
            removals: current
                .as_ref()
                .map(|c| c.removals.clone())
                .unwrap_or_default(),
        };
        // A removal on the server carries over, but for the key managers (only one of them
        // removes another: a server that removed them all would lock the team for good);
        // nothing else it says about a member of the roster does (a server restored from a
        // backup lists a removed member again).
        let key_managers: Vec<u64> = roster
            .members
            .iter()
            .filter(|m| roster.is_key_manager(m.member))
            .map(|m| m.member)
            .collect();
        for m in &mut roster.members {
            m.removed |= removed_on_server(m.member) && !key_managers.contains(&m.member);
        }
        self.admit_listed(&mut roster, current.is_none(), &binding, &members, &devices)?;
        self.apply_removals(&mut roster, &devices)?;
        self.apply_org_grants(&mut roster, &binding)?;
        // Volunteers' levels as this key manager decided them.
        for (member, level) in self.local(|v| v.level_decisions(current.as_ref()))? {
            if let Some(m) = roster.members.iter_mut().find(|m| m.member == member) {
                m.level = Some(level);
            }
        }
        roster.members.sort_by_key(|m| m.member);
        roster.devices.sort_by_key(|d| d.device);
        // The devices an epoch is sealed to: a new one when this set changes.
        let active = |r: &Roster| -> Vec<u64> {
            r.devices
                .iter()
                .filter(|d| r.lists_active_device(d.device))
                .map(|d| d.device)
                .collect()
        };
        let list = self.t.envelopes(&self.token, self.team)?;
        self.report(Phase::Keys)?;
        let mut changed = false;
        let mut server_epoch = list.current_epoch;
        let held_roster = current.as_ref().map_or(0, |c| c.version);
        if server_epoch < newest_held {
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
            for (epoch, _) in self.local(|v| Ok::<_, VaultError>(v.team_keys_held()))? {
                if epoch > server_epoch {
                    let keys = self.keys_through(epoch)?;
                    self.publish_epoch(&sealed_to, epoch, keys)?;
                }
            }
            server_epoch = newest_held;
            changed = true;
        }
        // A device this one could not seal the current epoch to (the server did not know it
        // then: restored from a backup) is listed again: it needs the keys.
        let unsealed = self
            .local(|v| v.sealed_to())?
            .is_some_and(|(epoch, sealed)| {
                epoch == server_epoch
                    && active(&roster)
                        .iter()
                        .any(|m| on_server.contains(m) && !sealed.contains(m))
            });
        let needs_epoch = server_epoch == 0
            || unsealed
            // An epoch this device could not adopt: made by the server, not a key manager.
            || server_epoch > newest_held
            || current.as_ref().is_none_or(|c| active(c) != active(&roster));
        if needs_epoch {
            let sealed_to = Recipients {
                roster: &roster,
                on_server: &on_server,
            };
            self.new_epoch(&sealed_to, server_epoch)?;
            changed = true;
        }
        // The roster names every epoch this device holds (after the epoch is on the server, so
        // a member never finds a named epoch that is not there).
        for (epoch, key) in self.local(|v| Ok::<_, VaultError>(v.team_keys_held()))? {
            if roster.tag_of(epoch).is_none() {
                roster.epochs.push(EpochTag {
                    epoch,
                    confirm: key_confirmation(self.team, epoch, &key),
                });
            }
        }
        roster.epochs.sort_by_key(|t| t.epoch);
        let same = current.as_ref().is_some_and(|c| {
            c.members == roster.members
                && c.devices == roster.devices
                && c.epochs == roster.epochs
                && c.org_key == roster.org_key
                && c.grants == roster.grants
                && c.removals == roster.removals
        });
        if server_roster < held_roster {
            // The server lost the newest roster (restored from a backup): give it back as its
            // signer signed it, so that devices still on an older one can check it.
            if let Some(signed) = self.local(|v| v.signed_roster())? {
                let body = RosterBody {
                    version: held_roster,
                    roster: signed,
                };
                match self.t.put_roster(&self.token, self.team, &body) {
                    Ok(()) | Err(TransportError::Refused { .. }) => {}
                    Err(e) => return Err(e.into()),
                }
                self.report(Phase::Keys)?;
                if same {
                    return Ok(changed);
                }
                roster.version = held_roster.saturating_add(1);
            } else if same {
                roster.version = held_roster;
            }
        } else if server_roster > held_roster {
            // The server holds a roster this device refused (forged or replayed): publish
            // past it, so that devices find a genuine one newer than what it serves.
            roster.version = server_roster.saturating_add(1);
        }
        if !same || server_roster != held_roster {
            // The device holding the organisation key the held roster names signs as the
            // organisation: it decides other key managers' devices too.
            let as_org = current
                .as_ref()
                .and_then(|c| c.org_key.clone())
                .is_some_and(|k| {
                    self.local(|v| v.org_key_public())
                        .ok()
                        .flatten()
                        .is_some_and(|mine| mine == k)
                });
            let signed = if as_org {
                self.local(|v| v.sign_roster_as_org(&roster))?
            } else {
                self.local(|v| {
                    v.with_signing_key(|k| roster.sign(binding.device, k))
                        .ok_or(VaultError::Locked)
                })?
            };
            // Never publish what this team's devices would refuse: a decision that no longer
            // holds against the held roster (taken before a grant arrived) waits instead.
            if let Err(e) = Roster::verify(&signed, self.team, current.as_ref()) {
                return Err(SyncError::Protocol(format!(
                    "this device's next roster would be refused ({e}); a decision of its key \
                     manager no longer holds"
                )));
            }
            match self.t.put_roster(
                &self.token,
                self.team,
                &RosterBody {
                    version: roster.version,
                    roster: signed.clone(),
                },
            ) {
                Ok(()) => {
                    self.local(|v| v.store_roster(&roster, &signed))?;
                    changed = true;
                }
                // Another supervisor published first: rebase onto hers next round.
                Err(TransportError::Refused { code, .. }) if code == "RosterNotNewer" => {
                    return Ok(changed)
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(changed)
    }

    /// The team keys this device holds up to epoch `last` (all of them for a new epoch).
    ///
    /// Fails when it does not hold `last` itself (this device cannot speak for that epoch).
    fn keys_through(&mut self, last: u32) -> Result<Vec<(u32, DataKey)>, SyncError> {
        let keys: Vec<(u32, DataKey)> = self
            .local(|v| Ok::<_, VaultError>(v.team_keys_held()))?
            .into_iter()
            .filter(|(e, _)| *e <= last)
            .collect();
        if last > 0 && !keys.iter().any(|(e, _)| *e == last) {
            return Err(SyncError::Protocol(format!(
                "this supervisor's device lacks team key {last}; it cannot publish it"
            )));
        }
        Ok(keys)
    }

    fn new_epoch(&mut self, sealed_to: &Recipients<'_>, current: u32) -> Result<(), SyncError> {
        let next = current + 1;
        // Every key so far, so members keep reading the team's history.
        let mut keys: Vec<(u32, DataKey)> =
            self.local(|v| Ok::<_, VaultError>(v.team_keys_held()))?;
        keys.push((next, DataKey::generate()));
        if self.publish_epoch(sealed_to, next, keys.clone())? {
            // The keys held are unchanged and the new one is new: nothing to conflict.
            self.local(|v| v.store_team_keys(keys, next))?;
            self.report.epoch = next;
        }
        Ok(())
    }

    /// Publishes epoch `epoch` holding `keys`, sealed to every device active in both the
    /// roster and the server's list (a device the server does not know yet, or no longer,
    /// cannot receive an envelope there) and signed by this device. Returns false when another
    /// key manager published it first (her envelope reaches this device instead).
    ///
    /// Fails when the server refuses it otherwise or cannot be reached.
    fn publish_epoch(
        &mut self,
        sealed_to: &Recipients<'_>,
        epoch: u32,
        keys: Vec<(u32, DataKey)>,
    ) -> Result<bool, SyncError> {
        let plain = encode_keys(&keys);
        let ctx = epoch_context(self.team, epoch);
        let signer = self
            .local(|v| v.binding())?
            .ok_or(SyncError::NotJoined)?
            .device;
        let team = self.team;
        let roster = sealed_to.roster;
        let sealed: Vec<(u64, Vec<u8>)> = roster
            .devices
            .iter()
            .filter(|d| {
                roster.lists_active_device(d.device) && sealed_to.on_server.contains(&d.device)
            })
            .filter_map(|d| {
                let x = hex32(&d.x25519)?;
                Some((
                    d.device,
                    crypto::seal_bytes_to(&PublicKey::from(x), &ctx, &plain),
                ))
            })
            .collect();
        let envelopes: Vec<DeviceEnvelope> = self.local(|v| {
            v.with_signing_key(|k| {
                sealed
                    .iter()
                    .map(|(device, boxed)| DeviceEnvelope {
                        device_id: *device,
                        envelope: envelope::sign(team, epoch, *device, boxed, signer, k),
                    })
                    .collect()
            })
            .ok_or(VaultError::Locked)
        })?;
        let members: Vec<u64> = envelopes.iter().map(|e| e.device_id).collect();
        match self
            .t
            .add_epoch(&self.token, self.team, &NewEpoch { epoch, envelopes })
        {
            Ok(()) => {
                self.local(|v| v.remember_sealed_to(epoch, &members))?;
                Ok(true)
            }
            // Another supervisor made it first; her envelope reaches us below.
            Err(TransportError::Refused { code, .. }) if code == "EpochNotNext" => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}
