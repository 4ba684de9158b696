//! Non-sensitive device preferences, kept in `settings.json` in the data directory.
//!
//! Nothing here is personal data: the language, the sync server's URL and the auto-lock delay.
//! Writes are atomic (temporary file, fsync, rename) so a crash never leaves half a file.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// UI language. Bahasa Indonesia is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Language {
    /// Bahasa Indonesia.
    #[default]
    #[serde(rename = "id")]
    Indonesian,
    /// English.
    #[serde(rename = "en")]
    English,
}

impl Language {
    /// Parses the short code used by the UI and the CLI (`"id"` or `"en"`).
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "id" => Some(Self::Indonesian),
            "en" => Some(Self::English),
            _ => None,
        }
    }

    /// The short code (`"id"` or `"en"`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Indonesian => "id",
            Self::English => "en",
        }
    }
}

/// Device preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// UI language.
    pub language: Language,
    /// Sync server base URL, if this device has joined an organisation.
    pub server_url: Option<String>,
    /// Minutes of inactivity after which the vault locks itself.
    pub auto_lock_minutes: u32,
    /// The organisation's directory signing key (Ed25519 public key, hex): only bundles signed
    /// by it replace the directory on this device.
    pub directory_key: Option<String>,
    /// ETag of the directory bundle in use, for conditional requests.
    pub directory_etag: Option<String>,
    /// The folder reports and prints are saved in (`None`: `exports` in the data directory).
    pub export_dir: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            language: Language::Indonesian,
            server_url: None,
            auto_lock_minutes: 5,
            directory_key: None,
            directory_etag: None,
            export_dir: None,
        }
    }
}

/// Errors reading or writing the settings file.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// Reading or writing failed (permissions, full disk...).
    #[error("cannot access the settings file {path}: {source}")]
    Io {
        /// The settings file.
        path: String,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The file exists but is not valid settings JSON.
    #[error("the settings file {path} is damaged: {source}")]
    Corrupt {
        /// The settings file.
        path: String,
        /// The JSON error.
        source: serde_json::Error,
    },
}

impl Settings {
    /// Loads settings, or the defaults when the file does not exist yet.
    ///
    /// Fails when the file exists but cannot be read or parsed; it is then left untouched.
    pub fn load(path: &Path) -> Result<Self, SettingsError> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| SettingsError::Corrupt {
                path: path.display().to_string(),
                source,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(SettingsError::Io {
                path: path.display().to_string(),
                source,
            }),
        }
    }

    /// Saves atomically: the old file stays intact if anything fails (e.g. a full disk).
    pub fn save(&self, path: &Path) -> Result<(), SettingsError> {
        let io = |source| SettingsError::Io {
            path: path.display().to_string(),
            source,
        };
        let json = serde_json::to_vec_pretty(self).map_err(|source| SettingsError::Corrupt {
            path: path.display().to_string(),
            source,
        })?;
        let tmp = path.with_extension("json.tmp");
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(&json).map_err(io)?;
        f.sync_all().map_err(io)?;
        drop(f);
        std::fs::rename(&tmp, path).map_err(io)?;
        if let Some(dir) = path.parent() {
            // Make the rename itself durable.
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_gives_indonesian_defaults() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let s = Settings::load(&tmp.path().join("settings.json")).expect("loads");
        assert_eq!(
            s.language,
            Language::Indonesian,
            "Bahasa Indonesia is the default"
        );
    }

    #[test]
    fn saved_language_survives_a_reload() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("settings.json");
        let s = Settings {
            language: Language::English,
            ..Settings::default()
        };
        s.save(&path).expect("saves");
        assert_eq!(
            Settings::load(&path).expect("loads").language,
            Language::English
        );
    }

    #[test]
    fn damaged_file_is_reported_and_left_untouched() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("settings.json");
        std::fs::write(&path, b"{not json").expect("write");
        let err = Settings::load(&path).expect_err("must not silently reset preferences");
        assert!(matches!(err, SettingsError::Corrupt { .. }), "{err}");
        assert_eq!(std::fs::read(&path).expect("read"), b"{not json");
    }
}
