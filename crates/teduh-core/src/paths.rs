//! Where a device keeps its files.

use std::path::{Path, PathBuf};

/// Environment variable that points the app and the CLI at another data directory.
pub const DATA_DIR_ENV: &str = "TEDUH_DATA_DIR";

/// Errors finding or creating the data directory.
#[derive(Debug, thiserror::Error)]
pub enum PathError {
    /// The platform has no notion of a per-user data directory (no home directory).
    #[error("no data directory could be determined for this user; set {DATA_DIR_ENV}")]
    NoPlatformDir,
    /// The directory could not be created.
    #[error("cannot create the data directory {path}: {source}")]
    Create {
        /// The directory that could not be created.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
}

/// A device's data directory: the local database, settings and logs live here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// Resolves the data directory: an explicit override wins, then `TEDUH_DATA_DIR`, then the
    /// platform's per-user local data directory (`~/.local/share/teduh` on Linux,
    /// `%LOCALAPPDATA%\Teduh\teduh\data` on Windows).
    ///
    /// Fails when no override is given and the platform has no home directory.
    pub fn resolve(explicit: Option<&Path>) -> Result<Self, PathError> {
        if let Some(p) = explicit {
            return Ok(Self::at(p));
        }
        if let Some(p) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
            return Ok(Self::at(PathBuf::from(p)));
        }
        let dirs = directories::ProjectDirs::from("id", "Teduh", "teduh")
            .ok_or(PathError::NoPlatformDir)?;
        // The local directory, not the roaming one: on a Windows domain a roaming profile is
        // copied to the organisation's servers, and client records must stay on the laptop.
        Ok(Self::at(dirs.data_local_dir()))
    }

    /// A data directory at a given path (not created until [`DataDir::ensure`]).
    pub fn at(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// Creates the directory (and its parents) if missing; on Unix it is made private (0700)
    /// because it holds encrypted client records.
    pub fn ensure(&self) -> Result<&Self, PathError> {
        std::fs::create_dir_all(&self.root).map_err(|source| PathError::Create {
            path: self.root.clone(),
            source,
        })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&self.root, std::fs::Permissions::from_mode(0o700));
        }
        Ok(self)
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The local SQLite database.
    pub fn database(&self) -> PathBuf {
        self.root.join("teduh.sqlite3")
    }

    /// The non-sensitive settings file.
    pub fn settings(&self) -> PathBuf {
        self.root.join("settings.json")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_override_wins_over_everything() {
        let d = DataDir::resolve(Some(Path::new("/tmp/teduh-explicit"))).expect("resolves");
        assert_eq!(d.root(), Path::new("/tmp/teduh-explicit"));
        assert_eq!(d.database(), Path::new("/tmp/teduh-explicit/teduh.sqlite3"));
    }

    #[test]
    fn ensure_creates_a_private_directory() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let d = DataDir::at(tmp.path().join("a/b"));
        d.ensure().expect("creates");
        assert!(d.root().is_dir());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(d.root())
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "other users must not read client records");
        }
    }
}
