//! Secrets the server handles: random device tokens and invitation codes (stored as SHA-256
//! hashes; nothing derived from a passphrase ever reaches the server), and the per-IP rate
//! limiter of the registration endpoint.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

use rand_core::{OsRng, RngCore as _};
use sha2::{Digest as _, Sha256};

/// SHA-256, the stored form of tokens and invitation codes (both random, so a fast hash is
/// enough: there is nothing to brute-force).
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// A new random device token (64 hex characters) and its hash.
pub fn new_token() -> (String, [u8; 32]) {
    let mut raw = [0u8; 32];
    OsRng.fill_bytes(&mut raw);
    let token = teduh_protocol::sync::refresh::to_hex(&raw);
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
