//! Joining an organisation (and signing in again to a restored server), and this member's team
//! as the UI adapts to it.

use serde::Serialize;
use ts_rs::TS;

/// What a member types to sign this device in again to a server restored from a backup that
/// no longer knows it (`DeviceUnknown`).
#[derive(Clone, serde::Deserialize, TS)]
#[ts(export)]
pub struct ReconnectForm {
    /// The vault passphrase.
    pub passphrase: String,
    /// The invitation code from the administrator (made for this device's member, or a new one
    /// when the server lost her too); required: without it the answer is `InvalidInvitation`.
    #[serde(default)]
    pub invitation: Option<String>,
}

/// What a member types to join her organisation: with an administrator's invitation as a new
/// member, or with the code her other device made as a further device of hers.
#[derive(Clone, serde::Deserialize, TS)]
#[ts(export)]
pub struct JoinForm {
    /// The sync server, e.g. `https://sync.example.org`.
    pub server_url: String,
    /// The member's username.
    pub username: String,
    /// The vault passphrase (on first run, the one she chooses now for this computer).
    pub passphrase: String,
    /// The single-use invitation code; required: without it the answer is
    /// `InvalidInvitation`.
    #[serde(default)]
    pub invitation: Option<String>,
}

impl std::fmt::Debug for JoinForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JoinForm")
            .field("server_url", &self.server_url)
            .field("username", &self.username)
            .field("passphrase", &"<redacted>")
            .field(
                "invitation",
                &self.invitation.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// A member of the team as the signed roster lists her.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct MemberRow {
    /// Member id (as notes and reviews name their author).
    pub id: String,
    /// Login name.
    pub username: String,
    /// `counselor`, `outreach`, `supervisor` or `admin`.
    pub role: String,
    /// A volunteer's level as the signed roster lists it (none for staff).
    pub level: Option<teduh_core::permissions::Level>,
    /// The server's member number (what a case assignment names).
    #[ts(type = "number")]
    pub number: u64,
    /// Removed from the team.
    pub removed: bool,
    /// Her devices as the roster lists them.
    pub devices: Vec<DeviceRow>,
}

/// One device of a member as the roster lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DeviceRow {
    /// The server's number of the device (what `team_revoke_device` takes).
    #[ts(type = "number")]
    pub device: u64,
    /// Revoked: it gets no new team key and its later records are refused.
    pub revoked: bool,
    /// This very device.
    pub this_device: bool,
}

/// A device the server lists that no key manager admitted yet (a new member's, or a further
/// device of a member already in the team).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PendingRow {
    /// The server's number of the device.
    #[ts(type = "number")]
    pub device: u64,
    /// Its member's login name.
    pub username: String,
    /// The role her invitation gives her.
    pub role: String,
    /// Wrong safety numbers typed for her so far (three block her).
    pub wrong_entries: u32,
    /// Blocked after three wrong numbers (a security alarm was raised).
    pub blocked: bool,
}

/// The number this device reads out to one supervisor's device while it waits to be admitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SafetyNumberRow {
    /// The supervisor's (or admin's) username.
    pub key_manager: String,
    /// Her device the number is for (each device has its own keys).
    #[ts(type = "number")]
    pub device: u64,
    /// Her role.
    pub role: String,
    /// Six groups of four digits.
    pub number: String,
}

/// An invitation made on this key manager's device: the code to hand the newcomer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct InvitationView {
    /// The single-use code (its secret; the server never sees it).
    pub code: String,
    /// The username it names.
    pub username: String,
    /// The role it gives.
    pub role: String,
    /// Unix seconds after which it no longer works (72 hours).
    #[ts(type = "number")]
    pub expires_at: i64,
}

/// A supervisor's invitation as the newcomer sees it before she sets her passphrase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct InvitationPreviewView {
    /// Who invites.
    pub inviter: String,
    /// Her role.
    pub inviter_role: String,
    /// The team's name.
    pub team: String,
    /// The organisation's name.
    pub organisation: String,
    /// The username the newcomer gets.
    pub username: String,
    /// The role she gets.
    pub role: String,
    /// Her level (hotline volunteers, 1-3), if set.
    pub level: Option<u8>,
    /// The fingerprint of the organisation key the inviter's roster names, if any (to compare
    /// with the one the administrator reads out).
    pub org_fingerprint: Option<String>,
}

