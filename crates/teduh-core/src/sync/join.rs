//! Joining a team. Every device joins with an invitation and its own fresh key pairs: a new
//! member's first device with an invitation from an administrator, a further device of hers with
//! a code her other device asks for ([`invite_device`]; an administrator can make one too, e.g.
//! after a lost laptop). The passphrase never leaves the device: it protects the local vault
//! only, and the server keeps nothing a passphrase could open or be guessed against. A device
//! authenticates with the token it gets here, and reads nothing until a key manager's device
//! admits its keys into the team's signed roster: by the proof it registered with, when it
//! joined with an invitation that device made ([`invite`]), or by the safety number its waiting
//! screen shows.

use teduh_protocol::sync::{
    DeviceInvitation, Reclaim, RegisterRequest, Role, Session, TeamInvitation,
};

use std::path::Path;

use super::{Binding, SyncError, Transport};
use crate::crypto::KdfParams;
use crate::store::{self, LocalStore};
use crate::team::invitation::{self, Package, Secret};
use crate::vault::{InvitationLabels, Vault, VaultError};

fn binding(server_url: &str, username: &str, s: &Session) -> Binding {
    Binding {
        server_url: server_url.to_owned(),
        username: username.to_owned(),
        team: s.team_id,
        member: s.member_id,
        device: s.device_id,
        role: s.role,
        acked_seq: 0,
        pull_cursor: 0,
        current_epoch: 0,
        roster_version: 0,
        last_success: None,
        last_attempt: None,
        last_error: None,
        clock_offset_ms: 0,
        server_restored_at: None,
    }
}

/// What a member types to join.
#[derive(Debug, Clone)]
pub struct JoinRequest<'a> {
    /// Server base URL (stored in the binding).
    pub server_url: &'a str,
    /// Login name.
    pub username: &'a str,
    /// The vault passphrase (checked here; it never leaves the device).
    pub passphrase: &'a str,
    /// A name for this device, shown to the team's supervisor.
    pub device_name: &'a str,
}

/// Registers this (unlocked, not yet joined) vault's device with an invitation code: a new
/// member's, or one made for a further device of the member `req.username`. Records written
/// before joining are kept and sent at the first sync.
///
/// Fails with [`SyncError::BadInvitation`], [`SyncError::Offline`], [`SyncError::Refused`]
/// (e.g. `UsernameTaken`), or a vault error (locked, wrong passphrase); nothing changes locally
/// unless it succeeds.
pub fn register(
    vault: &mut Vault,
    transport: &mut dyn Transport,
    req: &JoinRequest<'_>,
    invitation: &str,
) -> Result<Binding, SyncError> {
    if vault.binding()?.is_some() {
        return Err(VaultError::AlreadyJoined.into());
    }
    // Check the passphrase before the invitation is spent.
    vault.verify_passphrase(req.passphrase)?;
    // A key manager's invitation: the package names the username, and the device proves it
    // holds the secret for its own keys.
    let invited = match Secret::parse(invitation) {
        Some(_) => Some(open_invitation(transport, invitation)?),
        None => None,
    };
    let (username, code, proof) = match &invited {
        Some(inv) => {
            let p = &inv.package;
            if !req.username.trim().is_empty() && req.username.trim() != p.username {
                return Err(SyncError::BadInvitation(format!(
                    "this invitation is for the username {}",
                    p.username
                )));
            }
            let keys = vault.public_keys();
            let proof = vault
                .with_signing_key(|k| invitation::proof(&inv.secret, p, &keys, k))
                .ok_or(VaultError::Locked)?;
            (p.username.clone(), inv.secret.id(), Some(proof))
        }
        None => (req.username.to_owned(), invitation.trim().to_owned(), None),
    };
    let chain = super::credentials::new_chain();
    let session = transport.register(&RegisterRequest {
        invitation: code,
        username: username.clone(),
        public_keys: vault.public_keys(),
        device_name: req.device_name.to_owned(),
        reclaim: None,
        proof,
        refresh_anchor: Some(super::credentials::anchor_of(&chain)),
    })?;
    if session.public_keys != vault.public_keys() {
        return Err(SyncError::Protocol(
            "the server registered other keys than this device's".into(),
        ));
    }
    // Device id 0 names the organisation key as a roster's signer.
    if session.device_id == crate::team::roster::ORG_SIGNER {
        return Err(SyncError::Protocol(
            "the server gave this device the id 0, which no device may have".into(),
        ));
    }
    if let Some(inv) = &invited {
        if session.team_id != inv.package.team || session.role != inv.package.role {
            return Err(SyncError::Protocol(
                "the server joined this device to another team or role than the invitation \
                 names"
                    .into(),
            ));
        }
    }
    let b = binding(req.server_url, &username, &session);
    vault.adopt_server_identity(
        req.passphrase,
        &b,
        &super::credentials::issued(&session, chain),
    )?;
    if let Some(inv) = &invited {
        vault.set_invitation_anchor(&inv.secret.id(), &inv.package)?;
    }
    Ok(b)
}

