//! Signed, versioned directory bundles.
//!
//! An admin publishes a [`Bundle`] (format, version, time, entries); the server signs it with the
//! organisation's directory key (Ed25519). A device accepts a [`SignedBundle`] only when the
//! signature verifies against the key it trusts and the version is newer than the one it has, so
//! a tampered or replayed older bundle never replaces good data.
//!
//! Format 1 grows only by fields that older readers may ignore and newer readers default: a
//! bundle without `synonyms` or `holidays` (published before they existed) gets the lists of the
//! seed compiled into the app, an entry without `other_provinces`, `situations` or
//! `closed_on_holidays` reads as one province, its category's situations and no holiday closing.
//! A change that an older reader would misread needs a new [`BUNDLE_FORMAT`].

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::holidays::Holiday;
use crate::model::Entry;
use crate::words::Synonym;

/// The bundle format this build reads and writes.
pub const BUNDLE_FORMAT: u32 = 1;

/// Domain separation: a signature over a bundle can never be mistaken for another signature.
const SIGNING_CONTEXT: &[u8] = b"teduh-directory-bundle-v1\0";

/// A directory version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bundle {
    /// [`BUNDLE_FORMAT`].
    pub format: u32,
    /// Monotonic version; devices only move forward.
    pub version: u64,
    /// When it was published.
    pub published_at: DateTime<Utc>,
    /// The entries.
    pub entries: Vec<Entry>,
    /// The words people type and what they find ([`crate::words`]); `None` in bundles published
    /// before the list existed: the seed's list is used then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synonyms: Option<Vec<Synonym>>,
    /// National holidays and cuti bersama ([`crate::holidays`]); `None`: the seed's list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holidays: Option<Vec<Holiday>>,
}

/// A bundle as it travels: its exact JSON text and a signature over it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedBundle {
    /// The bundle's JSON text, exactly as signed.
    pub payload: String,
    /// Ed25519 signature over the context and `payload`, lowercase hex.
    pub signature: String,
}

/// Why a bundle was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BundleError {
    /// The signature does not verify: the bundle was altered or signed by another key.
    #[error(
        "the directory bundle's signature is not valid (tampered or signed by an unknown key)"
    )]
    BadSignature,
    /// The payload is not a bundle.
    #[error("the directory bundle is malformed: {0}")]
    Malformed(String),
    /// Written by a newer Teduh.
    #[error(
        "the directory bundle has format {0}, which this app does not understand; update Teduh"
    )]
    UnsupportedFormat(u32),
    /// Not newer than what the device already has.
    #[error(
        "the directory bundle version {offered} is not newer than the current version {current}"
    )]
    NotNewer {
        /// Version offered.
        offered: u64,
        /// Version in use.
        current: u64,
    },
}

impl SignedBundle {
    /// The version its payload claims, unverified (to number the next one); `None` when the
    /// payload names none.
    pub fn claimed_version(&self) -> Option<u64> {
        let payload: serde_json::Value = serde_json::from_str(&self.payload).ok()?;
        payload.get("version")?.as_u64()
    }

    /// Signs a bundle. Fails only if the bundle cannot be serialised.
    pub fn sign(bundle: &Bundle, key: &SigningKey) -> Result<Self, BundleError> {
        let payload =
            serde_json::to_string(bundle).map_err(|e| BundleError::Malformed(e.to_string()))?;
        let mut message = SIGNING_CONTEXT.to_vec();
        message.extend_from_slice(payload.as_bytes());
        let signature = key.sign(&message);
        Ok(Self {
            payload,
            signature: hex(&signature.to_bytes()),
        })
    }

    /// Verifies the signature against `trusted` and parses the bundle.
    ///
    /// Fails with [`BundleError::BadSignature`] when anything was altered, with `Malformed` or
    /// `UnsupportedFormat` when the content is not a bundle this build can read.
    pub fn verify(&self, trusted: &VerifyingKey) -> Result<Bundle, BundleError> {
        let bytes = unhex(&self.signature).ok_or(BundleError::BadSignature)?;
        let sig_bytes: [u8; 64] = bytes.try_into().map_err(|_| BundleError::BadSignature)?;
        let signature = Signature::from_bytes(&sig_bytes);
        let mut message = SIGNING_CONTEXT.to_vec();
        message.extend_from_slice(self.payload.as_bytes());
        trusted
            .verify_strict(&message, &signature)
            .map_err(|_| BundleError::BadSignature)?;
        let bundle: Bundle = serde_json::from_str(&self.payload)
            .map_err(|e| BundleError::Malformed(e.to_string()))?;
        if bundle.format != BUNDLE_FORMAT {
            return Err(BundleError::UnsupportedFormat(bundle.format));
        }
        Ok(bundle)
    }

