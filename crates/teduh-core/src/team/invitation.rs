//! Invitations made on a key manager's device (trust 2/3, the default way in).
//!
//! The key manager's device draws a 128-bit secret and derives from it, with HKDF, an *id* (what
//! the server stores and the joiner registers with) and a *key*. Under the key it encrypts a
//! [`Package`]: who invites (username, role, her device and its key), the team, the role, level
//! and username the newcomer gets, and the roster the inviting device holds (version and hash),
//! which the newcomer's device then takes as its trust anchor instead of whatever roster the
//! server shows first. The code the newcomer receives (by hand or "Kirim lewat WhatsApp") is the
//! secret alone; the server never sees it.
//!
//! The newcomer registers her device with a [`proof`]: a MAC under the invitation key over the
//! team, role, username, invitation id and her device's public keys, and her device's signature
//! over the same. Only someone holding the secret can make it, and it names her keys, so a
//! server that swaps keys under it or replays it for a second device is caught by the key
//! manager's device ([`check_proof`]), which admits the device only once.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use teduh_protocol::sync::Role;
use zeroize::Zeroizing;

use crate::crypto::{self, DataKey};

/// Bytes of secret in an invitation code (128 bits; the issue asks for at least 100).
pub const SECRET_BYTES: usize = 16;

/// Crockford's base32 alphabet: no I, L, O, U, so a code read aloud survives.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters of an invitation code, without its dashes (26 × 5 bits ≥ 128 bits).
pub const CODE_CHARS: usize = 26;

/// How long an invitation stays open at most.
pub const MAX_OPEN_SECS: i64 = 72 * 3600;

/// An invitation's secret: what the code carries.
#[derive(Clone)]
pub struct Secret(Zeroizing<[u8; SECRET_BYTES]>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Secret {
    /// A fresh random secret.
    pub fn random() -> Self {
        Self(Zeroizing::new(crypto::random_bytes::<SECRET_BYTES>()))
    }

    /// The code to hand to the newcomer: 26 base32 characters in groups of five.
    pub fn code(&self) -> String {
        // Big-endian bits of the secret, five at a time (the last group padded with zeros).
        let mut chars = Vec::with_capacity(CODE_CHARS);
        let bits = SECRET_BYTES * 8;
        for i in 0..CODE_CHARS {
            let mut v = 0usize;
            for b in 0..5 {
                let bit = i * 5 + b;
                let set = bit < bits && self.0[bit / 8] & (0x80 >> (bit % 8)) != 0;
                v = (v << 1) | usize::from(set);
            }
            chars.push(CROCKFORD[v] as char);
        }
        chars
            .chunks(5)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-")
    }

    /// The secret in a code as typed (case, spaces and dashes do not matter; O reads as 0 and
    /// I or L as 1). `None` when it is not an invitation code of this kind.
    pub fn parse(code: &str) -> Option<Self> {
        let cleaned: Vec<u8> = code
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '\u{a0}'))
            .map(|c| match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            })
            .map(|c| CROCKFORD.iter().position(|&a| a as char == c))
            .collect::<Option<Vec<usize>>>()?
            .into_iter()
            .map(|v| v as u8)
            .collect();
        if cleaned.len() != CODE_CHARS {
            return None;
        }
        let mut out = Zeroizing::new([0u8; SECRET_BYTES]);
        for (i, v) in cleaned.iter().enumerate() {
            for b in 0..5 {
                let bit = i * 5 + b;
                let set = v & (0x10 >> b) != 0;
                if bit < SECRET_BYTES * 8 {
                    if set {
                        out[bit / 8] |= 0x80 >> (bit % 8);
                    }
                } else if set {
                    // Padding bits are zero in a code this module made.
                    return None;
                }
            }
        }
        Some(Self(out))
    }

    /// The id the server stores and the newcomer registers with (32 hex digits).
    pub fn id(&self) -> String {
        crate::ids::hex(&self.id_bytes())
    }

    fn id_bytes(&self) -> [u8; 16] {
        let k = crypto::derive_key(&self.0[..], b"teduh/invitation", b"teduh/invitation-id/v1");
        let mut out = [0u8; 16];
        out.copy_from_slice(&k.bytes()[..16]);
        out
    }

    /// The key the package is sealed under and the proof is made with.
    pub fn key(&self) -> DataKey {
        crypto::derive_key(&self.0[..], b"teduh/invitation", b"teduh/invitation-key/v1")
    }
}

