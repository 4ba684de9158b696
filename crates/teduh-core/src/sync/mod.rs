//! Sync: the device's side of the record exchange with the server (decision 0004).
//!
//! - [`join`]: every device joins with an invitation and its own key pairs ([`join::register`]);
//!   a further device of a member with a code her other device asks for
//!   ([`join::invite_device`]). The passphrase never leaves the device.
//! - [`roster`] (in [`crate::team`]): the signed team roster devices verify record authors against.
//! - [`engine`]: one sync round ([`engine::sync_once`]): roster and team keys, push the outbox,
//!   pull the team's log, with the vault borrowed one local step at a time ([`VaultAccess`]);
//!   its decisions are pure functions in `plan`.
//! - [`credentials`]: the device's access token, renewed by its rotating refresh token.
//! - [`transport`]: the server API the engine talks through (HTTP lives in `teduh-client`).

mod alarm_reports;
pub mod credentials;
pub mod engine;
pub mod founding;
pub mod join;
mod membership;
mod org_settings;
mod plan;
mod team_keys;
pub mod transport;

// The roster and the binding belong to the team (a leaf module the vault uses too); they are
// named here as well, where the sync API has always offered them.
pub use crate::team::{roster, Binding};

pub use engine::{sync_once, Phase, Progress, SyncReport, VaultAccess};
pub use transport::{Answer, Intercepted, Interceptor, Request, Transport, TransportError};

use crate::vault::VaultError;

/// Why joining or syncing failed. Every variant leaves the vault as it was (records written
/// offline stay in the outbox; a page is applied whole or not at all).
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The server cannot be reached now; try again later.
    #[error("offline: {0}")]
    Offline(String),
    /// The invitation code is unknown, used or expired.
    #[error("the invitation code is not valid: {0}")]
    BadInvitation(String),
    /// This device was revoked or its member removed from the team.
    #[error("this device no longer has access to the team (revoked or removed)")]
    Revoked,
    /// The server revoked this device because one of its refresh tokens was presented twice:
    /// its tokens were copied from this device. Records are kept; the device joins again with a
    /// device invitation.
    #[error("the server revoked this device: one of its sync tokens was also used somewhere else")]
    TokenCopied,
    /// The server does not know this device's token at all: most likely it was restored from
    /// a backup older than the device's joining, or it is another server. Records are kept.
    #[error(
        "the server does not know this device (it may have been restored from a backup older \
         than this device's joining); records stay on this device: sign in again with \
         `teduh reconnect` or the app's sync panel"
    )]
    UnknownDevice,
    /// The device's session expired: join again with the passphrase (records are kept).
    #[error("this device's session with the server expired; sign in again")]
    SessionExpired,
    /// This device has not joined a team.
    #[error("this device has not joined a team yet")]
    NotJoined,
    /// The server refused a request for another reason.
    #[error("the server refused the request ({code}): {message}")]
    Refused {
        /// The server's error code.
        code: String,
        /// Its message.
        message: String,
    },
    /// The server answered in a way that breaks the protocol.
    #[error("protocol error: {0}")]
    Protocol(String),
    /// A new address for the team's server answers, but not as this device's team (another
    /// organisation's server, another service, or a server that does not know this device).
    #[error("the server at the new address is not this team's server: {0}")]
    OtherServer(String),
    /// The local vault failed (locked, disk full, damaged...).
    #[error(transparent)]
    Vault(#[from] VaultError),
}

impl SyncError {
    /// Whether a step failing with this error ends the whole round (offline, this device cut
    /// off, or its vault gone), rather than only the step.
    pub fn ends_round(&self) -> bool {
        matches!(
            self,
            SyncError::Offline(_)
                | SyncError::Revoked
                | SyncError::TokenCopied
                | SyncError::SessionExpired
                | SyncError::UnknownDevice
                | SyncError::Vault(_)
        )
    }

    /// The code a caller branches on (a vault error inside keeps its own code).
    pub fn code(&self) -> crate::error::Code {
        use crate::error::Code;
        match self {
            SyncError::Offline(_) => Code::ServerUnreachable,
            SyncError::BadInvitation(_) => Code::InvalidInvitation,
            SyncError::Revoked => Code::DeviceRevoked,
            SyncError::TokenCopied => Code::TokenCopied,
            SyncError::UnknownDevice => Code::DeviceUnknown,
            SyncError::SessionExpired => Code::SessionExpired,
            SyncError::NotJoined => Code::NotJoined,
            SyncError::Refused { code, .. } if code == "UsernameTaken" => Code::UsernameTaken,
            SyncError::Refused { .. } => Code::ServerRefused,
            SyncError::Protocol(_) => Code::ServerProtocol,
            SyncError::OtherServer(_) => Code::ServerMismatch,
            SyncError::Vault(v) => v.code(),
        }
    }
}

impl From<crate::store::StoreError> for SyncError {
    fn from(e: crate::store::StoreError) -> Self {
        SyncError::Vault(e.into())
    }
}

impl From<TransportError> for SyncError {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::Unreachable(d) => SyncError::Offline(d),
            TransportError::Unexpected(d) => SyncError::Protocol(d),
            TransportError::Refused { code, message, .. } => match code.as_str() {
                "TokenRevoked" => SyncError::Revoked,
                "InvalidToken" => SyncError::UnknownDevice,
                "TokenReused" => SyncError::TokenCopied,
                "TokenExpired" | "RefreshExpired" => SyncError::SessionExpired,
                c if c.starts_with("Invitation") => SyncError::BadInvitation(message),
                _ => SyncError::Refused { code, message },
            },
        }
    }
}
