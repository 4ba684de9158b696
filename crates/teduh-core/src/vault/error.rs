//! What can go wrong in the vault ([`VaultError`]) and how storage failures become one of its
//! cases. Separate so that every room of the vault (and the sync engine) names one error type
//! without depending on the vault's life cycle.

use rusqlite::ErrorCode;

use crate::error::Code;
use crate::ids::{ClientId, NoteId};
use crate::records::RecordError;
use crate::store::StoreError;

/// Errors of vault operations. The UI branches on the variant.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The passphrase does not open this vault. Nothing was changed.
    #[error("wrong passphrase")]
    WrongPassphrase,
    /// The vault is locked (or locked itself after the idle timeout): unlock first.
    #[error("the vault is locked; unlock it with your passphrase")]
    Locked,
    /// No vault exists in this database yet: run first-time setup (`teduh init`).
    #[error("no vault has been set up on this computer yet; run first-time setup")]
    NotInitialised,
    /// A vault already exists; creating another would lose access to it.
    #[error("a vault already exists here; it was not touched")]
    AlreadyInitialised,
    /// A ciphertext failed authentication: the named record was altered or damaged.
    #[error("integrity error in {record}: the data was altered or damaged and cannot be read")]
    Integrity {
        /// Which record and field (kind, entity id, field, log position).
        record: String,
    },
    /// The log itself is inconsistent (bad signature, malformed record, tables disagree).
    #[error("record log problem: {0}")]
    Log(String),
    /// No such client, note, case...
    #[error("no {what} with id or code {id}")]
    NotFound {
        /// What was looked for.
        what: &'static str,
        /// The id or code given.
        id: String,
    },
    /// A finalised note cannot be edited; add an addendum instead.
    #[error("note {0} is finalised; it cannot be changed, add an addendum instead")]
    NoteFinalised(NoteId),
    /// Only the note's author may edit or finalise it.
    #[error("note {0} was written by another member; it can be read and reviewed, not edited")]
    NotAuthor(NoteId),
    /// Addenda are for finalised notes; a draft is simply edited.
    #[error("note {0} is still a draft; edit it instead of adding an addendum")]
    NoteIsDraft(NoteId),
    /// Another client already has this code.
    #[error("another client already has the code {0}")]
    DuplicateCode(String),
    /// Input that cannot be stored (empty code, invalid screening...).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The member's role does not allow this (e.g. a counselor approving a note).
    #[error("not permitted: {0}")]
    NotPermitted(String),
    /// The client's consent does not cover this (and no lawful basis was given).
    #[error("no consent: {0}")]
    NoConsent(String),
    /// The client withdrew her consent to this purpose and no other lawful basis is recorded.
    #[error("consent withdrawn: {0}")]
    ConsentWithdrawn(String),
    /// The client's data is restricted: it is kept and read, not changed, until the restriction
    /// is lifted.
    #[error("the client's data is restricted (UU PDP Ps 41): it can be read but not changed until the restriction is lifted")]
    Restricted(ClientId),
    /// The note's client has an open risk episode and the note's risk is not assessed.
    #[error(
        "the client has an open risk episode: assess the risk in note {0} before finalising it"
    )]
    RiskNotAssessed(NoteId),
    /// A new passphrase shorter than [`MIN_PASSPHRASE_CHARS`](crate::passphrase::MIN_PASSPHRASE_CHARS): nothing was created or changed.
    #[error("a passphrase needs at least {min} characters (a few words are easiest to remember)")]
    PassphraseTooShort {
        /// The minimum, in characters.
        min: usize,
    },
    /// A new passphrase that [`crate::passphrase::rate`] finds weak: nothing was created or
    /// changed.
    #[error(
        "this passphrase is easy to guess (a common word, name or year); use a few unrelated words"
    )]
    PassphraseTooWeak,
    /// This device has not joined a team.
    #[error("this device has not joined a team")]
    NotJoined,
    /// This device has already joined a team.
    #[error("this device has already joined a team")]
    AlreadyJoined,
    /// The safety number typed is not the newcomer's: she stays pending.
    #[error(
        "the safety number does not match; {left} more tries before this admission is blocked"
    )]
    SafetyNumberMismatch {
        /// Wrong entries left before the admission is blocked.
        left: u32,
    },
    /// Three wrong safety numbers blocked this admission; a security alarm was raised.
    #[error(
        "this admission is blocked after three wrong safety numbers (a security alarm was raised)"
    )]
    AdmissionBlocked,
    /// The disk is full: the change was not saved, earlier data is intact.
    #[error("the disk is full: the change was not saved (earlier data is intact); free some space and try again")]
    DiskFull,
    /// The database could not be opened (foreign, damaged or newer file).
    #[error(transparent)]
    Store(StoreError),
    /// Any other SQLite failure.
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
}

impl VaultError {
    /// The code a caller branches on.
    pub fn code(&self) -> Code {
        match self {
            VaultError::WrongPassphrase => Code::WrongPassphrase,
            VaultError::Locked => Code::Locked,
            VaultError::NotInitialised => Code::NotInitialised,
            VaultError::AlreadyInitialised => Code::AlreadyInitialised,
            VaultError::Integrity { .. } => Code::IntegrityError,
            VaultError::Log(_) => Code::LogError,
            VaultError::NotFound { .. } => Code::NotFound,
            VaultError::NoteFinalised(_) => Code::NoteFinalised,
            VaultError::NotAuthor(_) => Code::NotAuthor,
            VaultError::NoteIsDraft(_) => Code::NoteIsDraft,
            VaultError::DuplicateCode(_) => Code::DuplicateCode,
            VaultError::InvalidInput(_) => Code::InvalidInput,
            VaultError::NotPermitted(_) => Code::NotPermitted,
            VaultError::NoConsent(_) => Code::NoConsent,
            VaultError::ConsentWithdrawn(_) => Code::ConsentWithdrawn,
            VaultError::Restricted(_) => Code::ClientRestricted,
            VaultError::RiskNotAssessed(_) => Code::RiskNotAssessed,
            VaultError::PassphraseTooShort { .. } => Code::PassphraseTooShort,
            VaultError::PassphraseTooWeak => Code::PassphraseTooWeak,
            VaultError::NotJoined => Code::NotJoined,
            VaultError::AlreadyJoined => Code::AlreadyJoined,
            VaultError::SafetyNumberMismatch { .. } => Code::SafetyNumberMismatch,
            VaultError::AdmissionBlocked => Code::AdmissionBlocked,
            VaultError::DiskFull => Code::DiskFull,
            VaultError::Store(e) => e.code(),
            VaultError::Sqlite(_) => Code::StorageFailed,
        }
    }
}

fn is_disk_full(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(ErrorCode::DiskFull)
}

impl From<rusqlite::Error> for VaultError {
    fn from(e: rusqlite::Error) -> Self {
        if is_disk_full(&e) {
            Self::DiskFull
        } else {
            Self::Sqlite(e)
        }
    }
}

impl From<StoreError> for VaultError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Sqlite(e) => e.into(),
            other => Self::Store(other),
        }
    }
}

impl From<RecordError> for VaultError {
    fn from(e: RecordError) -> Self {
        match e {
            RecordError::Sqlite(e) => e.into(),
            other => Self::Log(other.to_string()),
        }
    }
}
