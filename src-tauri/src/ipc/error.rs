//! The one error shape of every command ([`IpcError`]) and how the core's, the directory's
//! and the operating system's errors map onto its codes.

use serde::Serialize;
use teduh_core::error::Code;
use ts_rs::TS;

/// The one error shape of every command: the UI branches on `code` and shows its own translated
/// text for it; `message` is English detail for logs and support.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[ts(export)]
#[error("{code}: {message}")]
pub struct IpcError {
    /// What went wrong, as the UI branches on it.
    pub code: Code,
    /// English detail.
    pub message: String,
}

impl IpcError {
    /// An error with a code and a message.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// A bug on our side (e.g. a poisoned lock).
    pub fn internal() -> Self {
        Self::new(Code::Internal, "internal error; please restart Teduh")
    }
}

impl From<teduh_core::paths::PathError> for IpcError {
    fn from(e: teduh_core::paths::PathError) -> Self {
        Self::new(Code::DataDirUnavailable, e.to_string())
    }
}

impl From<teduh_core::store::StoreError> for IpcError {
    fn from(e: teduh_core::store::StoreError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<teduh_core::settings::SettingsError> for IpcError {
    fn from(e: teduh_core::settings::SettingsError) -> Self {
        Self::new(Code::SettingsFailed, e.to_string())
    }
}

impl From<teduh_directory::index::IndexError> for IpcError {
    fn from(e: teduh_directory::index::IndexError) -> Self {
        use teduh_directory::index::IndexError as E;
        let code = match &e {
            E::Foreign(_) | E::TooNew { .. } => Code::DirectoryForeign,
            E::Bundle(_) => Code::DirectoryBundleRefused,
            E::Sqlite(_) | E::Corrupt(_) => Code::DirectoryFailed,
        };
        Self::new(code, e.to_string())
    }
}

impl From<teduh_report::save::SaveError> for IpcError {
    fn from(e: teduh_report::save::SaveError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<teduh_report::monthly::ReportError> for IpcError {
    fn from(e: teduh_report::monthly::ReportError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<teduh_core::vault::VaultError> for IpcError {
    fn from(e: teduh_core::vault::VaultError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<teduh_core::sync::SyncError> for IpcError {
    fn from(e: teduh_core::sync::SyncError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}
