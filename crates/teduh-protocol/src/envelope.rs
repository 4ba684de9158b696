//! The encrypted envelope: how every sensitive byte string is sealed, at rest and on the wire.
//!
//! An [`Envelope`] is AES-256-GCM ciphertext with a small versioned header. Its layout (version 1)
//! is frozen by the golden vectors in `tests/vectors/envelope_v1.json`:
//!
//! ```text
//! offset  size  field
//! 0       1     version (0x01)
//! 1       16    key id (which key sealed it: a client data key, a team key, a KEK...)
//! 17      12    nonce (fresh and random for every seal)
//! 29      n+16  ciphertext followed by the 16-byte GCM tag
//! ```
//!
//! The GCM associated data is `"teduh/envelope/v1" || header (29 bytes) || context`, where the
//! context is supplied by the caller and says *what* the ciphertext is. For records it is
//! [`RecordBinding::to_aad`]: team, author device, device sequence, record kind, entity id and
//! field name. Moving a ciphertext to another record, field, device or sequence number, or
//! swapping its key id, makes [`open`] fail, so a record cannot be replayed elsewhere.
//!
//! This module has no randomness and no I/O: callers pass the nonce (the core draws it from the
//! operating system's CSPRNG), which is also what makes golden vectors possible.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};

/// Envelope format version written by this build.
pub const ENVELOPE_VERSION: u8 = 1;
/// Length of a key id.
pub const KEY_ID_LEN: usize = 16;
/// Length of an AES-GCM nonce.
pub const NONCE_LEN: usize = 12;
/// Length of the GCM authentication tag.
pub const TAG_LEN: usize = 16;
/// Length of the header (version, key id, nonce).
pub const HEADER_LEN: usize = 1 + KEY_ID_LEN + NONCE_LEN;
/// Domain-separation prefix of the associated data.
const AAD_PREFIX: &[u8] = b"teduh/envelope/v1";

/// Errors sealing or opening an envelope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// Too short to hold a header and a tag.
    #[error("envelope is truncated ({len} bytes)")]
    Truncated {
        /// Length found.
        len: usize,
    },
    /// Written by a newer (or unknown) format version.
    #[error("unsupported envelope version {0}")]
    UnsupportedVersion(u8),
    /// The key id in the header is not the key the caller offered.
    #[error("envelope was sealed with another key")]
    WrongKey,
    /// Authentication failed: wrong key, altered bytes or a different context.
    #[error("envelope failed authentication (wrong key, tampered bytes or moved record)")]
    Integrity,
}

/// A 256-bit AES key together with its id.
#[derive(Clone)]
pub struct SealingKey<'a> {
    /// The id written into the header.
    pub id: [u8; KEY_ID_LEN],
    /// The 32 key bytes.
    pub key: &'a [u8; 32],
}

impl std::fmt::Debug for SealingKey<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealingKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// A parsed envelope (borrowed from its bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Envelope<'a> {
    /// Format version.
    pub version: u8,
    /// Id of the key that sealed it.
    pub key_id: [u8; KEY_ID_LEN],
    /// The nonce.
    pub nonce: [u8; NONCE_LEN],
    /// Ciphertext and tag.
    pub ciphertext: &'a [u8],
    header: &'a [u8],
}

impl<'a> Envelope<'a> {
    /// Parses the header of `bytes` without decrypting.
    ///
    /// Fails when the bytes are too short or the version is unknown.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, EnvelopeError> {
        if bytes.len() < HEADER_LEN + TAG_LEN {
            return Err(EnvelopeError::Truncated { len: bytes.len() });
        }
        let version = bytes[0];
        if version != ENVELOPE_VERSION {
            return Err(EnvelopeError::UnsupportedVersion(version));
        }
        let mut key_id = [0u8; KEY_ID_LEN];
        key_id.copy_from_slice(&bytes[1..1 + KEY_ID_LEN]);
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&bytes[1 + KEY_ID_LEN..HEADER_LEN]);
        Ok(Self {
            version,
            key_id,
            nonce,
            ciphertext: &bytes[HEADER_LEN..],
            header: &bytes[..HEADER_LEN],
        })
    }
}

fn aad(header: &[u8], context: &[u8]) -> Vec<u8> {
    let mut a = Vec::with_capacity(AAD_PREFIX.len() + header.len() + context.len());
    a.extend_from_slice(AAD_PREFIX);
    a.extend_from_slice(header);
    a.extend_from_slice(context);
    a
}

/// Seals `plaintext` under `key` with the given nonce, bound to `context`.
///
/// The nonce must never repeat under one key: callers draw it fresh from a CSPRNG for every call
/// (fixed nonces are for golden vectors only).
pub fn seal(
    key: &SealingKey<'_>,
    nonce: [u8; NONCE_LEN],
    context: &[u8],
    plaintext: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + plaintext.len() + TAG_LEN);
    out.push(ENVELOPE_VERSION);
    out.extend_from_slice(&key.id);
    out.extend_from_slice(&nonce);
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key.key));
    let ct = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: &aad(&out, context),
            },
        )
        .unwrap_or_default();
    // AES-GCM encryption only fails for plaintexts beyond 64 GiB, which never reach this code.
    out.extend_from_slice(&ct);
    out
}

