//! Joining a team: the first device of a member registers with an invitation, further devices
//! log in with the passphrase alone.
//!
//! From the passphrase, Argon2id (with a salt and parameters stored on the server) gives a
//! master secret; HKDF splits it into an *authentication secret* (sent to the server, which
//! stores only an Argon2id hash of it) and a *wrapping key* (never leaves the device) that seals
//! the member's X25519 and Ed25519 private keys for the server to keep. A new device downloads
//! them and opens them with the same passphrase. The server can neither log in elsewhere with
//! what it stores nor open the keys.

use teduh_protocol::sync::{LoginRequest, Reclaim, RegisterRequest, Session};
use zeroize::Zeroizing;

use std::path::Path;

use super::{Binding, SyncError, Transport};
use crate::crypto::{self, DataKey, KdfParams};
use crate::store::{self, LocalStore};
use crate::vault::{Vault, VaultError};

const KDF_BLOB_MAGIC: &[u8; 4] = b"TKD1";

struct ServerSecrets {
    auth: Zeroizing<Vec<u8>>,
    wrap: DataKey,
}

fn encode_kdf(params: KdfParams, salt: &[u8; 16]) -> Vec<u8> {
    let mut out = KDF_BLOB_MAGIC.to_vec();
    for v in [params.m_cost_kib, params.t_cost, params.p_cost] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out.extend_from_slice(salt);
    out
}

fn decode_kdf(blob: &[u8]) -> Option<(KdfParams, Vec<u8>)> {
    if blob.len() != 4 + 12 + 16 || &blob[..4] != KDF_BLOB_MAGIC {
        return None;
    }
    let u = |i: usize| u32::from_be_bytes([blob[i], blob[i + 1], blob[i + 2], blob[i + 3]]);
    let params = KdfParams {
        m_cost_kib: u(4),
        t_cost: u(8),
        p_cost: u(12),
    };
    // Refuse parameters a hostile server could use to make the device hang or run out of
    // memory (over 1 GiB or 64 passes), or that are too weak to be real.
    if params.m_cost_kib > 1024 * 1024 || params.t_cost > 64 || params.p_cost > 16 {
        return None;
    }
    Some((params, blob[16..].to_vec()))
}

fn server_secrets(
    passphrase: &str,
    params: KdfParams,
    salt: &[u8],
) -> Result<ServerSecrets, SyncError> {
    let master = crypto::derive_kek(passphrase.as_bytes(), salt, params)
        .map_err(|e| SyncError::Protocol(e.to_string()))?;
    let auth = crypto::derive_key(master.as_ref(), b"teduh/server", b"teduh/auth-secret/v1");
    let wrap = crypto::derive_key(master.as_ref(), b"teduh/server", b"teduh/member-wrap/v1");
    Ok(ServerSecrets {
        auth: Zeroizing::new(auth.bytes().to_vec()),
        wrap,
    })
}

fn secrets_context(username: &str) -> Vec<u8> {
    let mut c = b"teduh/member-secrets/v1".to_vec();
    c.extend_from_slice(username.as_bytes());
    c
}

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

/// The public keys (X25519 || Ed25519) of private keys `X25519 (32) || Ed25519 (32)`.
fn public_keys_of(secrets: &[u8]) -> Option<Vec<u8>> {
    let x: [u8; 32] = secrets.get(..32)?.try_into().ok()?;
    let e: [u8; 32] = secrets.get(32..64)?.try_into().ok()?;
    let x = x25519_dalek::StaticSecret::from(x);
    let e = ed25519_dalek::SigningKey::from_bytes(&e);
    let mut out = x25519_dalek::PublicKey::from(&x).as_bytes().to_vec();
    out.extend_from_slice(e.verifying_key().as_bytes());
    Some(out)
}

