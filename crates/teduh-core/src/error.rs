//! [`Code`]: the one machine-readable name of every failure a caller branches on, from the core
//! to the screen.
//!
//! Every error type of the core says its code ([`VaultError::code`](crate::vault::VaultError),
//! [`SyncError::code`](crate::sync::SyncError), ...); the desktop sends `{ code, message }` over
//! IPC and the UI picks its sentence from its catalogue by code (the only place for user-facing
//! sentences); the CLI prints the code beside the English detail. One error, one code: a variant
//! exists only because some caller treats it differently from the others.

use serde::{Deserialize, Serialize};

/// A failure a caller can branch on. Serialised as its name, e.g. `"WrongPassphrase"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Code {
    // --- the vault
    /// The passphrase does not open this vault.
    WrongPassphrase,
    /// The vault is locked: unlock first.
    Locked,
    /// No vault has been set up on this computer.
    NotInitialised,
    /// A vault already exists here.
    AlreadyInitialised,
    /// A stored ciphertext failed authentication (altered or damaged).
    IntegrityError,
    /// The record log is inconsistent (bad signature, malformed record).
    LogError,
    /// No such client, note, case, task...
    NotFound,
    /// The note is finalised: only addenda.
    NoteFinalised,
    /// The note is still a draft (no addendum, no review yet).
    NoteIsDraft,
    /// Another member wrote this note.
    NotAuthor,
    /// Another client already has this code.
    DuplicateCode,
    /// The input cannot be stored as given (empty, out of range, malformed).
    InvalidInput,
    /// The input is fine, but this member's role does not allow the action.
    NotPermitted,
    /// The client's consent does not cover the action (and no lawful basis was given).
    NoConsent,
    /// The client withdrew her consent to this processing (supervision review, referral,
    /// statistics) and no other lawful basis is recorded for it (UU PDP Ps 40).
    ConsentWithdrawn,
    /// The client's data is restricted (UU PDP Ps 41): kept and readable, not changed.
    ClientRestricted,
    /// A note of a client with an open risk episode is finalised with its risk not assessed.
    RiskNotAssessed,
    /// A new passphrase is too short.
    PassphraseTooShort,
    /// A new passphrase is long enough but easy to guess (a common word with a year...).
    PassphraseTooWeak,
    /// The disk is full: nothing was saved, earlier data is intact.
    DiskFull,
    /// The database file is not Teduh's (or is damaged).
    DatabaseForeign,
    /// The database was written by a newer Teduh.
    DatabaseTooNew,
    /// Any other local storage failure.
    StorageFailed,
    /// The data directory cannot be found or created.
    DataDirUnavailable,
    /// The settings file cannot be read or written.
    SettingsFailed,

    // --- sync and the server
    /// The server does not answer.
    ServerUnreachable,
    /// The invitation code is unknown, used or expired.
    InvalidInvitation,
    /// This device was revoked from its team.
    DeviceRevoked,
    /// The server revoked this device because a sync token of it was presented twice: the
    /// tokens were copied.
    TokenCopied,
    /// The server does not know this device (restored from an older backup, or another server).
    DeviceUnknown,
    /// This device's session with the server expired.
    SessionExpired,
    /// This device has not joined a team.
    NotJoined,
    /// This device has already joined a team.
    AlreadyJoined,
    /// The username is taken at the server.
    UsernameTaken,
    /// The server refused a request for another reason.
    ServerRefused,
    /// The server's answer breaks the protocol.
    ServerProtocol,
    /// The server at a new address is not this team's server.
    ServerMismatch,
    /// The server address is not a usable URL.
    InvalidServerUrl,
    /// The safety number typed does not match the newcomer's: she is not admitted.
    SafetyNumberMismatch,
    /// Three wrong safety numbers blocked this admission (a security alarm was raised).
    AdmissionBlocked,
    /// Changing a trust anchor (the directory key, a joined vault's server) needs the person to
    /// confirm it first: nothing changed.
    ConfirmationNeeded,

    // --- the directory and the operating system
    /// The directory key is not 64 hex digits.
    InvalidDirectoryKey,
    /// The directory database is not Teduh's.
    DirectoryForeign,
    /// A directory bundle was refused (bad signature or older version).
    DirectoryBundleRefused,
    /// The directory cannot be read.
    DirectoryFailed,
    /// The operating system could not open a link.
    OpenFailed,
    /// A report or print could not be saved in the export folder (missing, not writable).
    ExportFailed,

    // --- shells
    /// A bug on our side (e.g. a poisoned lock): restart the app.
    Internal,
    /// The UI could not reach the core at all (raised by the UI itself, never by Rust).
    IpcUnavailable,
}

