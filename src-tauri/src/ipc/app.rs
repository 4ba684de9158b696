//! This installation and its sync server, as the About panel, Home and the header show them.

use serde::Serialize;
use ts_rs::TS;

/// What the About panel and the home screen show about this installation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AppInfo {
    /// Version of teduh-core (the app's version).
    pub core_version: String,
    /// The data directory in use.
    pub data_dir: String,
    /// Schema version of the local database.
    pub schema_version: u32,
    /// The sync server this app points to, if any.
    pub server_url: Option<String>,
    /// Saved UI language: `"id"` or `"en"`.
    pub language: String,
    /// Plain `http://` to other computers is allowed (`TEDUH_ALLOW_PLAIN_HTTP=1`, a test
    /// network): the header says so while it is on.
    pub plain_http_allowed: bool,
}

/// Whether the sync server answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum ServerStatus {
    /// No server configured: this computer only.
    NotConfigured,
    /// The server answered.
    Online {
        /// Its URL.
        url: String,
        /// Its version.
        version: String,
    },
    /// The server did not answer.
    Offline {
        /// Its URL.
        url: String,
        /// English detail, for support.
        detail: String,
    },
}