/// A key manager's invitation as its newcomer sees it before she sets her passphrase: who
/// invites her, to which team, as whom.
#[derive(Debug, Clone)]
pub struct InvitationPreview {
    /// What the inviting device sealed (checked to open under the code's secret).
    pub package: Package,
    secret: Secret,
}

/// Whether `code` is an invitation a key manager's device made (not a server administrator's
/// or a device code).
pub fn is_key_manager_invitation(code: &str) -> bool {
    Secret::parse(code).is_some()
}

/// Fetches and opens the package of a key manager's invitation `code`.
///
/// Fails with [`SyncError::BadInvitation`] (not such a code, or unknown, used or expired at the
/// server), [`SyncError::Protocol`] (the package does not open with the code, or the server's
/// team or role differ from the sealed ones: the server changed it), or
/// [`SyncError::Offline`].
pub fn open_invitation(
    transport: &mut dyn Transport,
    code: &str,
) -> Result<InvitationPreview, SyncError> {
    let secret = Secret::parse(code)
        .ok_or_else(|| SyncError::BadInvitation("not a supervisor's invitation code".into()))?;
    let served = transport.invitation_package(&secret.id())?;
    let package = invitation::open_package(&secret, &served.package).ok_or_else(|| {
        SyncError::Protocol(
            "the invitation does not open with its code: the server changed it".into(),
        )
    })?;
    if package.team != served.team_id || package.role != served.role {
        return Err(SyncError::Protocol(
            "the server's invitation names another team or role than the sealed one".into(),
        ));
    }
    Ok(InvitationPreview { package, secret })
}

/// An invitation made on this key manager's device.
#[derive(Debug, Clone)]
pub struct MadeInvitation {
    /// The code to hand to the newcomer (its secret; the server never sees it).
    pub code: String,
    /// What it tells her.
    pub package: Package,
}

/// Makes an invitation on this (joined, unlocked) key manager's device for `username` as
/// `role` (and `level`), valid 72 hours, and stores it at the server (an id and a sealed
/// package only). The newcomer who joins with its code is admitted at this device's next sync,
/// once.
///
/// Fails with [`SyncError::NotJoined`], [`SyncError::Offline`], [`SyncError::Refused`], or a
/// vault error ([`VaultError::NotPermitted`]: not a key manager's admitted device;
/// [`VaultError::InvalidInput`]: the username is taken in the team; locked).
pub fn invite(
    vault: &mut Vault,
    transport: &mut dyn Transport,
    username: &str,
    role: Role,
    level: Option<u8>,
) -> Result<MadeInvitation, SyncError> {
    let b = vault.binding()?.ok_or(SyncError::NotJoined)?;
    let token = super::credentials::current_token(vault, transport)?;
    let info = transport.team_info(&token, b.team)?;
    let labels = InvitationLabels {
        team_name: info.name,
        organisation: info.organisation,
    };
    let now = chrono::Utc::now().timestamp();
    let (secret, package) = vault.make_invitation(username, role, level, &labels, now)?;
    transport.add_invitation(&token, b.team, &for_server(&secret, &package))?;
    Ok(MadeInvitation {
        code: secret.code(),
        package,
    })
}

/// What the server keeps of an invitation: the id derived from its secret and its package
/// sealed under another key derived from it.
pub(super) fn for_server(secret: &Secret, package: &Package) -> TeamInvitation {
    TeamInvitation {
        id: secret.id(),
        role: package.role,
        package: invitation::seal_package(secret, package),
        expires_at: package.expires_at,
    }
}

/// A single-use code (valid 24 hours) with which this joined device's member adds a further
/// device of hers: she types it there with her username. That device makes its own keys and
/// waits, like any newcomer, until a key manager admits it by its safety number.
///
/// Fails with [`SyncError::NotJoined`], [`SyncError::Offline`], [`SyncError::Revoked`], or a
/// vault error (locked).
pub fn invite_device(
    vault: &mut Vault,
    transport: &mut dyn Transport,
) -> Result<DeviceInvitation, SyncError> {
    vault.binding()?.ok_or(SyncError::NotJoined)?;
    let token = super::credentials::current_token(vault, transport)?;
    Ok(transport.invite_device(&token)?)
}

