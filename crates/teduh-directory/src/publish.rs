//! The admin side of publishing: read an edited directory file, keep the organisation's signing
//! key, and sign the next version. The server's `teduh-server admin directory ...` commands are
//! thin wrappers over these functions.

use std::io::Write as _;
use std::path::Path;

use chrono::{DateTime, Utc};
use ed25519_dalek::SigningKey;
use rand_core::OsRng;

use crate::bundle::{Bundle, SignedBundle, BUNDLE_FORMAT};
use crate::holidays::Holiday;
use crate::io::{import_csv, import_json, ImportError};
use crate::model::Entry;
use crate::words::Synonym;

/// Errors of the publishing tools.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The file has problems (each with its line).
    #[error(transparent)]
    Invalid(#[from] ImportError),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The key file is not a directory signing key.
    #[error("{0} is not a directory signing key (expected 32 bytes)")]
    BadKey(String),
    /// The file's extension says neither CSV nor JSON.
    #[error("{0}: use a .csv or .json file")]
    UnknownFormat(String),
    /// Signing failed (the bundle could not be serialised).
    #[error(transparent)]
    Bundle(#[from] crate::bundle::BundleError),
    /// A holiday or synonym list is not valid.
    #[error("{path}: {reason}")]
    List {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

/// A JSON array from `path`, with the file named in the error.
fn read_list<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>, PublishError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    serde_json::from_str(&text).map_err(|e| PublishError::List {
        path: path.display().to_string(),
        reason: format!("not a valid list: {e}"),
    })
}

/// A holiday list (`date`, `name`, `kind`: `national` or `cuti_bersama`, `source`) from a
/// JSON file: every date names the decree or publication that sets it.
///
/// Fails when the file cannot be read or parsed, or a date names no source.
pub fn read_holidays(path: &Path) -> Result<Vec<Holiday>, PublishError> {
    let list: Vec<Holiday> = read_list(path)?;
    if let Some(h) = list.iter().find(|h| h.source.trim().is_empty()) {
        return Err(PublishError::List {
            path: path.display().to_string(),
            reason: format!(
                "the holiday on {} ({}) names no source; every date needs the decree that sets it",
                h.date, h.name
            ),
        });
    }
    Ok(list)
}

/// A synonym list (`words`, `finds`) from a JSON file.
///
/// Fails when the file cannot be read or parsed.
pub fn read_synonyms(path: &Path) -> Result<Vec<Synonym>, PublishError> {
    read_list(path)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PublishError + '_ {
    move |source| PublishError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Reads and validates a directory file (`.csv` or `.json`).
///
/// Fails with every problem and its line number; nothing is returned partially.
pub fn read_entries(path: &Path) -> Result<Vec<Entry>, PublishError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => Ok(import_csv(&text)?),
        Some("json") => Ok(import_json(&text)?),
        _ => Err(PublishError::UnknownFormat(path.display().to_string())),
    }
}

/// Loads the organisation's directory signing key, creating it (owner-only permissions) on first
/// use. Returns the key and whether it was just created.
pub fn load_or_create_key(path: &Path) -> Result<(SigningKey, bool), PublishError> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let bytes: [u8; 32] = bytes
                .try_into()
                .map_err(|_| PublishError::BadKey(path.display().to_string()))?;
            Ok((SigningKey::from_bytes(&bytes), false))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = SigningKey::generate(&mut OsRng);
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut f = options.open(path).map_err(io(path))?;
            f.write_all(&key.to_bytes()).map_err(io(path))?;
            f.sync_all().map_err(io(path))?;
            Ok((key, true))
        }
        Err(e) => Err(io(path)(e)),
    }
}

/// Signs `entries` as version `previous + 1` (or 2 when nothing was published: version 1 is the
/// seed shipped with the app), with the synonym and holiday lists of the seed compiled into this
/// build, so every published bundle carries them.
pub fn sign_next(
    entries: Vec<Entry>,
    key: &SigningKey,
    previous: Option<u64>,
    now: DateTime<Utc>,
) -> Result<SignedBundle, PublishError> {
    let seed = crate::seed::seed_bundle();
    sign_next_with(entries, seed.synonyms, seed.holidays, key, previous, now)
}

/// [`sign_next`] with the admin's own synonym and holiday lists (`None`: devices use the lists of
/// their app's seed).
pub fn sign_next_with(
    entries: Vec<Entry>,
    synonyms: Option<Vec<Synonym>>,
    holidays: Option<Vec<Holiday>>,
    key: &SigningKey,
    previous: Option<u64>,
    now: DateTime<Utc>,
) -> Result<SignedBundle, PublishError> {
    let bundle = Bundle {
        format: BUNDLE_FORMAT,
        version: previous.map_or(2, |v| v.max(1) + 1),
        published_at: now,
        entries,
        synonyms,
        holidays,
    };
    Ok(SignedBundle::sign(&bundle, key)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_created_once_privately_and_then_reused() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("directory.key");
        let (a, created) = load_or_create_key(&path).expect("creates");
        assert!(created);
        let (b, created) = load_or_create_key(&path).expect("loads");
        assert!(!created);
        assert_eq!(
            a.to_bytes(),
            b.to_bytes(),
            "the same key signs every version"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o077, 0, "nobody else may read the signing key");
        }
    }

    #[test]
    fn a_signed_next_version_verifies_and_moves_forward() {
        let key = SigningKey::from_bytes(&[9; 32]);
        let entries = crate::seed::seed_bundle().entries;
        let first = sign_next(entries.clone(), &key, None, Utc::now()).expect("signs");
        let b = first.verify(&key.verifying_key()).expect("verifies");
        assert_eq!(
            b.version, 2,
            "the first published version replaces the seed (version 1)"
        );
        let next = sign_next(entries, &key, Some(b.version), Utc::now()).expect("signs");
        assert_eq!(
            next.verify(&key.verifying_key()).expect("verifies").version,
            3
        );
    }

    #[test]
    fn an_invalid_file_reports_its_lines_and_publishes_nothing() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("d.csv");
        std::fs::write(&path, "id,name\nx,y\n").expect("write");
        let err = read_entries(&path).expect_err("columns missing");
        assert!(err.to_string().contains("line 1"), "{err}");
    }
}
