//! Saving a rendered file whole: written beside its target under a temporary name, flushed to
//! disk, then renamed over it, so a full disk or a crash leaves the earlier file (if any) whole
//! rather than half a report.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use teduh_core::error::Code;

/// Why a file could not be saved.
#[derive(Debug, thiserror::Error)]
#[error("cannot save {path}: {source}")]
pub struct SaveError {
    /// The file that was to be written.
    pub path: PathBuf,
    /// What the system said.
    pub source: std::io::Error,
}

impl SaveError {
    /// `DiskFull` when the disk is full, else `ExportFailed`.
    pub fn code(&self) -> Code {
        // ENOSPC (Linux, macOS) and ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL (Windows).
        match self.source.raw_os_error() {
            Some(28) if cfg!(unix) => Code::DiskFull,
            Some(39 | 112) if cfg!(windows) => Code::DiskFull,
            _ => Code::ExportFailed,
        }
    }
}

/// Writes `bytes` to `dir/name` whole, creating `dir` if needed, and returns the path.
///
/// Fails with [`SaveError`] (folder not creatable or writable, disk full); the earlier file of
/// that name, if any, is then left as it was and no temporary file stays behind.
pub fn save_whole(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, SaveError> {
    let path = dir.join(name);
    let fail = |source| SaveError {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let tmp = dir.join(format!(".{name}.part"));
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(e));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_file_replaces_the_earlier_one_whole_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("dir");
        let folder = dir.path().join("ekspor");
        save_whole(&folder, "laporan.csv", b"lama").expect("first");
        let path = save_whole(&folder, "laporan.csv", b"baru").expect("second");
        assert_eq!(std::fs::read(&path).expect("read"), b"baru");
        let names: Vec<_> = std::fs::read_dir(&folder)
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("laporan.csv")]);
    }

    #[test]
    fn a_folder_that_is_a_file_is_refused_clearly() {
        let dir = tempfile::tempdir().expect("dir");
        let not_a_folder = dir.path().join("catatan.txt");
        std::fs::write(&not_a_folder, b"x").expect("a file");
        let e = save_whole(&not_a_folder, "laporan.pdf", b"baru").expect_err("refused");
        assert_eq!(e.code(), Code::ExportFailed);
        assert!(
            e.to_string().contains("laporan.pdf"),
            "the message names the file: {e}"
        );
    }

    #[test]
    fn a_write_that_fails_leaves_what_was_there_and_no_temporary_file() {
        let dir = tempfile::tempdir().expect("dir");
        // A folder where the file should go: the rename fails, for root too.
        std::fs::create_dir(dir.path().join("laporan.pdf")).expect("in the way");
        save_whole(dir.path(), "laporan.pdf", b"baru").expect_err("refused");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(
            names,
            vec![std::ffi::OsString::from("laporan.pdf")],
            "no .part left"
        );
        assert!(
            dir.path().join("laporan.pdf").is_dir(),
            "what was there stays"
        );
    }
}