/// The member's server secrets from the KDF parameters the server keeps for `username`.
///
/// Fails with [`SyncError::BadCredentials`] (unknown user), [`SyncError::WeakKeyParameters`]
/// (the server offers parameters below this device's floor for `local_kdf`), or
/// [`SyncError::Offline`].
fn login_secrets(
    transport: &mut dyn Transport,
    username: &str,
    passphrase: &str,
    local_kdf: KdfParams,
) -> Result<ServerSecrets, SyncError> {
    let params = transport.login_params(username)?;
    let (kdf, salt) = decode_kdf(&params.kdf_params)
        .ok_or_else(|| SyncError::Protocol("the server sent unusable key parameters".into()))?;
    // The server chose these: never derive (and send) an auth secret cheaper to brute-force
    // than this device's own floor.
    let floor = KdfParams::floor_for_local(local_kdf);
    if !kdf.at_least(floor) {
        return Err(SyncError::WeakKeyParameters {
            offered_kib: kdf.m_cost_kib,
            offered_passes: kdf.t_cost,
            floor_kib: floor.m_cost_kib,
            floor_passes: floor.t_cost,
        });
    }
    server_secrets(passphrase, kdf, &salt)
}

/// What a member types to join.
#[derive(Debug, Clone)]
pub struct JoinRequest<'a> {
    /// Server base URL (stored in the binding).
    pub server_url: &'a str,
    /// Login name.
    pub username: &'a str,
    /// The vault passphrase (also protects the keys kept by the server).
    pub passphrase: &'a str,
    /// A name for this device, shown to the team's supervisor.
    pub device_name: &'a str,
}

/// Registers the member of this (unlocked, not yet joined) vault with an invitation code.
/// Records written before joining are kept and sent at the first sync.
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
    let params = vault.kdf_params();
    let salt = crypto::random_bytes::<16>();
    let secrets = server_secrets(req.passphrase, params, &salt)?;
    let member_secrets = vault.member_secrets()?;
    let wrapped = secrets
        .wrap
        .seal(&secrets_context(req.username), &member_secrets);
    let session = transport.register(&RegisterRequest {
        invitation: invitation.trim().to_owned(),
        username: req.username.to_owned(),
        public_keys: vault.public_keys(),
        wrapped_keys: wrapped,
        kdf_params: encode_kdf(params, &salt),
        auth_secret: secrets.auth.to_vec(),
        device_name: req.device_name.to_owned(),
        reclaim: None,
    })?;
    let b = binding(req.server_url, req.username, &session);
    vault.adopt_server_identity(req.passphrase, &b, &session.token)?;
    Ok(b)
}

/// Adds this computer as a further device of an existing member: downloads her wrapped keys,
/// opens them with the passphrase and creates the local vault (with `local_kdf` for the local
/// passphrase check). The vault comes back unlocked and joined; the first sync downloads the
/// team's records.
///
/// Fails with [`SyncError::BadCredentials`] (unknown user or wrong passphrase),
/// [`SyncError::Offline`], or a vault error (the store already holds a vault).
pub fn login(
    store: LocalStore,
    transport: &mut dyn Transport,
    req: &JoinRequest<'_>,
    local_kdf: KdfParams,
) -> Result<Vault, SyncError> {
    if crate::vault::is_initialised(&store)? {
        return Err(VaultError::AlreadyInitialised.into());
    }
    let secrets = login_secrets(transport, req.username, req.passphrase, local_kdf)?;
    let session = transport.login(&LoginRequest {
        username: req.username.to_owned(),
        auth_secret: secrets.auth.to_vec(),
        device_name: req.device_name.to_owned(),
        reclaim_device: None,
    })?;
    let member_secrets = secrets
        .wrap
        .open(&secrets_context(req.username), &session.wrapped_keys)
        .map_err(|_| SyncError::Protocol("the member's keys on the server do not open".into()))?;
    if public_keys_of(&member_secrets) != Some(session.public_keys.clone()) {
        return Err(SyncError::Protocol(
            "the member's keys on the server do not match her public keys".into(),
        ));
    }
    let b = binding(req.server_url, req.username, &session);
    // One transaction: identity, keys and binding, or nothing.
    Ok(Vault::create_from_member_secrets(
        store,
        req.passphrase,
        local_kdf,
        &member_secrets,
        (&b, &session.token),
    )?)
}

