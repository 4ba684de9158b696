//! The organisation founds a team (trust 2/3): the administrator's device holding the
//! organisation key signs the team's first roster (naming the key and no one) and makes an
//! invitation for its first supervisor anchored to it ([`found_team`]); its next sync rounds
//! admit the device that joins with that invitation, once its proof holds, by signing the
//! team's next roster with the organisation key and granting her role
//! (`Round::tend_founded_teams`, while an invitation it made to the team is open). From then
//! on the team's own key manager keeps its roster, as in any team; the administrator's device
//! follows the team's roster chain from the first roster it signed (each link verified against
//! the one before) and grants or removes key-manager roles there ([`decide_role_in_team`]).
//! The server only carries what that key signed: it cannot found a team in the organisation's
//! name, nor put anyone else into one.

use teduh_protocol::sync::RosterBody;

use super::engine::{Phase, Round, VaultAccess};
use super::join::MadeInvitation;
use super::roster::{Roster, RosterDevice, RosterError, RosterMember};
use super::transport::Transport;
use super::SyncError;
use crate::team::{org, AlarmKind};
use crate::vault::{InvitationLabels, PendingListing, Vault, VaultError};

/// On the administrator's (joined, unlocked) device holding the organisation key: founds
/// `team` (another team of the organisation, made by the server's operator) when it has no
/// roster yet, and makes an invitation to it for `username` as `role` (and `level`). The
/// newcomer who joins with its code is admitted at this device's next sync.
///
/// Fails with [`SyncError::NotJoined`], [`SyncError::Offline`], [`SyncError::Refused`] (not an
/// administrator's device, or no such team), [`SyncError::Protocol`] (the team already has a
/// roster that this organisation key did not sign), or a vault error
/// ([`VaultError::NotPermitted`]: no organisation key here; [`VaultError::InvalidInput`]: the
/// username is taken; locked).
pub fn found_team(
    vault: &mut Vault,
    transport: &mut dyn Transport,
    team: u64,
    (username, role, level): (&str, teduh_protocol::sync::Role, Option<u8>),
) -> Result<MadeInvitation, SyncError> {
    vault.binding()?.ok_or(SyncError::NotJoined)?;
    vault.org_key_public()?.ok_or_else(|| {
        VaultError::NotPermitted("this device does not hold the organisation key".into())
    })?;
    let token = super::credentials::current_token(vault, transport)?;
    let listing = transport.org_team_listing(&token, team)?;
    let founded = match vault.founded_roster(team)? {
        // Founded here before: the newest roster of the chain from there.
        Some(held) => newest_verified(vault, transport, &token, held)?,
        None => {
            if transport.org_team_roster(&token, team)?.is_some() {
                return Err(SyncError::Protocol(format!(
                    "team {team} already has a roster this device did not found"
                )));
            }
            let first = vault.founding_roster(team)?;
            let signed = vault.sign_roster_as_org(&first)?;
            transport.put_org_team_roster(
                &token,
                team,
                &RosterBody {
                    version: first.version,
                    roster: signed,
                },
            )?;
            vault.note_founded_team(&first)?;
            first
        }
    };
    let info = transport.org_info(&token)?;
    let labels = InvitationLabels {
        team_name: listing.name,
        organisation: info.name,
    };
    let now = chrono::Utc::now().timestamp();
    let (secret, package) =
        vault.make_founding_invitation(&founded, (username, role, level), &labels, now)?;
    transport.add_org_team_invitation(&token, team, &super::join::for_server(&secret, &package))?;
    vault.note_founded_team(&founded)?;
    Ok(MadeInvitation {
        code: secret.code(),
        package,
    })
}