    /// Verifies and checks that the bundle is newer than `current` (the device's version).
    pub fn accept(
        &self,
        trusted: &VerifyingKey,
        current: Option<u64>,
    ) -> Result<Bundle, BundleError> {
        let bundle = self.verify(trusted)?;
        if let Some(current) = current {
            if bundle.version <= current {
                return Err(BundleError::NotNewer {
                    offered: bundle.version,
                    current,
                });
            }
        }
        Ok(bundle)
    }
}

/// Parses an organisation's directory key given as 64 hex digits.
///
/// Fails with [`BundleError::Malformed`] for anything that is not a valid Ed25519 public key.
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, BundleError> {
    let bytes =
        unhex(text.trim()).ok_or_else(|| BundleError::Malformed("the key is not hex".into()))?;
    let bytes: [u8; 32] = bytes
        .try_into()
        .map_err(|_| BundleError::Malformed("the key must be 32 bytes (64 hex digits)".into()))?;
    VerifyingKey::from_bytes(&bytes)
        .map_err(|_| BundleError::Malformed("not a valid Ed25519 public key".into()))
}

/// The key as 64 hex digits, as admins copy it into devices.
pub fn public_key_hex(key: &VerifyingKey) -> String {
    hex(key.as_bytes())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn bundle(version: u64) -> Bundle {
        Bundle {
            format: BUNDLE_FORMAT,
            version,
            published_at: DateTime::from_timestamp(1_790_000_000, 0).expect("valid"),
            entries: crate::seed::seed_bundle().entries,
            synonyms: None,
            holidays: None,
        }
    }

    #[test]
    fn a_bundle_written_before_the_new_fields_still_loads() {
        // Format 1 as published before synonyms, holidays, rota-only entries and several
        // provinces existed.
        let old = r#"{"format":1,"version":3,"published_at":"2026-01-01T00:00:00Z","entries":[
            {"id":"lama","name":"Layanan Lama","category":"social_welfare","services":"uji",
             "phones":[{"number":"100"}],"coverage":{"level":"province","area":"Riau","province":"Riau"},
             "zone":"WIB","hours":{"kind":"unknown"},"source":"sumber uji lama",
             "contact_status":"verified"}]}"#;
        let k = key(1);
        let signed = SignedBundle {
            payload: old.into(),
            signature: hex(&k
                .sign(&[SIGNING_CONTEXT, old.as_bytes()].concat())
                .to_bytes()),
        };
        let b = signed
            .verify(&k.verifying_key())
            .expect("an old bundle loads");
        assert_eq!(b.synonyms, None, "the app's own lists are used instead");
        let e = &b.entries[0];
        assert!(e.coverage.other_provinces.is_empty() && !e.closed_on_holidays);
        assert_eq!(
            e.situations(),
            &[] as &[crate::model::Situation],
            "social welfare is in no situation"
        );
    }

    #[test]
    fn a_correctly_signed_newer_bundle_is_accepted() {
        let k = key(1);
        let signed = SignedBundle::sign(&bundle(5), &k).expect("signs");
        let got = signed
            .accept(&k.verifying_key(), Some(4))
            .expect("accepted");
        assert_eq!(got.version, 5);
    }

    #[test]
    fn a_tampered_bundle_is_rejected() {
        let k = key(1);
        let mut signed = SignedBundle::sign(&bundle(5), &k).expect("signs");
        signed.payload = signed.payload.replacen("112", "113", 1);
        assert_eq!(
            signed.accept(&k.verifying_key(), None),
            Err(BundleError::BadSignature),
            "one changed number must invalidate the bundle"
        );
    }

    #[test]
    fn a_bundle_signed_by_another_key_is_rejected() {
        let signed = SignedBundle::sign(&bundle(5), &key(2)).expect("signs");
        assert_eq!(
            signed.accept(&key(1).verifying_key(), None),
            Err(BundleError::BadSignature)
        );
    }

    #[test]
    fn an_older_or_equal_bundle_is_rejected() {
        let k = key(1);
        let signed = SignedBundle::sign(&bundle(3), &k).expect("signs");
        assert_eq!(
            signed.accept(&k.verifying_key(), Some(3)),
            Err(BundleError::NotNewer {
                offered: 3,
                current: 3
            }),
            "a replayed bundle must not replace the current one"
        );
    }

    #[test]
    fn public_keys_round_trip_through_hex_and_garbage_is_refused() {
        let k = key(3).verifying_key();
        assert_eq!(parse_public_key(&public_key_hex(&k)), Ok(k));
        assert!(parse_public_key("abcd").is_err(), "too short");
        assert!(parse_public_key(&"zz".repeat(32)).is_err(), "not hex");
    }

    #[test]
    fn a_garbled_signature_is_a_signature_error_not_a_panic() {
        let k = key(1);
        let mut signed = SignedBundle::sign(&bundle(1), &k).expect("signs");
        signed.signature = "zz".into();
        assert_eq!(
            signed.verify(&k.verifying_key()),
            Err(BundleError::BadSignature)
        );
    }
}
