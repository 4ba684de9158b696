//! Wire types shared by the Teduh client and the sync server.
//!
//! This crate has no I/O. It defines what crosses the network: control bodies such as
//! [`HealthReport`] and [`ServerVersion`], and the error shape [`ApiError`] that every failing
//! endpoint returns (`{"code": "...", "message": "..."}`), so that clients branch on a stable
//! machine-readable code and never on message text.

pub mod envelope;
pub mod sync;
pub mod tombstone;

use serde::{Deserialize, Serialize};

/// Version of the wire protocol spoken by this build. Bumped on any incompatible change.
pub const PROTOCOL_VERSION: u32 = 1;

/// Body of `GET /healthz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthReport {
    /// `"ok"` when the server can reach its database.
    pub status: String,
    /// Which storage backend serves this instance: `"sqlite"` or `"postgres"`.
    pub storage: String,
}

/// Body of `GET /version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerVersion {
    /// Always `"teduh-server"`; lets a client recognise that the URL points at a Teduh server.
    pub name: String,
    /// The server's package version (semver).
    pub version: String,
    /// [`PROTOCOL_VERSION`] of the server.
    pub protocol: u32,
}

/// The one error shape of every failing endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Stable machine-readable code, e.g. `"NotFound"`, `"MalformedBody"`.
    pub code: String,
    /// Human-readable explanation in English, for logs and operators.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_serialises_to_the_documented_shape() {
        let e = ApiError {
            code: "NotFound".into(),
            message: "no such route".into(),
        };
        let got = serde_json::to_string(&e).expect("serialises");
        assert_eq!(
            got, r#"{"code":"NotFound","message":"no such route"}"#,
            "clients parse exactly this shape"
        );
    }
}
