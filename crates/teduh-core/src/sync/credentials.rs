//! The device's tokens (issue 27, item 3): an access token of at most an hour that every
//! request carries, renewed without the passphrase by a refresh token of at most 90 days that
//! rotates at every renewal (`POST /v1/token`). Both are sealed in the vault
//! ([`SyncCredentials`]).
//!
//! Renewing twice with the same refresh token would look, to the server, like a copied token
//! (it revokes the device), so a vault's renewals take turns on its lock and the second one
//! finds the tokens the first stored. An answer lost on the way is safe: the server renews the
//! same refresh token once more while the access token it issued for it was never used.

use chrono::Utc;
use teduh_protocol::sync::{Session, Tokens};
use zeroize::Zeroizing;

use super::{SyncError, Transport, TransportError, VaultAccess};
use crate::vault::{SyncCredentials, Vault};

/// An access token closer than this to its expiry (or than a quarter of its life, when that is
/// shorter) is renewed before a request: a page of a slow link takes well under it.
pub const RENEW_MARGIN_SECS: i64 = 5 * 60;

/// The credentials a registration gave (a server older than rotating tokens gives a single
/// long-lived token, which is its own refresh token).
pub(crate) fn issued(session: &Session) -> SyncCredentials {
    if session.refresh_token.is_empty() {
        return SyncCredentials::single(&session.token);
    }
    SyncCredentials {
        access: Zeroizing::new(session.token.clone()),
        refresh: Zeroizing::new(session.refresh_token.clone()),
        renew_at: renew_at(session.expires_in),
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

fn renewed(tokens: Tokens) -> SyncCredentials {
    SyncCredentials {
        renew_at: renew_at(tokens.expires_in),
        access: Zeroizing::new(tokens.token),
        refresh: Zeroizing::new(tokens.refresh_token),
    }
}

/// Whether the access token should be renewed before a request at `now` (this computer's
/// Unix seconds).
pub fn due(credentials: &SyncCredentials, now: i64) -> bool {
    credentials.renew_at <= now
}

/// The access token to send, renewed first when it is due; returns it with when to renew it.
///
/// Fails with [`SyncError::Offline`] when the renewal cannot reach the server,
/// [`SyncError::SessionExpired`] when the refresh token expired (the device joins again with a
/// device invitation), [`SyncError::Revoked`], [`SyncError::TokenCopied`] (the server revoked
/// the device because a rotated refresh token of it was used again), or a vault error.
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

/// Renews the tokens because the server found `expired` (an access token) expired, unless
/// another renewal of this vault already replaced it; returns the access token and when to renew it.
///
/// Fails like [`access_token`].
pub fn renew_expired<A: VaultAccess>(
    vault: &mut A,
    transport: &mut dyn Transport,
    expired: &str,
) -> Result<(Zeroizing<String>, i64), SyncError> {
    renew_unless(vault, transport, |held| *held.access != expired)
}

/// Renews the tokens on the vault's lock, unless `fresh` says the tokens stored by the time it
/// is this caller's turn will do.
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
    let next = match transport.renew_tokens(&held.refresh) {
        Ok(tokens) => renewed(tokens),
        // A server older than rotating tokens: the single token it gave is all there is.
        Err(TransportError::Refused { status: 404, .. }) if held.is_single() => {
            return Ok((held.access, i64::MAX));
        }
        Err(e) => return Err(e.into()),
    };
    vault.with(|v| v.store_sync_credentials(&next))??;
    Ok((next.access.clone(), next.renew_at))
}