/// First run on a computer with no vault: makes the vault and joins in a staging file next to
/// `database` (registered with `invitation`, or, without one, a further device of a member
/// created from her keys kept by the server: [`login`]), then moves it into place and returns
/// it open and unlocked. A refused invitation, a wrong passphrase or a dropped link therefore
/// leave no half-made vault behind. `kdf` protects the new vault's passphrase (tests use fast
/// parameters). The desktop app and the CLI both join this way.
///
/// Fails with [`VaultError::AlreadyInitialised`] when `database` already holds a vault (it is
/// left untouched), with what [`register`] or [`login`] fail with, or with a storage error when
/// the files cannot be moved; `database` is then as it was.
pub fn first_run(
    database: &Path,
    transport: &mut dyn Transport,
    req: &JoinRequest<'_>,
    invitation: Option<&str>,
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
        let _vault = match invitation {
            Some(code) => {
                let mut v = Vault::create_with_params(store, req.passphrase, kdf)?;
                register(&mut v, transport, req, code)?;
                v
            }
            None => login(store, transport, req, kdf)?,
        };
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
/// it ([`SyncError::UnknownDevice`]), under the member and device ids it had, so that its
/// records (signed under them) and the team's roster stay valid. Records, cursors, keys and
/// unsent work are kept; the next round re-sends what the server lost.
///
/// With `invitation` `None` the member is still known to the server (this device was added
/// after the backup): the passphrase signs in. When the server lost the member too (she joined
/// after the backup), an administrator gives her a new invitation and she registers again with
/// her own keys and ids.
///
/// Fails with [`SyncError::NotJoined`], [`SyncError::BadCredentials`] (the server does not know
/// the member: an invitation is needed), [`SyncError::Refused`] with `IdTaken` (someone else
/// holds the ids: the server was not restored with `admin after-restore`),
/// [`SyncError::OtherServer`] (the server answers for other ids), or a vault error (locked,
/// wrong passphrase); nothing changes locally unless it succeeds.
pub fn reconnect(
    vault: &mut Vault,
    transport: &mut dyn Transport,
    passphrase: &str,
    invitation: Option<&str>,
    device_name: &str,
) -> Result<Binding, SyncError> {
    let b = vault.binding()?.ok_or(SyncError::NotJoined)?;
    vault.verify_passphrase(passphrase)?;
    let session = match invitation {
        None => {
            let secrets = login_secrets(transport, &b.username, passphrase, vault.kdf_params())?;
            transport.login(&LoginRequest {
                username: b.username.clone(),
                auth_secret: secrets.auth.to_vec(),
                device_name: device_name.to_owned(),
                reclaim_device: Some(b.device),
            })?
        }
        Some(code) => {
            let params = vault.kdf_params();
            let salt = crypto::random_bytes::<16>();
            let secrets = server_secrets(passphrase, params, &salt)?;
            let member_secrets = vault.member_secrets()?;
            transport.register(&RegisterRequest {
                invitation: code.trim().to_owned(),
                username: b.username.clone(),
                public_keys: vault.public_keys(),
                wrapped_keys: secrets
                    .wrap
                    .seal(&secrets_context(&b.username), &member_secrets),
                kdf_params: encode_kdf(params, &salt),
                auth_secret: secrets.auth.to_vec(),
                device_name: device_name.to_owned(),
                reclaim: Some(Reclaim {
                    member_id: b.member,
                    device_id: b.device,
                }),
            })?
        }
    };
    let same = (session.team_id, session.member_id, session.device_id)
        == (b.team, b.member, b.device)
        && session.public_keys == vault.public_keys();
    if !same {
        return Err(SyncError::OtherServer(format!(
            "{} signed this device in as another member or device than the one it was",
            b.server_url
        )));
    }
    vault.replace_sync_token(&session.token)?;
    Ok(b)
}

/// Points this joined vault at a new address of its team's server (the organisation moved
/// it), after checking that the server there is the same one: it must accept this device's
/// token and list this member, with her username and public keys, in the vault's team.
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
    let token = vault.sync_token()?;
    let members = transport.members(&token, b.team).map_err(|e| match e {
        super::TransportError::Unreachable(d) => SyncError::Offline(d),
        other => SyncError::OtherServer(other.to_string()),
    })?;
    let keys = vault.public_keys();
    let me = members.iter().find(|m| m.member_id == b.member);
    match me {
        Some(m) if m.username == b.username && m.public_keys == keys && !m.removed => {}
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
