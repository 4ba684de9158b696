//! The directory refresh policy: what a device does with the server's answer to "is there a
//! newer directory?". Shells fetch (they own the HTTP client and the settings file) and store the
//! ETag this returns; the rules (verify, apply only newer, stop asking about an old bundle) are
//! here, testable without a network.

use ed25519_dalek::VerifyingKey;

use crate::bundle::{BundleError, SignedBundle};
use crate::index::{DirectoryIndex, IndexError};

/// What the server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// The device's copy is current (HTTP 304).
    NotModified,
    /// The organisation has not published a directory yet.
    NotPublished,
    /// A bundle (unverified bytes) and its ETag.
    Bundle {
        /// The signed bundle file as served.
        body: Vec<u8>,
        /// The ETag to send next time.
        etag: Option<String>,
    },
}

/// What the refresh did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refreshed {
    /// Nothing published yet; `version` is the one in use.
    NotPublished {
        /// Version in use.
        version: Option<u64>,
    },
    /// The device already has the newest bundle.
    Current {
        /// Version in use.
        version: Option<u64>,
    },
    /// A newer bundle was verified and applied.
    Updated {
        /// The new version.
        version: u64,
    },
}

/// The outcome, and the ETag the shell should store for its next request (`None`: keep the
/// stored one). With [`Refresh::give_back`], the shell uploads that bundle first and stores the
/// ETag only once the upload succeeded (else the next refresh tries again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refresh {
    /// What happened.
    pub refreshed: Refreshed,
    /// The ETag to remember.
    pub remember_etag: Option<Option<String>>,
    /// The signed bundle this device holds, to give back to the server: it serves an older one
    /// or none, so it was restored from a backup that lost the newest (`None`: nothing to do).
    pub give_back: Option<Vec<u8>>,
}