impl From<&teduh_core::team::invitation::Package> for InvitationPreviewView {
    fn from(p: &teduh_core::team::invitation::Package) -> Self {
        Self {
            inviter: p.inviter.clone(),
            inviter_role: p.inviter_role.as_str().to_owned(),
            team: p.team_name.clone(),
            organisation: p.organisation.clone(),
            username: p.username.clone(),
            role: p.role.as_str().to_owned(),
            level: p.level,
            org_fingerprint: p.org_key.as_deref().map(teduh_core::team::org::fingerprint),
        }
    }
}

/// This member and her team: what the UI adapts to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TeamView {
    /// This member's id.
    pub me: String,
    /// Her role (`null`: this computer has not joined a team).
    pub role: Option<String>,
    /// She reviews the team's notes (supervisor or admin).
    pub supervises: bool,
    /// The signed roster lists this device: a key manager admitted it (or it made the team).
    pub admitted: bool,
    /// The team's members (empty before the first roster arrives).
    pub members: Vec<MemberRow>,
    /// What this member may do (the core's permissions table, by her role and level).
    pub may: MayView,
    /// Counselors and outreach workers in the team (not removed), and supervisors: the corps
    /// works with one supervisor per ten, and the dashboard warns above that.
    pub volunteer_count: u32,
    /// Supervisors in the team (not removed).
    pub supervisor_count: u32,
    /// For a supervisor: the devices waiting to be admitted, as the last sync saw them.
    pub pending: Vec<PendingRow>,
    /// While this device waits to be admitted: its safety number for each supervisor's device.
    pub safety_numbers: Vec<SafetyNumberRow>,
    /// The fingerprint of the organisation key the signed roster names (to compare on every
    /// device), if it names one.
    pub org_fingerprint: Option<String>,
    /// This (administrator's) device holds the organisation key.
    pub holds_org_key: bool,
    /// The organisation's name as its signed settings give it (`null`: none received yet).
    pub org_name: Option<String>,
    /// This team's time zone as the organisation settings set it: `WIB`, `WITA` or `WIT`.
    pub zone: String,
    /// When another key manager's device last confirmed the roster this device holds, from its
    /// checkpoint (RFC 3339; `null`: never). Over a week ago the screen warns: a server may be
    /// showing this device an old roster.
    pub roster_confirmed_at: Option<String>,
    /// When another key manager's device was last seen through its checkpoint (RFC 3339).
    pub key_manager_seen_at: Option<String>,
    /// Active key managers' devices in the roster (every team should have at least two).
    pub key_manager_devices: u32,
}

/// What this member may do, as the core's permissions table says (the UI hides the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct MayView {
    /// Register a client (juniors work on the clients a supervisor assigns them).
    pub register_client: bool,
    /// Assign, transfer and release cases.
    pub assign_case: bool,
    /// Set volunteers' levels (a key manager: supervisor or admin).
    pub set_levels: bool,
}

/// The organisation key's recovery sheet, shown once to print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OrgKeySheetView {
    /// The code that restores the key (`TEDUH-ORG1-...`).
    pub recovery_code: String,
    /// Its fingerprint.
    pub fingerprint: String,
}