/// What an invitation tells the newcomer, sealed under its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// The organisation's name (as the server names it; a label only).
    pub organisation: String,
    /// The server's team id.
    pub team: u64,
    /// The team's name (as the server names it; a label only).
    pub team_name: String,
    /// The username the newcomer registers with.
    pub username: String,
    /// The role she gets.
    pub role: Role,
    /// Her level (a hotline volunteer's, 1-3), if the key manager set one.
    pub level: Option<u8>,
    /// Who invites: her username, as the inviting device's roster lists her.
    pub inviter: String,
    /// Her role.
    pub inviter_role: Role,
    /// The inviting device's id.
    pub inviter_device: u64,
    /// The inviting device's Ed25519 key, hex: it signs the roster the newcomer trusts first.
    pub inviter_key: String,
    /// The inviting device's X25519 key, hex: the newcomer reports an alarm to it before she
    /// holds a roster.
    pub inviter_x25519: String,
    /// The roster the inviting device held when it made the invitation: its version...
    pub roster_version: u64,
    /// ...and its [`crate::team::roster::Roster::anchor_hash`] (the newcomer's trust anchor).
    pub roster_hash: String,
    /// Unix seconds after which the invitation is refused.
    pub expires_at: i64,
    /// The organisation root key (Ed25519, hex) the anchored roster names, if the team adopted
    /// one: the newcomer sees its fingerprint before she sets her passphrase (her device accepts
    /// first only the anchored roster, whose hash covers the key).
    #[serde(default)]
    pub org_key: Option<String>,
}

fn package_context(id: &str) -> Vec<u8> {
    let mut c = b"teduh/invitation-package/v1".to_vec();
    c.extend_from_slice(id.as_bytes());
    c
}

/// The package sealed under the secret's key, bound to its id.
pub fn seal_package(secret: &Secret, package: &Package) -> Vec<u8> {
    // Serialising plain structs of strings and integers cannot fail.
    let json = Zeroizing::new(serde_json::to_vec(package).unwrap_or_default());
    secret.key().seal(&package_context(&secret.id()), &json)
}

/// The package inside `sealed`, when it opens under the secret's key.
pub fn open_package(secret: &Secret, sealed: &[u8]) -> Option<Package> {
    let json = secret
        .key()
        .open(&package_context(&secret.id()), sealed)
        .ok()?;
    serde_json::from_slice(&json).ok()
}

fn proof_message(team: u64, role: Role, username: &str, id: &str, device_keys: &[u8]) -> Vec<u8> {
    let mut m = b"teduh/invitation-proof/v1".to_vec();
    m.extend_from_slice(&team.to_be_bytes());
    for part in [
        role.as_str().as_bytes(),
        username.as_bytes(),
        id.as_bytes(),
        device_keys,
    ] {
        m.extend_from_slice(&(part.len() as u32).to_be_bytes());
        m.extend_from_slice(part);
    }
    m
}

fn proof_mac(key: &DataKey, message: &[u8]) -> [u8; 32] {
    // HKDF-Extract is HMAC-SHA256 keyed by the salt: a MAC of the message under the key.
    let tag = crypto::derive_key(message, key.bytes(), b"teduh/invitation-proof-mac/v1");
    let mut out = [0u8; 32];
    out.copy_from_slice(&tag.bytes()[..32]);
    out
}

/// Bytes of a proof: the invitation id (16), the MAC (32) and the device's signature (64).
pub const PROOF_LEN: usize = 112;

/// The invitation id a proof names (it is no secret: the device registered with it), as hex.
pub fn proof_id(proof: &[u8]) -> Option<String> {
    (proof.len() == PROOF_LEN).then(|| crate::ids::hex(&proof[..16]))
}

/// The newcomer's proof for her device: `invitation id (16) || MAC (32) || Ed25519 signature
/// (64)`, the MAC and the signature over the team, role, username, invitation id and the
/// device's public keys (X25519 || Ed25519). The id in clear lets each key manager's device
/// judge only the proofs of its own invitations.
pub fn proof(
    secret: &Secret,
    package: &Package,
    device_keys: &[u8],
    signing: &SigningKey,
) -> Vec<u8> {
    let msg = proof_message(
        package.team,
        package.role,
        &package.username,
        &secret.id(),
        device_keys,
    );
    let mut out = secret.id_bytes().to_vec();
    out.extend_from_slice(&proof_mac(&secret.key(), &msg));
    out.extend_from_slice(&signing.sign(&msg).to_bytes());
    out
}