/// Applies what the server answered to `index`: a bundle is applied only when `key` signed it
/// and it is newer than the one in use. A bundle that is the same or older is not an error: its
/// ETag is remembered so the device stops fetching it.
///
/// Fails with [`IndexError::Bundle`] for a bundle that is malformed, badly signed or of an
/// unknown format (the directory in use stays as it is), and on storage errors.
pub fn apply_fetched(
    index: &mut DirectoryIndex,
    key: &VerifyingKey,
    fetched: Fetched,
) -> Result<Refresh, IndexError> {
    let version = index.version()?;
    // What this device holds as the organisation signed it (never the built-in seed).
    let held = index.signed_bundle()?;
    let (body, etag) = match fetched {
        Fetched::NotModified => {
            return Ok(Refresh {
                refreshed: Refreshed::Current { version },
                remember_etag: None,
                give_back: None,
            })
        }
        Fetched::NotPublished => {
            return Ok(Refresh {
                refreshed: Refreshed::NotPublished { version },
                remember_etag: None,
                give_back: held.map(|(_, bytes)| bytes),
            })
        }
        Fetched::Bundle { body, etag } => (body, etag),
    };
    let signed: SignedBundle = serde_json::from_slice(&body).map_err(|e| {
        IndexError::Bundle(BundleError::Malformed(format!("not a signed bundle: {e}")))
    })?;
    match index.apply_signed(&signed, key) {
        Ok(v) => Ok(Refresh {
            refreshed: Refreshed::Updated { version: v },
            remember_etag: Some(etag),
            give_back: None,
        }),
        Err(IndexError::Bundle(BundleError::NotNewer { offered, .. })) => Ok(Refresh {
            refreshed: Refreshed::Current { version },
            remember_etag: Some(etag),
            // Older than the signed bundle held here: the server lost the newest.
            give_back: held.filter(|(v, _)| offered < *v).map(|(_, bytes)| bytes),
        }),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;

    fn served(version: u64, key: &SigningKey, etag: &str) -> Fetched {
        let mut bundle = crate::seed::seed_bundle();
        bundle.version = version;
        let signed = SignedBundle::sign(&bundle, key).expect("signs");
        Fetched::Bundle {
            body: serde_json::to_vec(&signed).expect("serialises"),
            etag: Some(etag.into()),
        }
    }

    #[test]
    fn a_newer_signed_bundle_is_applied_and_an_old_one_only_remembered() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let mut idx = DirectoryIndex::open_in_memory().expect("opens");
        let before = idx.version().expect("version");

        let r =
            apply_fetched(&mut idx, &key.verifying_key(), served(5, &key, "v5")).expect("applies");
        assert_eq!(r.refreshed, Refreshed::Updated { version: 5 });
        assert_eq!(r.remember_etag, Some(Some("v5".into())));

        let again = apply_fetched(&mut idx, &key.verifying_key(), served(4, &key, "v4"))
            .expect("an older bundle is not an error");
        assert_eq!(
            again.refreshed,
            Refreshed::Current { version: Some(5) },
            "the device never moves back (was {before:?})"
        );
        assert_eq!(
            again.remember_etag,
            Some(Some("v4".into())),
            "so it stops fetching it"
        );

        let same =
            apply_fetched(&mut idx, &key.verifying_key(), Fetched::NotModified).expect("current");
        assert_eq!(same.refreshed, Refreshed::Current { version: Some(5) });
        assert_eq!(same.remember_etag, None);
    }

    #[test]
    fn a_server_serving_an_older_bundle_or_none_gets_the_newest_signed_one_back() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let mut idx = DirectoryIndex::open_in_memory().expect("opens");
        // The built-in seed is never given back: the organisation did not sign it.
        let seed_only = apply_fetched(&mut idx, &key.verifying_key(), Fetched::NotPublished)
            .expect("nothing published");
        assert_eq!(seed_only.give_back, None);

        apply_fetched(&mut idx, &key.verifying_key(), served(5, &key, "v5")).expect("applies");
        let held = idx.signed_bundle().expect("read").expect("kept");
        assert_eq!(held.0, 5);
        // The server was restored from a backup: it serves version 4, or nothing at all.
        let older = apply_fetched(&mut idx, &key.verifying_key(), served(4, &key, "v4"))
            .expect("an older bundle is not an error");
        assert_eq!(older.give_back.as_deref(), Some(held.1.as_slice()));
        let none = apply_fetched(&mut idx, &key.verifying_key(), Fetched::NotPublished)
            .expect("not published");
        assert_eq!(none.give_back.as_deref(), Some(held.1.as_slice()));
        // What is given back is the organisation's signed bundle, byte for byte usable.
        let back: SignedBundle = serde_json::from_slice(&held.1).expect("a signed bundle");
        assert_eq!(
            back.accept(&key.verifying_key(), None)
                .expect("verifies")
                .version,
            5
        );
        // The same version as held: nothing to give back.
        let same =
            apply_fetched(&mut idx, &key.verifying_key(), served(5, &key, "v5")).expect("current");
        assert_eq!(same.give_back, None);
    }

    #[test]
    fn a_bundle_signed_by_another_key_or_garbled_is_refused_and_changes_nothing() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let stranger = SigningKey::from_bytes(&[8; 32]);
        let mut idx = DirectoryIndex::open_in_memory().expect("opens");
        let before = idx.version().expect("version");
        assert!(matches!(
            apply_fetched(&mut idx, &key.verifying_key(), served(9, &stranger, "x")),
            Err(IndexError::Bundle(BundleError::BadSignature))
        ));
        let garbled = Fetched::Bundle {
            body: b"<html>captive portal</html>".to_vec(),
            etag: None,
        };
        assert!(matches!(
            apply_fetched(&mut idx, &key.verifying_key(), garbled),
            Err(IndexError::Bundle(BundleError::Malformed(_)))
        ));
        assert_eq!(
            idx.version().expect("version"),
            before,
            "the directory in use stays"
        );
    }
}