/// Opens an envelope sealed by [`seal`] with the same key and context.
///
/// Fails with [`EnvelopeError::WrongKey`] when the header names another key, and with
/// [`EnvelopeError::Integrity`] when authentication fails (tampering, wrong context).
pub fn open(key: &SealingKey<'_>, context: &[u8], bytes: &[u8]) -> Result<Vec<u8>, EnvelopeError> {
    let env = Envelope::parse(bytes)?;
    if env.key_id != key.id {
        return Err(EnvelopeError::WrongKey);
    }
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key.key));
    cipher
        .decrypt(
            Nonce::from_slice(&env.nonce),
            Payload {
                msg: env.ciphertext,
                aad: &aad(env.header, context),
            },
        )
        .map_err(|_| EnvelopeError::Integrity)
}

/// What a record field's ciphertext is bound to (its associated data).
///
/// Everything here is public metadata stored beside the ciphertext; binding it means a
/// ciphertext only opens in the exact place it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordBinding<'a> {
    /// Team the record belongs to.
    pub team: [u8; 16],
    /// Device that wrote the record.
    pub device: [u8; 16],
    /// The record's position in that device's log.
    pub device_seq: u64,
    /// Record kind, e.g. `"client"`, `"note"`.
    pub kind: &'a str,
    /// The entity the record changes.
    pub entity: [u8; 16],
    /// The field within the entity (empty for whole-record payloads).
    pub field: &'a str,
}

impl RecordBinding<'_> {
    /// The canonical associated-data bytes: fixed-width ids, big-endian sequence and
    /// length-prefixed strings, so no two different bindings encode the same.
    pub fn to_aad(&self) -> Vec<u8> {
        let mut a = Vec::with_capacity(64 + self.kind.len() + self.field.len());
        a.extend_from_slice(b"record");
        a.extend_from_slice(&self.team);
        a.extend_from_slice(&self.device);
        a.extend_from_slice(&self.device_seq.to_be_bytes());
        push_str(&mut a, self.kind);
        a.extend_from_slice(&self.entity);
        push_str(&mut a, self.field);
        a
    }
}

/// Appends a string with a 2-byte big-endian length prefix (strings here are short names).
fn push_str(out: &mut Vec<u8>, s: &str) {
    let len = u16::try_from(s.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&s.as_bytes()[..usize::from(len)]);
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7u8; 32];

    fn key() -> SealingKey<'static> {
        SealingKey {
            id: [1u8; 16],
            key: &KEY,
        }
    }

    #[test]
    fn sealed_bytes_open_with_the_same_key_and_context() {
        let env = seal(&key(), [2u8; 12], b"ctx", b"hello");
        assert_eq!(
            open(&key(), b"ctx", &env).expect("opens"),
            b"hello",
            "a round trip must give the plaintext back"
        );
    }

    #[test]
    fn a_different_context_is_an_integrity_error() {
        let env = seal(&key(), [2u8; 12], b"ctx", b"hello");
        assert_eq!(
            open(&key(), b"other", &env),
            Err(EnvelopeError::Integrity),
            "a ciphertext moved to another record must not open"
        );
    }

    #[test]
    fn every_single_bit_flip_is_detected() {
        let env = seal(&key(), [2u8; 12], b"ctx", b"hello world");
        for i in 0..env.len() * 8 {
            let mut bad = env.clone();
            bad[i / 8] ^= 1 << (i % 8);
            assert!(
                open(&key(), b"ctx", &bad).is_err(),
                "flipping bit {i} must be detected"
            );
        }
    }

    #[test]
    fn truncated_and_future_envelopes_are_refused() {
        assert_eq!(
            open(&key(), b"", &[1u8; 10]),
            Err(EnvelopeError::Truncated { len: 10 }),
            "short input is reported as truncated"
        );
        let mut env = seal(&key(), [2u8; 12], b"", b"x");
        env[0] = 9;
        assert_eq!(
            open(&key(), b"", &env),
            Err(EnvelopeError::UnsupportedVersion(9)),
            "an unknown version must not be guessed at"
        );
    }

    #[test]
    fn bindings_that_differ_in_any_part_give_different_aad() {
        let base = RecordBinding {
            team: [1; 16],
            device: [2; 16],
            device_seq: 3,
            kind: "note",
            entity: [4; 16],
            field: "narrative",
        };
        let variants = [
            RecordBinding {
                team: [9; 16],
                ..base
            },
            RecordBinding {
                device: [9; 16],
                ..base
            },
            RecordBinding {
                device_seq: 4,
                ..base
            },
            RecordBinding {
                kind: "client",
                ..base
            },
            RecordBinding {
                entity: [9; 16],
                ..base
            },
            RecordBinding {
                field: "plan",
                ..base
            },
            RecordBinding {
                kind: "not",
                field: "enarrative",
                ..base
            },
        ];
        for v in variants {
            assert_ne!(
                v.to_aad(),
                base.to_aad(),
                "{v:?} must not alias the base binding"
            );
        }
    }
}
