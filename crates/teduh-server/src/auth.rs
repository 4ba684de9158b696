//! Secrets the server handles: the Argon2id verifier of a member's authentication secret, random
//! device tokens and invitation codes (stored as SHA-256 hashes), and the per-IP rate limiter of
//! the authentication endpoints.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

use argon2::{Algorithm, Argon2, Params, Version};
use rand_core::{OsRng, RngCore as _};
use sha2::{Digest as _, Sha256};

/// Format tag of a verifier (so parameters can change later without breaking old verifiers).
const VERIFIER_V1: u8 = 1;
/// Argon2id memory in KiB, iterations, lanes: OWASP's minimum recommendation (19 MiB, t=2),
/// applied to a secret that is already the output of the client's slow KDF.
const M_COST: u32 = 19 * 1024;
const T_COST: u32 = 2;
const P_COST: u32 = 1;
const SALT_LEN: usize = 16;
const HASH_LEN: usize = 32;

/// Hashes an authentication secret into a self-describing verifier:
/// `1 | m u32 | t u32 | p u32 | salt[16] | hash[32]`.
///
/// Fails only if Argon2 rejects its parameters, which are constants.
pub fn hash_secret(secret: &[u8]) -> Result<Vec<u8>, argon2::Error> {
    let mut salt = [0u8; SALT_LEN];
    OsRng.fill_bytes(&mut salt);
    let hash = argon2_hash(secret, &salt, M_COST, T_COST, P_COST)?;
    let mut out = Vec::with_capacity(1 + 12 + SALT_LEN + HASH_LEN);
    out.push(VERIFIER_V1);
    out.extend_from_slice(&M_COST.to_be_bytes());
    out.extend_from_slice(&T_COST.to_be_bytes());
    out.extend_from_slice(&P_COST.to_be_bytes());
    out.extend_from_slice(&salt);
    out.extend_from_slice(&hash);
    Ok(out)
}

fn argon2_hash(
    secret: &[u8],
    salt: &[u8],
    m: u32,
    t: u32,
    p: u32,
) -> Result<[u8; HASH_LEN], argon2::Error> {
    let params = Params::new(m, t, p, Some(HASH_LEN))?;
    let mut out = [0u8; HASH_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(secret, salt, &mut out)?;
    Ok(out)
}

/// Whether `secret` matches `verifier`. A malformed verifier never matches.
pub fn verify_secret(verifier: &[u8], secret: &[u8]) -> bool {
    if verifier.len() != 1 + 12 + SALT_LEN + HASH_LEN || verifier[0] != VERIFIER_V1 {
        return false;
    }
    let word = |i: usize| {
        let mut b = [0u8; 4];
        b.copy_from_slice(&verifier[1 + 4 * i..5 + 4 * i]);
        u32::from_be_bytes(b)
    };
    let salt = &verifier[13..13 + SALT_LEN];
    let want = &verifier[13 + SALT_LEN..];
    match argon2_hash(secret, salt, word(0), word(1), word(2)) {
        Ok(got) => constant_time_eq(&got, want),
        Err(_) => false,
    }
}

/// Spends the same time as a verification, for unknown users (so timing does not reveal which
/// login names exist).
pub fn burn_verification(secret: &[u8]) {
    let _ = argon2_hash(secret, &[0u8; SALT_LEN], M_COST, T_COST, P_COST);
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// SHA-256, the stored form of tokens and invitation codes (both random, so a fast hash is
/// enough: there is nothing to brute-force).
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// A new random device token (64 hex characters) and its hash.
pub fn new_token() -> (String, [u8; 32]) {
    let mut raw = [0u8; 32];
    OsRng.fill_bytes(&mut raw);
    let token: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    let hash = sha256(token.as_bytes());
    (token, hash)
}

/// Crockford's base32 alphabet: no I, L, O, U, so codes read aloud over a phone survive.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new invitation code: 100 random bits as 20 Crockford base32 characters in groups of
/// five (`ABCDE-FGHJK-...`), and the hash of its normalised form.
pub fn new_invitation_code() -> (String, [u8; 32]) {
    let mut raw = [0u8; 20];
    OsRng.fill_bytes(&mut raw);
    let chars: Vec<char> = raw
        .iter()
        .map(|b| CROCKFORD[(b & 31) as usize] as char)
        .collect();
    let code = chars
        .chunks(5)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-");
    let hash = invitation_hash(&code);
    (code, hash)
}

/// The hash of an invitation code as typed: case, spaces and dashes do not matter.
pub fn invitation_hash(code: &str) -> [u8; 32] {
    let normal: String = code
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    sha256(normal.as_bytes())
}

/// A token-bucket rate limiter per client IP.
#[derive(Debug)]
pub struct RateLimiter {
    burst: f64,
    per_second: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimiter {
    /// Allows `burst` requests at once, refilled at `per_second`.
    pub fn new(burst: u32, per_second: f64) -> Self {
        Self {
            burst: f64::from(burst),
            per_second,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `ip`; false when its bucket is empty.
    pub fn allow(&self, ip: IpAddr) -> bool {
        let now = Instant::now();
        let Ok(mut buckets) = self.buckets.lock() else {
            return true;
        };
        if buckets.len() > 100_000 {
            // Bound memory under a spray of addresses: forget buckets that are full again.
            let (burst, rate) = (self.burst, self.per_second);
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * rate < burst
            });
        }
        let (tokens, at) = buckets.entry(ip).or_insert((self.burst, now));
        *tokens =
            (*tokens + now.duration_since(*at).as_secs_f64() * self.per_second).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verifier_accepts_its_secret_and_nothing_else() {
        let v = hash_secret(b"derived-auth-secret").expect("hashes");
        assert!(
            verify_secret(&v, b"derived-auth-secret"),
            "the right secret verifies"
        );
        assert!(
            !verify_secret(&v, b"derived-auth-secreT"),
            "a wrong secret must not verify"
        );
        assert!(
            !verify_secret(&v[1..], b"derived-auth-secret"),
            "a mangled verifier never matches"
        );
        assert!(
            !v.windows(19).any(|w| w == b"derived-auth-secret"),
            "the secret is not stored"
        );
    }

    #[test]
    fn invitation_codes_ignore_case_and_dashes() {
        let (code, hash) = new_invitation_code();
        assert_eq!(code.len(), 23, "20 characters in four groups: {code}");
        let typed = code.replace('-', " ").to_lowercase();
        assert_eq!(
            invitation_hash(&typed),
            hash,
            "a code typed loosely still matches"
        );
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b, "two tokens must differ");
        assert_eq!(sha256(a.as_bytes()), ha);
    }

    #[test]
    fn the_rate_limiter_refuses_after_the_burst() {
        let rl = RateLimiter::new(3, 0.0);
        let ip: IpAddr = "127.0.0.1".parse().expect("ip");
        let other: IpAddr = "127.0.0.2".parse().expect("ip");
        assert!((0..3).all(|_| rl.allow(ip)), "the burst passes");
        assert!(!rl.allow(ip), "the fourth request is refused");
        assert!(rl.allow(other), "another address has its own bucket");
    }
}
