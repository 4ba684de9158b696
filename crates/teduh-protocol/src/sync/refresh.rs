//! The refresh chain (issue 27, item 3; decisions/0013): how a device renews its hour-long
//! access token without its passphrase, with a single-use refresh token each time.
//!
//! A device draws a random seed and sends, when it registers, only the chain's anchor
//! `H^N(seed)` (`N` = [`CHAIN_LENGTH`]). Its k-th refresh token is `H^(N-k)(seed)`: each one
//! hashes to the one before, so the server checks a token against the last one it accepted (its
//! *head*) by hashing forward, and stores nothing secret. Knowing a used token gives no later
//! one (they are preimages). This is Lamport's one-time password chain (S/KEY).
//!
//! What the server concludes from a presented token ([`position`]):
//! - **ahead** of the head by up to [`MAX_GAP`]: a new token; accepted, it becomes the head. A
//!   device whose previous answer was lost simply presents its next token; a server restored
//!   from an older backup finds the device a few steps further on;
//! - **the head itself or behind it**: a token already used. Two parties hold the device's
//!   chain: it was copied, and the device is revoked;
//! - neither: not this device's token.

use sha2::{Digest as _, Sha256};

/// `DeviceView::revoked_reason` of a device the server revoked because one of its refresh
/// tokens was presented twice.
pub const REVOKED_FOR_REUSE: &str = "refresh_reused";

/// How many refresh tokens a chain holds: renewing every 45 minutes all day, a device uses it
/// up in eight years (it then joins again with a device invitation). Computing a token costs the
/// device at most this many hashes (about 30 ms).
pub const CHAIN_LENGTH: u32 = 100_000;

/// How far ahead of the head the server looks for a token: a device that renewed this many times
/// since the backup a server was restored from joins again with a device invitation. Checking a
/// token costs the server at most twice this many hashes (a few milliseconds).
pub const MAX_GAP: u32 = 10_000;

/// One step down the chain.
pub fn step(x: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"teduh/refresh-chain/v1");
    h.update(x);
    h.finalize().into()
}

fn hash_n(x: &[u8; 32], n: u32) -> [u8; 32] {
    (0..n).fold(*x, |acc, _| step(&acc))
}

/// The anchor a device registers for the chain of `seed`.
pub fn anchor(seed: &[u8; 32]) -> [u8; 32] {
    hash_n(seed, CHAIN_LENGTH)
}

/// The `index`-th refresh token of the chain of `seed` (1 for the first renewal); `None` once
/// the chain is used up.
pub fn token(seed: &[u8; 32], index: u32) -> Option<[u8; 32]> {
    (1..CHAIN_LENGTH)
        .contains(&index)
        .then(|| hash_n(seed, CHAIN_LENGTH - index))
}

/// Where a presented token stands against the server's head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// This many steps after the head (1 for the next token).
    Ahead(u32),
    /// The head itself (0) or this many steps before it: already used.
    Used(u32),
    /// Not on this chain (within [`MAX_GAP`] either way).
    Unrelated,
}

/// Where `presented` stands against `head` (see the module documentation).
pub fn position(presented: &[u8; 32], head: &[u8; 32]) -> Position {
    let mut x = *presented;
    for gap in 1..=MAX_GAP {
        x = step(&x);
        if x == *head {
            return Position::Ahead(gap);
        }
    }
    let mut y = *head;
    for behind in 0..=MAX_GAP {
        if y == *presented {
            return Position::Used(behind);
        }
        y = step(&y);
    }
    Position::Unrelated
}

/// A chain value as sent: 64 lowercase hex digits.
pub fn to_hex(x: &[u8; 32]) -> String {
    x.iter().map(|b| format!("{b:02x}")).collect()
}

/// A chain value from its 64 hex digits; `None` for anything else.
pub fn from_hex(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_token_hashes_to_the_one_before_and_the_first_to_the_anchor() {
        let seed = [7u8; 32];
        let a = anchor(&seed);
        let t1 = token(&seed, 1).expect("first");
        let t2 = token(&seed, 2).expect("second");
        assert_eq!(step(&t1), a);
        assert_eq!(step(&t2), t1);
        assert_eq!(position(&t1, &a), Position::Ahead(1));
        assert_eq!(
            position(&t2, &a),
            Position::Ahead(2),
            "a lost answer skips one"
        );
        assert_eq!(position(&t1, &t1), Position::Used(0));
        assert_eq!(position(&t1, &t2), Position::Used(1));
        assert_eq!(position(&[9u8; 32], &a), Position::Unrelated);
        assert!(
            token(&seed, CHAIN_LENGTH).is_none(),
            "the anchor is never a token"
        );
        assert!(token(&seed, 0).is_none());
    }

    #[test]
    fn hex_round_trips_and_refuses_the_rest() {
        let x = [0xabu8; 32];
        assert_eq!(from_hex(&to_hex(&x)), Some(x));
        assert_eq!(from_hex("ab"), None);
        assert_eq!(from_hex(&"zz".repeat(32)), None);
        assert_eq!(from_hex(&"é".repeat(32)), None);
    }
}