impl<A: VaultAccess> Round<'_, A> {
    /// On the device holding the organisation key: admits into each team it founded the devices
    /// that joined with its invitations (while one to the team is open), by a roster the
    /// organisation key signs. A team that fails (the server lost it) waits for the next round;
    /// the others go on.
    pub(super) fn tend_founded_teams(&mut self) -> Result<(), SyncError> {
        if self.local(|v| v.org_key_public())?.is_none() {
            return Ok(());
        }
        let now = chrono::Utc::now().timestamp();
        for team in self.local(|v| v.teams_to_tend(now))? {
            if let Err(e) = self.tend(team) {
                if e.ends_round() {
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    fn tend(&mut self, team: u64) -> Result<(), SyncError> {
        let Some(held) = self.local(|v| v.founded_roster(team))? else {
            return Ok(());
        };
        let served = self.t.org_team_roster(&self.token, team)?;
        self.report(Phase::Keys)?;
        if served.map_or(0, |b| b.version) < held.version {
            let signed = self.local(|v| v.sign_roster_as_org(&held))?;
            give_back(self.t, &self.token, &held, signed)?;
        }
        let (roster, forged) = follow_chain(self.t, &self.token, held)?;
        self.local(|v| v.keep_founded_roster(&roster))?;
        self.report(Phase::Keys)?;
        if let Some((detail, evidence)) = forged {
            self.alarm(AlarmKind::ForgedRoster, team, 0, &detail, &evidence)?;
            return Ok(());
        }
        if let Some(next) = self.admit_founders(team, &roster)? {
            let signed = self.local(|v| v.sign_roster_as_org(&next))?;
            let body = RosterBody {
                version: next.version,
                roster: signed,
            };
            self.t.put_org_team_roster(&self.token, team, &body)?;
            self.local(|v| v.keep_founded_roster(&next))?;
            self.report(Phase::Keys)?;
        }
        Ok(())
    }

    /// The next roster of founded `team` with the devices whose invitation proof holds under an
    /// invitation this device made, their key-manager roles granted; `None` when no one new.
    fn admit_founders(&mut self, team: u64, roster: &Roster) -> Result<Option<Roster>, SyncError> {
        let listing = self.t.org_team_listing(&self.token, team)?;
        self.report(Phase::Keys)?;
        let mut next = roster.clone();
        next.version = next.version.saturating_add(1);
        let mut admitted = false;
        for d in &listing.devices {
            let Some(m) = listing
                .members
                .iter()
                .find(|m| m.member_id == d.member_id && !m.removed)
            else {
                continue;
            };
            // An invitation admits a new member only: a device the server files under someone
            // the roster lists would become hers, role and all.
            if next.device(d.device_id).is_some()
                || next.member(m.member_id).is_some()
                || d.device_id == super::roster::ORG_SIGNER
                || d.revoked_at.is_some()
                || d.public_keys.len() != 64
            {
                continue;
            }
            let candidate = PendingListing {
                device: d.device_id,
                member: d.member_id,
                username: m.username.clone(),
                role: m.role,
                public_keys: d.public_keys.clone(),
            };
            let mut waiting = Vec::new();
            let Some(role) = self.admit_by_proof(team, d, candidate, &mut waiting)? else {
                continue;
            };
            next.members.push(RosterMember {
                member: m.member_id,
                username: m.username.clone(),
                role,
                removed: false,
                level: None,
            });
            next.devices.push(RosterDevice::admitted(
                d.device_id,
                d.member_id,
                &d.public_keys,
            ));
            if role.manages_keys() {
                let grant =
                    self.local(|v| v.with_org_key(|k| org::grant(k, team, m.member_id, role)))?;
                next.grants.push(grant);
            }
            admitted = true;
        }
        Ok(admitted.then_some(next))
    }
}

/// What the organisation key decides about a key manager's role in another team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleDecision {
    /// Grant her role (she is a supervisor or an admin there without the grant).
    Grant,
    /// Remove her from the team, her granted role with her: the team's key managers' next
    /// roster marks her removed, revokes her devices and seals a new epoch without them.
    Remove,
}

/// On the administrator's (joined, unlocked) device holding the organisation key: grants
/// `username`, a supervisor or an admin in the roster of another `team` whose roster names the
/// key, her key-manager role, or removes her, by that team's next roster signed with the
/// organisation key. (In her own team her next sync does it: [`Vault::grant_key_manager`],
/// [`Vault::remove_member`].)
///
/// Fails with [`SyncError::Refused`] (`RosterNotNewer`: the team's key manager changed the
/// roster meanwhile; run it again), [`SyncError::Protocol`] (the team's roster does not name
/// this organisation key), [`SyncError::Offline`], or a vault error
/// ([`VaultError::NotFound`]: no such supervisor or admin there; [`VaultError::NotPermitted`]:
/// no organisation key here, or the last key manager of the team would go; locked).
pub fn decide_role_in_team(
    vault: &mut Vault,
    transport: &mut dyn Transport,
    team: u64,
    username: &str,
    decision: RoleDecision,
) -> Result<(), SyncError> {
    vault.org_key_public()?.ok_or_else(|| {
        VaultError::NotPermitted("this device does not hold the organisation key".into())
    })?;
    let token = super::credentials::current_token(vault, transport)?;
    let held = vault.founded_roster(team)?.ok_or_else(|| {
        VaultError::NotPermitted(format!(
            "this device did not found team {team}: it decides roles there only in a team it \
             follows from its first roster"
        ))
    })?;
    let mut next = newest_verified(vault, transport, &token, held)?;
    let m = next
        .members
        .iter()
        .find(|m| m.username == username && !m.removed && m.role.manages_keys())
        .cloned()
        .ok_or_else(|| VaultError::NotFound {
            what: "supervisor or admin of the team named",
            id: username.to_owned(),
        })?;
    match decision {
        RoleDecision::Grant if next.is_key_manager(m.member) => return Ok(()),
        RoleDecision::Grant if next.role_removed(&m) => {
            return Err(VaultError::NotPermitted(format!(
                "the organisation removed {username}'s role; invite a new account instead"
            ))
            .into())
        }
        RoleDecision::Grant => {
            let grant = vault.with_org_key(|k| org::grant(k, team, m.member, m.role))?;
            next.grants.push(grant);
        }
        RoleDecision::Remove => {
            let others = next
                .key_manager_devices()
                .filter(|(km, _)| km.member != m.member)
                .count();
            if others == 0 {
                return Err(VaultError::NotPermitted(format!(
                    "{username} is the team's last key manager: grant another first"
                ))
                .into());
            }
            // The team's key managers carry it out: their next roster marks her removed,
            // revokes her devices (keeping what they sent) and seals a new epoch without them.
            let removal = vault.with_org_key(|k| org::removal(k, team, m.member, m.role))?;
            next.removals.push(removal);
        }
    }
    next.version = next.version.saturating_add(1);
    let signed = vault.sign_roster_as_org(&next)?;
    transport.put_org_team_roster(
        &token,
        team,
        &RosterBody {
            version: next.version,
            roster: signed,
        },
    )?;
    vault.keep_founded_roster(&next)?;
    Ok(())
}

/// A roster link that does not verify: what is wrong, and the bytes served.
type Forged = (String, Vec<u8>);

/// Follows `held`'s team's roster chain from it, each newer roster verified against the one
/// before (as a member's device follows its own team): the newest, and the first link that does
/// not verify, if one does not. A replayed one is skipped.
fn follow_chain(
    t: &mut dyn Transport,
    token: &str,
    held: Roster,
) -> Result<(Roster, Option<Forged>), SyncError> {
    let team = held.team;
    let mut current = held;
    loop {
        let chain = t.org_team_rosters_after(token, team, current.version)?;
        if chain.is_empty() {
            return Ok((current, None));
        }
        let before = current.version;
        for link in chain {
            match Roster::verify(&link.roster, team, Some(&current)) {
                Ok(next) => current = next,
                Err(RosterError::Stale) => {}
                Err(e) => {
                    let detail = format!("team {team}'s roster {}: {e}", link.version);
                    return Ok((current, Some((detail, link.roster))));
                }
            }
        }
        if current.version == before {
            return Ok((current, None));
        }
    }
}

/// Gives a server that lost it (restored from a backup) the newest roster of a founded team this
/// device verified, `signed` by the organisation key. Another device giving it back first is
/// no failure.
fn give_back(
    t: &mut dyn Transport,
    token: &str,
    held: &Roster,
    signed: Vec<u8>,
) -> Result<(), SyncError> {
    let body = RosterBody {
        version: held.version,
        roster: signed,
    };
    match t.put_org_team_roster(token, held.team, &body) {
        Ok(()) | Err(super::TransportError::Refused { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Follows the chain from `held` ([`follow_chain`]) and keeps the newest; a server that lost
/// rosters this device verified (restored from a backup) first gets the newest back, signed by
/// the organisation key, so that the team's devices and this one go on from the same roster.
fn follow_and_restore(
    vault: &mut Vault,
    transport: &mut dyn Transport,
    token: &str,
    held: Roster,
) -> Result<(Roster, Option<Forged>), SyncError> {
    let served = transport.org_team_roster(token, held.team)?;
    if served.map_or(0, |b| b.version) < held.version {
        let signed = vault.sign_roster_as_org(&held)?;
        give_back(transport, token, &held, signed)?;
    }
    let (newest, forged) = follow_chain(transport, token, held)?;
    vault.keep_founded_roster(&newest)?;
    Ok((newest, forged))
}

/// The newest roster of the chain from `held`, kept; an error when a link does not verify.
fn newest_verified(
    vault: &mut Vault,
    transport: &mut dyn Transport,
    token: &str,
    held: Roster,
) -> Result<Roster, SyncError> {
    match follow_and_restore(vault, transport, token, held)? {
        (_, Some((detail, _))) => Err(SyncError::Protocol(detail)),
        (newest, None) => Ok(newest),
    }
}
