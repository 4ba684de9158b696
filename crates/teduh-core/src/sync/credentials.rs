//! The device's tokens (issue 27, item 3; decisions/0013): an access token of at most an hour
//! that every request carries, renewed without the passphrase by spending the next token of the
//! device's refresh chain (`POST /v1/token`; `teduh_protocol::sync::refresh`). The access token,
//! the chain's seed and how much of it was spent are sealed in the vault
//! ([`SyncCredentials`]).
//!
//! A refresh token presented twice looks, to the server, like a copied chain (it revokes the
//! device), so a token is marked spent in the vault before it is sent, and a vault's renewals
//! take turns on its lock. An answer lost on the way costs nothing: the next renewal sends the
//! next token, which the server accepts as a few steps ahead.

use chrono::Utc;
use teduh_protocol::sync::refresh;
use teduh_protocol::sync::{RenewRequest, Session};
use zeroize::Zeroizing;

use super::{SyncError, Transport, TransportError, VaultAccess};
use crate::vault::{RefreshChain, SyncCredentials, Vault};

/// An access token closer than this to its expiry (or than a quarter of its life, when that is
/// shorter) is renewed before a request: a page of a slow link takes well under it.
pub const RENEW_MARGIN_SECS: i64 = 5 * 60;

/// A new refresh chain, nothing spent.
pub(crate) fn new_chain() -> RefreshChain {
    RefreshChain {
        seed: Zeroizing::new(crate::crypto::random_bytes()),
        used: 0,
    }
}

/// The anchor the server is given for `chain` (64 hex digits).
pub(crate) fn anchor_of(chain: &RefreshChain) -> String {
    refresh::to_hex(&refresh::anchor(&chain.seed))
}

/// The credentials a registration gave, with the chain whose anchor it sent (a server older
/// than rotating tokens gives a single long-lived token instead).
pub(crate) fn issued(session: &Session, chain: RefreshChain) -> SyncCredentials {
    if session.expires_in == 0 {
        return SyncCredentials::single(&session.token);
    }
    SyncCredentials {
        access: Zeroizing::new(session.token.clone()),
        renew_at: renew_at(session.expires_in),
        chain: Some(chain),
        bootstrap: None,
    }
}

/// When to renew an access token good for `expires_in` seconds from now (the answer's arrival:
/// this computer's clock need not agree with the server's).
fn renew_at(expires_in: u64) -> i64 {
    let life = i64::try_from(expires_in).unwrap_or(i64::MAX);
    Utc::now()
        .timestamp()
        .saturating_add(life - RENEW_MARGIN_SECS.min(life / 4))
}

/// Whether the access token should be renewed before a request at `now` (this computer's
/// Unix seconds).
pub fn due(credentials: &SyncCredentials, now: i64) -> bool {
    credentials.renew_at <= now
}

/// The access token to send, renewed first when it is due; returns it with when to renew it.
///
/// Fails with [`SyncError::Offline`] when the renewal cannot reach the server,
/// [`SyncError::SessionExpired`] when the refresh chain expired or is used up (the device joins
/// again with a device invitation), [`SyncError::Revoked`], [`SyncError::TokenCopied`] (the
/// server revoked the device because one of its refresh tokens was presented twice), or a vault
/// error.
pub fn access_token<A: VaultAccess>(
    vault: &mut A,
    transport: &mut dyn Transport,
) -> Result<(Zeroizing<String>, i64), SyncError> {
    let held = vault.with(|v| v.sync_credentials())??;
    if !due(&held, Utc::now().timestamp()) {
        return Ok((held.access, held.renew_at));
    }
    renew_unless(vault, transport, |held| !due(held, Utc::now().timestamp()))
}

/// [`access_token`] for a caller holding the vault itself, for one or a few requests.
///
/// Fails like [`access_token`].
pub fn current_token(
    mut vault: &mut Vault,
    transport: &mut dyn Transport,
) -> Result<Zeroizing<String>, SyncError> {
    Ok(access_token(&mut vault, transport)?.0)
}

/// Renews the access token because the server found `expired` expired, unless another renewal
/// of this vault already replaced it; returns the access token and when to renew it.
///
/// Fails like [`access_token`].
pub fn renew_expired<A: VaultAccess>(
    vault: &mut A,
    transport: &mut dyn Transport,
    expired: &str,
) -> Result<(Zeroizing<String>, i64), SyncError> {
    renew_unless(vault, transport, |held| *held.access != expired)
}

/// Renews the access token on the vault's lock, unless `fresh` says the credentials stored by
/// the time it is this caller's turn will do.
fn renew_unless<A: VaultAccess>(
    vault: &mut A,
    transport: &mut dyn Transport,
    fresh: impl Fn(&SyncCredentials) -> bool,
) -> Result<(Zeroizing<String>, i64), SyncError> {
    let lock = vault.with(|v| v.token_renewal_lock())?;
    let _turn = lock.lock().unwrap_or_else(|p| p.into_inner());
    let held = vault.with(|v| v.sync_credentials())??;
    if fresh(&held) {
        return Ok((held.access, held.renew_at));
    }
    let device = vault
        .with(|v| v.binding())??
        .ok_or(SyncError::NotJoined)?
        .device;
    let (request, mut next) = next_request(held, device)?;
    // Spent before it is sent: whatever becomes of the answer, this token is never sent again.
    vault.with(|v| v.store_sync_credentials(&next))??;
    match transport.renew_tokens(&request) {
        Ok(tokens) => {
            next.access = Zeroizing::new(tokens.token);
            next.renew_at = renew_at(tokens.expires_in);
            next.bootstrap = None;
            vault.with(|v| v.store_sync_credentials(&next))??;
            Ok((next.access.clone(), next.renew_at))
        }
        // A server older than rotating tokens: the single token it gave is all there is.
        Err(TransportError::Refused { status: 404, .. }) if next.bootstrap.is_some() => {
            Ok((next.access.clone(), i64::MAX))
        }
        Err(e) => Err(e.into()),
    }
}

/// The renewal to send for `held` and the credentials to keep meanwhile: the chain's next token,
/// or, for a vault from before rotation, its single token with the anchor of the chain that
/// replaces it (the same chain until the server has taken it).
fn next_request(
    held: SyncCredentials,
    device: u64,
) -> Result<(RenewRequest, SyncCredentials), SyncError> {
    let SyncCredentials {
        access,
        renew_at,
        chain,
        bootstrap,
    } = held;
    match (chain, bootstrap) {
        (Some(chain), None) => {
            let used = chain.used + 1;
            let token = refresh::token(&chain.seed, used).ok_or(SyncError::SessionExpired)?;
            let request = RenewRequest {
                device_id: device,
                refresh_token: refresh::to_hex(&token),
                anchor: None,
            };
            let chain = RefreshChain {
                seed: chain.seed,
                used,
            };
            let keep = SyncCredentials {
                access,
                renew_at,
                chain: Some(chain),
                bootstrap: None,
            };
            Ok((request, keep))
        }
        (chain, bootstrap) => {
            let single = bootstrap.unwrap_or_else(|| access.clone());
            let chain = chain.unwrap_or_else(new_chain);
            let request = RenewRequest {
                device_id: device,
                refresh_token: single.to_string(),
                anchor: Some(anchor_of(&chain)),
            };
            let keep = SyncCredentials {
                access,
                renew_at,
                chain: Some(chain),
                bootstrap: Some(single),
            };
            Ok((request, keep))
        }
    }
}
