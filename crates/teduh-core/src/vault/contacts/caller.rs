//! The repeat-caller hash: a caller's number, normalised, is remembered only as a slow keyed
//! hash (Argon2id with a salt derived from the team's first key), inside the sealed contact.
//! The server never sees it; another team cannot compute it; a member who holds the team key
//! pays about 16-19 ms and 19 MiB per number she tries (decision 0006 works out what trying
//! every Indonesian mobile number would cost, and what it does not prevent).

use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

use crate::contact::normalise_number;
use crate::crypto;
use crate::ids::hex;
use crate::vault::error::VaultError;
use crate::vault::identity::Identity;
use crate::vault::Unlocked;

/// Argon2id cost of one caller hash: 19 MiB, 2 passes (OWASP's minimum for passwords), one
/// lane. Measured by the `contacts` benchmark.
const CALLER_HASH_KIB: u32 = 19 * 1024;
const CALLER_HASH_PASSES: u32 = 2;

/// How many numbers a vault remembers the hash of while unlocked (the form saves a contact
/// every few hundred milliseconds while the volunteer types; the number rarely changes).
const MEMO_LIMIT: usize = 64;

/// The key epoch whose team key salts the hash: the team's first (it never changes with
/// membership, and every member holds every epoch), or the provisional key of a device that
/// has not joined a team (its contacts then link only among themselves, decision 0006).
fn salt_epoch(u: &Unlocked) -> Option<u32> {
    u.team_keys
        .keys()
        .copied()
        .find(|e| *e >= 1)
        .or_else(|| u.team_keys.keys().next().copied())
}

/// The stored form of a caller's number: `<epoch>:<hex of the Argon2id hash>`.
///
/// Fails with [`VaultError::InvalidInput`] for something that is not a phone number.
pub(super) fn caller_hash(
    ident: &Identity,
    u: &mut Unlocked,
    raw_number: &str,
) -> Result<String, VaultError> {
    let number = Zeroizing::new(
        normalise_number(raw_number).map_err(|e| VaultError::InvalidInput(e.to_string()))?,
    );
    if let Some((_, h)) = u.caller_hashes.iter().find(|(n, _)| **n == *number) {
        return Ok(h.clone());
    }
    let epoch = salt_epoch(u).ok_or(VaultError::Locked)?;
    let team_key = u.team_keys.get(&epoch).ok_or(VaultError::Locked)?;
    let mut info = b"teduh/caller-hash-salt/v1".to_vec();
    info.extend_from_slice(&ident.team.0);
    let salt = crypto::derive_key(team_key.sealing().key, b"teduh/caller", &info);
    let params = Params::new(CALLER_HASH_KIB, CALLER_HASH_PASSES, 1, Some(32))
        .map_err(|e| VaultError::Log(e.to_string()))?;
    let mut out = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(number.as_bytes(), salt.sealing().key, &mut out)
        .map_err(|e| VaultError::Log(e.to_string()))?;
    let stored = format!("{epoch}:{}", hex(&out));
    if u.caller_hashes.len() >= MEMO_LIMIT {
        u.caller_hashes.clear();
    }
    u.caller_hashes.push((number, stored.clone()));
    Ok(stored)
}