/// First run on a computer with no vault: makes the vault (with this device's own keys) and
/// joins with `invitation` ([`register`]) in a staging file next to `database`, then moves it
/// into place and returns it open and unlocked. A refused invitation, a wrong passphrase or a dropped link therefore
/// leave no half-made vault behind. `kdf` protects the new vault's passphrase (tests use fast
/// parameters). The desktop app and the CLI both join this way.
///
/// Fails with [`VaultError::AlreadyInitialised`] when `database` already holds a vault (it is
/// left untouched), with what [`register`] fails with, or with a storage error when
/// the files cannot be moved; `database` is then as it was.
pub fn first_run(
    database: &Path,
    transport: &mut dyn Transport,
    req: &JoinRequest<'_>,
    invitation: &str,
    kdf: KdfParams,
) -> Result<Vault, SyncError> {
    if database.exists() && crate::vault::is_initialised(&LocalStore::open(database)?)? {
        return Err(VaultError::AlreadyInitialised.into());
    }
    let staging = store::with_suffix(database, ".joining");
    // Leftovers of an attempt that did not live to clean up.
    store::remove_database(&staging)?;
    let joined = (|| -> Result<(), SyncError> {
        let store = LocalStore::open(&staging)?;
        let mut vault = Vault::create_with_params(store, req.passphrase, kdf)?;
        register(&mut vault, transport, req, invitation)?;
        // Dropped here: the connection closes and SQLite folds its write-ahead log into the file.
        Ok(())
    })();
    if let Err(e) = joined {
        store::remove_database(&staging)?;
        return Err(e);
    }
    // An empty database made at start-up gives way to the joined one.
    store::move_database(&staging, database)?;
    let mut vault = Vault::open(LocalStore::open(database)?)?;
    vault.unlock(req.passphrase)?;
    Ok(vault)
}

/// Signs this joined device in again to a server restored from a backup that no longer knows
/// it ([`SyncError::UnknownDevice`]), under the member and device ids it had and with the keys
/// it has, so that its records (signed under them) and the team's roster stay valid. Records,
/// cursors, keys and unsent work are kept; the next round re-sends what the server lost.
///
/// `invitation` comes from an administrator: for a further device of the member when the
/// server still knows her (`teduh-server admin invite --device-of`), else a new invitation.
///
/// Fails with [`SyncError::NotJoined`], [`SyncError::BadInvitation`], [`SyncError::Refused`]
/// with `IdTaken` (someone else holds the ids: the server was not restored with `admin
/// after-restore`), [`SyncError::OtherServer`] (the server answers for other ids), or a vault
/// error (locked, wrong passphrase); nothing changes locally unless it succeeds.
pub fn reconnect(
    vault: &mut Vault,
    transport: &mut dyn Transport,
    passphrase: &str,
    invitation: &str,
    device_name: &str,
) -> Result<Binding, SyncError> {
    let b = vault.binding()?.ok_or(SyncError::NotJoined)?;
    vault.verify_passphrase(passphrase)?;
    let chain = super::credentials::new_chain();
    let session = transport.register(&RegisterRequest {
        invitation: invitation.trim().to_owned(),
        username: b.username.clone(),
        public_keys: vault.public_keys(),
        device_name: device_name.to_owned(),
        reclaim: Some(Reclaim {
            member_id: b.member,
            device_id: b.device,
        }),
        proof: None,
        refresh_anchor: Some(super::credentials::anchor_of(&chain)),
    })?;
    let same = (session.team_id, session.member_id, session.device_id)
        == (b.team, b.member, b.device)
        && session.public_keys == vault.public_keys();
    if !same {
        return Err(SyncError::OtherServer(format!(
            "{} signed this device in as another member or device than the one it was",
            b.server_url
        )));
    }
    vault.store_sync_credentials(&super::credentials::issued(&session, chain))?;
    Ok(b)
}

/// Points this joined vault at a new address of its team's server (the organisation moved
/// it), after checking that the server there is the same one: it must accept this device's
/// token and list this member, with her username, in the vault's team, and this device with its
/// public keys.
/// Records, cursors and keys are kept; the next round continues where the last one stopped.
///
/// `transport` must talk to `new_url`.
///
/// Fails with [`SyncError::NotJoined`], [`SyncError::Offline`] (nothing answers there),
/// [`SyncError::OtherServer`] (something answers, but not as this team's server), or a vault
/// error (locked); nothing changes unless it succeeds.
pub fn move_server(
    vault: &mut Vault,
    transport: &mut dyn Transport,
    new_url: &str,
) -> Result<Binding, SyncError> {
    let b = vault.binding()?.ok_or(SyncError::NotJoined)?;
    let token = super::credentials::current_token(vault, transport)?;
    let members = transport.members(&token, b.team).map_err(|e| match e {
        super::TransportError::Unreachable(d) => SyncError::Offline(d),
        other => SyncError::OtherServer(other.to_string()),
    })?;
    let devices = transport.devices(&token).map_err(|e| match e {
        super::TransportError::Unreachable(d) => SyncError::Offline(d),
        other => SyncError::OtherServer(other.to_string()),
    })?;
    let keys = vault.public_keys();
    let me = members.iter().find(|m| m.member_id == b.member);
    let this_device = devices
        .iter()
        .any(|d| d.device_id == b.device && d.member_id == b.member && d.public_keys == keys);
    match me {
        Some(m) if m.username == b.username && !m.removed && this_device => {}
        _ => {
            return Err(SyncError::OtherServer(format!(
                "{new_url} does not list {} as a member of team {}",
                b.username, b.team
            )))
        }
    }
    vault.set_server_url(new_url)?;
    Ok(Binding {
        server_url: new_url.to_owned(),
        ..b
    })
}
