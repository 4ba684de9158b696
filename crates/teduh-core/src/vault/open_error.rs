//! Why a record cannot be opened here (yet): a leaf the key, reader and receive modules share.

use super::error::VaultError;

/// Why a record cannot be opened here (yet).
#[derive(Debug)]
pub(crate) enum OpenError {
    /// The team key of the record's epoch is missing: hold the record until it arrives.
    MissingKey(String),
    /// No key of the record's client that this device holds opens it, and the client has a
    /// key this device lacks: store it unopened (this device is not, or not yet, or no longer
    /// one of the client's readers); it opens when a key arrives.
    NoClientKey(String),
    /// The record is damaged or forged.
    Vault(VaultError),
}

/// Where a record must open (local writes, rebuilds, re-sealing our own outbox), a missing key
/// is a broken log rather than a reason to wait.
impl From<OpenError> for VaultError {
    fn from(e: OpenError) -> Self {
        match e {
            OpenError::MissingKey(why) | OpenError::NoClientKey(why) => VaultError::Log(why),
            OpenError::Vault(e) => e,
        }
    }
}

impl From<VaultError> for OpenError {
    fn from(e: VaultError) -> Self {
        OpenError::Vault(e)
    }
}

impl From<rusqlite::Error> for OpenError {
    fn from(e: rusqlite::Error) -> Self {
        OpenError::Vault(e.into())
    }
}