/// Whether `proof` shows that the holder of the invitation key `key` registered the device with
/// `device_keys` (X25519 || Ed25519) for this team, role, username and invitation id.
pub fn check_proof(
    key: &DataKey,
    expected: (u64, Role, &str, &str),
    device_keys: &[u8],
    proof: &[u8],
) -> bool {
    let (team, role, username, id) = expected;
    if proof.len() != PROOF_LEN || device_keys.len() != 64 || proof_id(proof).as_deref() != Some(id)
    {
        return false;
    }
    let proof = &proof[16..];
    let msg = proof_message(team, role, username, id, device_keys);
    let mac = proof_mac(key, &msg);
    // Compared in constant time, as a MAC check should be.
    let same = mac
        .iter()
        .zip(&proof[..32])
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0;
    let Ok(ed): Result<[u8; 32], _> = device_keys[32..].try_into() else {
        return false;
    };
    let Ok(verifying) = VerifyingKey::from_bytes(&ed) else {
        return false;
    };
    let Ok(sig): Result<[u8; 64], _> = proof[32..].try_into() else {
        return false;
    };
    same && verifying
        .verify_strict(&msg, &Signature::from_bytes(&sig))
        .is_ok()
}

/// A `https://wa.me/?text=` link carrying the invitation code and the server's address: what
/// "Kirim lewat WhatsApp" opens (the supervisor picks the chat there).
pub fn whatsapp_link(code: &str, server_url: &str) -> String {
    let text = format!(
        "Undangan Teduh: buka Teduh, pilih \"Gabung dengan organisasi\", isi server {server_url} \
         dan kode {code} (berlaku 72 jam, sekali pakai)."
    );
    let encoded: String = text
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("https://wa.me/?text={encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package() -> Package {
        Package {
            organisation: "Organisasi Uji".into(),
            team: 7,
            team_name: "Tim Uji".into(),
            username: "kons.baru".into(),
            role: Role::Counselor,
            level: Some(2),
            inviter: "sup.ani".into(),
            inviter_role: Role::Supervisor,
            inviter_device: 3,
            inviter_key: "11".repeat(32),
            inviter_x25519: "33".repeat(32),
            roster_version: 4,
            roster_hash: "22".repeat(32),
            expires_at: 1_800_000_000,
            org_key: Some("44".repeat(32)),
        }
    }

    #[test]
    fn a_code_carries_128_bits_and_reads_back_as_typed() {
        let s = Secret::random();
        let code = s.code();
        assert_eq!(code.replace('-', "").len(), CODE_CHARS, "{code}");
        let typed = code.to_lowercase().replace('-', " ").replace('0', "o");
        let back = Secret::parse(&typed).expect("parses as typed");
        assert_eq!(back.id(), s.id());
        assert_ne!(Secret::random().id(), s.id(), "two secrets, two ids");
        assert!(
            Secret::parse("ABCDE-FGHJK-MNPQR-STVWX").is_none(),
            "a server code"
        );
        assert_eq!(s.id().len(), 32);
        assert!(
            !code.contains(&s.id()[..8]),
            "the id does not leak from the code"
        );
    }

    #[test]
    fn the_whatsapp_link_carries_the_code_and_the_server_encoded() {
        let link = whatsapp_link("ABCDE-FGHJK", "https://sync.contoh.id");
        assert!(
            link.starts_with("https://wa.me/?text=Undangan%20Teduh"),
            "{link}"
        );
        assert!(link.contains("ABCDE-FGHJK"), "{link}");
        assert!(link.contains("https%3A%2F%2Fsync.contoh.id"), "{link}");
        assert!(!link.contains(' '), "{link}");
    }

    #[test]
    fn the_package_opens_only_with_its_secret() {
        let s = Secret::random();
        let sealed = seal_package(&s, &package());
        assert_eq!(open_package(&s, &sealed), Some(package()));
        assert_eq!(open_package(&Secret::random(), &sealed), None);
        let mut tampered = sealed.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert_eq!(open_package(&s, &tampered), None);
    }

    #[test]
    fn a_proof_binds_the_device_keys_the_username_and_the_role() {
        let s = Secret::random();
        let p = package();
        let signing = SigningKey::from_bytes(&[5; 32]);
        let mut keys = vec![9u8; 32];
        keys.extend_from_slice(signing.verifying_key().as_bytes());
        let proof = proof(&s, &p, &keys, &signing);
        let id = s.id();
        let expected = (p.team, p.role, p.username.as_str(), id.as_str());
        assert!(check_proof(&s.key(), expected, &keys, &proof));
        let mut swapped = keys.clone();
        swapped[0] ^= 1;
        assert!(
            !check_proof(&s.key(), expected, &swapped, &proof),
            "keys swapped under the proof"
        );
        assert!(!check_proof(
            &s.key(),
            (p.team, Role::Admin, "kons.baru", &id),
            &keys,
            &proof
        ));
        assert!(!check_proof(
            &s.key(),
            (p.team, p.role, "orang.lain", &id),
            &keys,
            &proof
        ));
        assert!(
            !check_proof(&Secret::random().key(), expected, &keys, &proof),
            "only the invitation's key"
        );
    }
}