impl Code {
    /// Every code, in declaration order (the UI's catalogue test and the CLI use it).
    pub const ALL: &'static [Code] = &[
        Code::WrongPassphrase,
        Code::Locked,
        Code::NotInitialised,
        Code::AlreadyInitialised,
        Code::IntegrityError,
        Code::LogError,
        Code::NotFound,
        Code::NoteFinalised,
        Code::NoteIsDraft,
        Code::NotAuthor,
        Code::DuplicateCode,
        Code::InvalidInput,
        Code::NotPermitted,
        Code::NoConsent,
        Code::ConsentWithdrawn,
        Code::ClientRestricted,
        Code::RiskNotAssessed,
        Code::PassphraseTooShort,
        Code::PassphraseTooWeak,
        Code::DiskFull,
        Code::DatabaseForeign,
        Code::DatabaseTooNew,
        Code::StorageFailed,
        Code::DataDirUnavailable,
        Code::SettingsFailed,
        Code::ServerUnreachable,
        Code::InvalidInvitation,
        Code::DeviceRevoked,
        Code::TokenCopied,
        Code::DeviceUnknown,
        Code::SessionExpired,
        Code::NotJoined,
        Code::AlreadyJoined,
        Code::UsernameTaken,
        Code::ServerRefused,
        Code::ServerProtocol,
        Code::ServerMismatch,
        Code::InvalidServerUrl,
        Code::SafetyNumberMismatch,
        Code::AdmissionBlocked,
        Code::ConfirmationNeeded,
        Code::InvalidDirectoryKey,
        Code::DirectoryForeign,
        Code::DirectoryBundleRefused,
        Code::DirectoryFailed,
        Code::OpenFailed,
        Code::ExportFailed,
        Code::Internal,
        Code::IpcUnavailable,
    ];

    /// The code's name, as serialised: `"WrongPassphrase"`.
    pub fn as_str(self) -> &'static str {
        // Debug of a fieldless enum is its variant name, which is also its serde name.
        match self {
            Code::WrongPassphrase => "WrongPassphrase",
            Code::Locked => "Locked",
            Code::NotInitialised => "NotInitialised",
            Code::AlreadyInitialised => "AlreadyInitialised",
            Code::IntegrityError => "IntegrityError",
            Code::LogError => "LogError",
            Code::NotFound => "NotFound",
            Code::NoteFinalised => "NoteFinalised",
            Code::NoteIsDraft => "NoteIsDraft",
            Code::NotAuthor => "NotAuthor",
            Code::DuplicateCode => "DuplicateCode",
            Code::InvalidInput => "InvalidInput",
            Code::NotPermitted => "NotPermitted",
            Code::NoConsent => "NoConsent",
            Code::ConsentWithdrawn => "ConsentWithdrawn",
            Code::ClientRestricted => "ClientRestricted",
            Code::RiskNotAssessed => "RiskNotAssessed",
            Code::PassphraseTooShort => "PassphraseTooShort",
            Code::PassphraseTooWeak => "PassphraseTooWeak",
            Code::DiskFull => "DiskFull",
            Code::DatabaseForeign => "DatabaseForeign",
            Code::DatabaseTooNew => "DatabaseTooNew",
            Code::StorageFailed => "StorageFailed",
            Code::DataDirUnavailable => "DataDirUnavailable",
            Code::SettingsFailed => "SettingsFailed",
            Code::ServerUnreachable => "ServerUnreachable",
            Code::InvalidInvitation => "InvalidInvitation",
            Code::DeviceRevoked => "DeviceRevoked",
            Code::TokenCopied => "TokenCopied",
            Code::DeviceUnknown => "DeviceUnknown",
            Code::SessionExpired => "SessionExpired",
            Code::NotJoined => "NotJoined",
            Code::AlreadyJoined => "AlreadyJoined",
            Code::UsernameTaken => "UsernameTaken",
            Code::ServerRefused => "ServerRefused",
            Code::ServerProtocol => "ServerProtocol",
            Code::ServerMismatch => "ServerMismatch",
            Code::InvalidServerUrl => "InvalidServerUrl",
            Code::SafetyNumberMismatch => "SafetyNumberMismatch",
            Code::AdmissionBlocked => "AdmissionBlocked",
            Code::ConfirmationNeeded => "ConfirmationNeeded",
            Code::InvalidDirectoryKey => "InvalidDirectoryKey",
            Code::DirectoryForeign => "DirectoryForeign",
            Code::DirectoryBundleRefused => "DirectoryBundleRefused",
            Code::DirectoryFailed => "DirectoryFailed",
            Code::OpenFailed => "OpenFailed",
            Code::ExportFailed => "ExportFailed",
            Code::Internal => "Internal",
            Code::IpcUnavailable => "IpcUnavailable",
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_and_serialises_as_its_name() {
        let mut seen = std::collections::HashSet::new();
        for &c in Code::ALL {
            assert!(seen.insert(c), "{c} is listed twice in Code::ALL");
            let json = serde_json::to_string(&c).expect("a code serialises");
            assert_eq!(
                json,
                format!("\"{}\"", c.as_str()),
                "the UI reads the serde name"
            );
            let back: Code = serde_json::from_str(&json).expect("and parses back");
            assert_eq!(back, c);
        }
        // A variant missing from ALL would have no catalogue check: keep the counts equal.
        // (`as_str` is an exhaustive match, so a new variant must be named there first.)
        assert_eq!(
            seen.len(),
            Code::IpcUnavailable as usize + 1,
            "Code::ALL lists every variant"
        );
    }
}