impl TeamView {
    /// Reads the binding, the accepted roster and the admissions.
    pub fn collect(
        v: &mut teduh_core::vault::Vault,
    ) -> Result<Self, teduh_core::vault::VaultError> {
        use teduh_core::ids::MemberId;
        let role = v.my_role()?;
        let roster = v.roster()?;
        let me = v.member_id();
        // One read of the roster serves the whole view (it is the largest thing the vault
        // parses here, and the UI asks after every round).
        let this_device = v.device_id().server_number();
        let org_fingerprint = roster
            .as_ref()
            .and_then(|r| r.org_key.as_deref())
            .map(teduh_core::team::org::fingerprint);
        let holds_org_key = v.org_key_public()?.is_some();
        // One read of the settings serves both (the team's zone is WIB until they set one).
        let settings = v.org_settings()?;
        let zone = match (&settings, roster.as_ref().map(|r| r.team)) {
            (Some(s), Some(team)) => s.zone_of(team),
            _ => teduh_core::team::settings::Zone::Wib,
        }
        .label()
        .to_owned();
        let org_name = settings.map(|s| s.name);
        let admitted = roster
            .as_ref()
            .zip(this_device)
            .is_some_and(|(r, d)| r.lists_active_device(d));
        // What the screens show follows the core's permissions table.
        use teduh_core::permissions::{allows_maybe, Action};
        let level = roster
            .as_ref()
            .zip(me.server_number())
            .and_then(|(r, m)| r.level_of(m));
        let supervises = allows_maybe(role, level, Action::DecideReview);
        let may = MayView {
            register_client: role.is_none() || allows_maybe(role, level, Action::RegisterClient),
            assign_case: allows_maybe(role, level, Action::AssignCase),
            set_levels: role.is_some_and(teduh_protocol::sync::Role::manages_keys),
        };
        let (volunteer_count, supervisor_count) = roster.as_ref().map_or((0, 0), |r| {
            let active = || r.members.iter().filter(|m| !m.removed);
            let supervisors = active()
                .filter(|m| allows_maybe(Some(m.role), m.level, Action::AssignCase))
                .count();
            let volunteers = active()
                .filter(|m| {
                    matches!(
                        m.role,
                        teduh_protocol::sync::Role::Counselor
                            | teduh_protocol::sync::Role::Outreach
                    )
                })
                .count();
            (
                u32::try_from(volunteers).unwrap_or(u32::MAX),
                u32::try_from(supervisors).unwrap_or(u32::MAX),
            )
        });
        let confirmation = match roster.as_ref() {
            Some(r) => v.roster_confirmation(r)?,
            None => teduh_core::vault::RosterConfirmation::default(),
        };
        let members = roster
            .map(|r| {
                r.members
                    .iter()
                    .map(|m| MemberRow {
                        id: MemberId::from_server(m.member).to_string(),
                        username: m.username.clone(),
                        role: m.role.as_str().to_owned(),
                        level: m.level,
                        number: m.member,
                        removed: m.removed,
                        devices: r
                            .devices
                            .iter()
                            .filter(|d| d.member == m.member)
                            .map(|d| DeviceRow {
                                device: d.device,
                                revoked: d.revoked,
                                this_device: Some(d.device) == this_device,
                            })
                            .collect(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let pending = if supervises {
            v.pending_devices()?
                .into_iter()
                .map(|p| PendingRow {
                    device: p.device,
                    username: p.username,
                    role: p.role.as_str().to_owned(),
                    wrong_entries: p.wrong_entries,
                    blocked: p.blocked,
                })
                .collect()
        } else {
            Vec::new()
        };
        let safety_numbers = if admitted || v.binding()?.is_none() {
            Vec::new()
        } else {
            v.safety_numbers()?
                .into_iter()
                .map(|n| SafetyNumberRow {
                    key_manager: n.key_manager,
                    device: n.device,
                    role: n.role.as_str().to_owned(),
                    number: n.number,
                })
                .collect()
        };
        let rfc3339 = |millis: Option<u64>| {
            millis
                .and_then(|m| i64::try_from(m).ok())
                .and_then(chrono::DateTime::from_timestamp_millis)
                .map(|t| t.to_rfc3339())
        };
        Ok(TeamView {
            roster_confirmed_at: rfc3339(confirmation.confirmed_at),
            key_manager_seen_at: rfc3339(confirmation.key_manager_seen_at),
            key_manager_devices: confirmation.key_manager_devices,
            me: me.to_string(),
            role: role.map(|r| r.as_str().to_owned()),
            supervises,
            admitted,
            members,
            may,
            volunteer_count,
            supervisor_count,
            pending,
            safety_numbers,
            org_fingerprint,
            holds_org_key,
            org_name,
            zone,
        })
    }
}
