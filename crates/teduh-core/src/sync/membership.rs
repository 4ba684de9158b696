//! Who is in the roster a key manager's device signs, a step of its roster round
//! (`team_keys`): the devices people admitted (by safety number, by an invitation this
//! device made, or the team's first key manager's own), what she removed or revoked, and the
//! organisation key's grants. Everything the server says is only a candidate here; what enters
//! the roster is a person's decision.

use teduh_protocol::sync::refresh::REVOKED_FOR_REUSE;
use teduh_protocol::sync::{DeviceView, MemberView, Role};

use super::engine::{Phase, Round, VaultAccess};
use super::roster::{Roster, RosterDevice, RosterMember};
use super::{Binding, SyncError, TransportError};
use crate::ids::DeviceId;
use crate::team::{org, AlarmKind};
use crate::vault::{PendingListing, ProofCheck, VaultError};

impl<A: VaultAccess> Round<'_, A> {
    /// Adds to `roster` the devices the server lists that people admitted. Only people decide
    /// who is in the roster: the devices it already lists (keys pinned when they were admitted,
    /// a swapped key named), the ones this key manager admitted by safety number or by an
    /// invitation it made, and, for the team's first roster, this device. Every other device
    /// the server lists waits, a further device of a member already in the team included.
    pub(super) fn admit_listed(
        &mut self,
        roster: &mut Roster,
        first_roster: bool,
        binding: &Binding,
        members: &[MemberView],
        devices: &[DeviceView],
    ) -> Result<(), SyncError> {
        let admitted = self.local(|v| v.admitted_devices())?;
        let own_keys = self.local(|v| Ok::<_, VaultError>(v.public_keys()))?;
        let may_change = self.may_change_devices()?;
        let mut pending = Vec::new();
        for d in devices {
            if let Some(r) = roster.devices.iter().find(|r| r.device == d.device_id) {
                let name = roster
                    .member(r.member)
                    .map_or_else(String::new, |m| m.username.clone());
                // A swapped key would get team keys sealed to the server.
                if d.public_keys != r.public_keys() {
                    self.swapped_keys(d.device_id, &name, &d.public_keys)?;
                }
                // The server revoked a colleague's device whose tokens were copied (issue 27):
                // her key manager hears of it here, once, besides the server's mail.
                if d.revoked_reason.as_deref() == Some(REVOKED_FOR_REUSE) {
                    let detail = format!(
                        "the server revoked {name}'s device {}: one of its refresh tokens was \
                         presented twice, so its tokens were copied",
                        d.device_id
                    );
                    self.alarm(AlarmKind::TokenCopied, d.device_id, 0, &detail, &[])?;
                }
                continue;
            }
            let Some(listed) = members.iter().find(|m| m.member_id == d.member_id) else {
                continue;
            };
            let in_roster = roster.member(d.member_id);
            if d.revoked_at.is_some()
                || d.device_id == super::roster::ORG_SIGNER
                || listed.removed
                || in_roster.is_some_and(|m| m.removed)
                || d.public_keys.len() != 64
            {
                continue;
            }
            // A decision taken before the organisation granted this member her role no longer
            // holds for this device: it waits (her own device or the organisation admits it).
            let decided = admitted
                .iter()
                .find(|a| a.device == d.device_id)
                .filter(|a| may_change(roster, a.member));
            let own_first = first_roster && d.device_id == binding.device;
            let role = match decided {
                Some(a) if a.public_keys == d.public_keys && a.member == d.member_id => a.role,
                Some(a) => {
                    self.swapped_keys(d.device_id, &a.username, &d.public_keys)?;
                    continue;
                }
                None if own_first && d.public_keys == own_keys => binding.role,
                None => {
                    // A further device of a member the roster lists waits under her name as the
                    // roster has it, never the server's label for her.
                    let listing = PendingListing {
                        device: d.device_id,
                        member: d.member_id,
                        username: in_roster
                            .map_or_else(|| listed.username.clone(), |m| m.username.clone()),
                        role: in_roster.map_or(listed.role, |m| m.role),
                        public_keys: d.public_keys.clone(),
                    };
                    if in_roster.is_some() && d.join_proof.is_some() {
                        // An invitation admits a new member only: a device the server filed
                        // under someone the roster lists would become hers, role and all.
                        let detail = format!(
                            "device {} came with an invitation proof but the server lists it \
                             under {}, already in the team",
                            d.device_id, listing.username
                        );
                        let proof = d.join_proof.clone().unwrap_or_default();
                        self.alarm(
                            AlarmKind::ForgedInvitationProof,
                            d.device_id,
                            0,
                            &detail,
                            &proof,
                        )?;
                        pending.push(listing);
                        continue;
                    }
                    match self.admit_by_proof(self.team, d, listing, &mut pending)? {
                        Some(role) => role,
                        None => continue,
                    }
                }
            };
            if in_roster.is_none() {
                roster.members.push(RosterMember {
                    member: d.member_id,
                    username: listed.username.clone(),
                    role,
                    removed: false,
                    level: None,
                });
            }
            roster.devices.push(RosterDevice::admitted(
                d.device_id,
                d.member_id,
                &d.public_keys,
            ));
        }
        let in_roster: Vec<u64> = roster.devices.iter().map(|d| d.device).collect();
        self.local(|v| v.note_pending(&pending, &in_roster))?;
        Ok(())
    }

    /// Marks in `roster` what this key manager removed or revoked herself, and what the server
    /// revoked, and asks the server to cut off what she decided. A device revoked stays revoked,
    /// and so do the devices of a removed member; what it sent so far stays accepted.
    pub(super) fn apply_removals(
        &mut self,
        roster: &mut Roster,
        devices: &[DeviceView],
    ) -> Result<(), SyncError> {
        let (mut removed_here, mut revoked_here) = self.local(|v| v.own_removals())?;
        // A decision about a key manager the organisation granted since waits (only her own
        // devices or the organisation decide about hers)...
        let may_change = self.may_change_devices()?;
        removed_here.retain(|m| may_change(roster, *m));
        revoked_here.retain(|d| {
            roster
                .device(*d)
                .is_none_or(|x| may_change(roster, x.member))
        });
        // ...and whom the organisation key removed from the team (its administrator's device,
        // from another team) goes as if this key manager had removed her.
        removed_here.extend(roster.removed_by_org());
        for m in &mut roster.members {
            m.removed |= removed_here.contains(&m.member);
        }
        // What this key manager revoked or removed herself, the server is asked to cut off too
        // (her roster and the next epoch already leave it out; this stops its token).
        for d in devices {
            let member_removed = removed_here.contains(&d.member_id);
            if d.revoked_at.is_none() && (revoked_here.contains(&d.device_id) || member_removed) {
                match self.t.revoke_device(&self.token, d.device_id) {
                    Ok(()) | Err(TransportError::Refused { .. }) => {}
                    Err(e) => return Err(e.into()),
                }
                self.report(Phase::Keys)?;
            }
        }
        // A device revoked (here, or on the server) stays revoked, and so do the devices of a
        // removed member; what it sent so far stays accepted.
        let removed_members: Vec<u64> = roster
            .members
            .iter()
            .filter(|m| m.removed)
            .map(|m| m.member)
            .collect();
        // The server's revocation of a key manager's device does not carry over (a server that
        // revoked them all would lock the team for good): only a key manager revokes one.
        let key_manager_devices: Vec<u64> = roster
            .key_manager_devices()
            .map(|(_, d)| d.device)
            .collect();
        for d in &mut roster.devices {
            let revoked_on_server = !key_manager_devices.contains(&d.device)
                && devices
                    .iter()
                    .any(|s| s.device_id == d.device && s.revoked_at.is_some());
            if !d.revoked
                && (revoked_on_server
                    || revoked_here.contains(&d.device)
                    || removed_members.contains(&d.member))
            {
                d.revoked = true;
                d.accept_through =
                    Some(self.local(|v| v.highest_seq_of(DeviceId::from_server(d.device)))?);
            }
        }
        Ok(())
    }

    /// Whether this key manager's device may add or revoke a device of a member of a roster
    /// (`Roster::may_change_devices_of`, with this device's member and organisation key).
    fn may_change_devices(&mut self) -> Result<impl Fn(&Roster, u64) -> bool, SyncError> {
        let me = self.local(|v| v.binding())?.map(|b| b.member);
        let org = self.local(|v| v.org_key_public())?;
        Ok(move |roster: &Roster, member: u64| {
            let as_org = org.is_some() && org == roster.org_key;
            roster.may_change_devices_of(member, me, as_org)
        })
    }

    /// On the device holding the organisation key: names it in the roster and grants the
    /// key-manager roles its administrator decided. A team adopting the key has its current key
    /// managers granted (her decision when she made the key); later, only her own role, the
    /// devices she admitted with such a role, and the members she granted (`teduh org grant`).
    /// A granted key manager she removed gets the organisation's signed removal (no other key
    /// manager's roster may take a granted role away). A roster naming another organisation's
    /// key is left alone.
    pub(super) fn apply_org_grants(
        &mut self,
        roster: &mut Roster,
        binding: &Binding,
    ) -> Result<(), SyncError> {
        let Some(org_public) = self.local(|v| v.org_key_public())? else {
            return Ok(());
        };
        let adopting = match &roster.org_key {
            None => true,
            Some(k) if *k == org_public => false,
            Some(_) => return Ok(()),
        };
        let key = self
            .local(|v| v.org_signing_key())?
            .ok_or(SyncError::Vault(VaultError::Locked))?;
        let mut decided = self.local(|v| v.org_grant_decisions())?;
        decided.push(binding.member);
        decided.extend(
            self.local(|v| v.admitted_devices())?
                .iter()
                .filter(|a| a.role.manages_keys())
                .map(|a| a.member),
        );
        let team = self.team;
        let to_grant: Vec<(u64, Role)> = roster
            .members
            .iter()
            .filter(|m| !m.removed && m.role.manages_keys())
            .filter(|m| adopting || decided.contains(&m.member))
            .filter(|m| {
                !roster.grants.iter().any(|g| {
                    g.member == m.member
                        && g.role == m.role
                        && org::grant_holds(&org_public, team, g)
                })
            })
            .map(|m| (m.member, m.role))
            .collect();
        let to_remove: Vec<(u64, Role)> = roster
            .members
            .iter()
            .filter(|m| m.removed)
            .filter_map(|m| {
                let granted = roster
                    .grants
                    .iter()
                    .find(|g| g.member == m.member && org::grant_holds(&org_public, team, g))?;
                let signed = roster.removals.iter().any(|r| {
                    r.member == m.member
                        && r.role == granted.role
                        && org::removal_holds(&org_public, team, r)
                });
                (!signed).then_some((m.member, granted.role))
            })
            .collect();
        roster.org_key = Some(org_public);
        for (member, role) in to_grant {
            roster.grants.push(org::grant(&key, team, member, role));
        }
        for (member, role) in to_remove {
            roster.removals.push(org::removal(&key, team, member, role));
        }
        Ok(())
    }

    /// A device the server lists in `team` that no decision of this key manager admitted:
    /// admitted by the proof it joined with when that holds under an invitation this device
    /// made (its role returned), else noted as waiting for a safety number (a reused or forged
    /// proof named).
    pub(super) fn admit_by_proof(
        &mut self,
        team: u64,
        d: &DeviceView,
        listing: PendingListing,
        pending: &mut Vec<PendingListing>,
    ) -> Result<Option<Role>, SyncError> {
        let Some(proof) = &d.join_proof else {
            pending.push(listing);
            return Ok(None);
        };
        let now = chrono::Utc::now().timestamp();
        let when = (d.created_at, now);
        let (kind, why) = match self
            .local(|v| v.check_invitation_proof(team, &listing, proof, when))?
        {
            ProofCheck::Admitted(role) => return Ok(Some(role)),
            // Another key manager's invitation, or one used too late: it waits, and that is
            // no attack.
            ProofCheck::NotOurs | ProofCheck::Expired => {
                pending.push(listing);
                return Ok(None);
            }
            ProofCheck::Reused => (
                AlarmKind::InvitationReused,
                "registered with an invitation another device was admitted with",
            ),
            ProofCheck::Forged => (
                AlarmKind::ForgedInvitationProof,
                "came with an invitation proof that does not hold for the keys the server lists",
            ),
        };
        let detail = format!("device {} of {}: {why}", d.device_id, listing.username);
        self.alarm(kind, d.device_id, 0, &detail, proof)?;
        pending.push(listing);
        Ok(None)
    }
}
