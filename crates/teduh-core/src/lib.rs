//! Teduh's core: everything the desktop app and the `teduh` CLI do, without a window or a socket.
//!
//! Main pieces:
//! - [`paths::DataDir`]: where a device keeps its files (`TEDUH_DATA_DIR`, or the platform data
//!   directory found with the `directories` crate).
//! - [`settings::Settings`]: non-sensitive preferences (language, server URL, auto-lock), saved
//!   atomically as JSON.
//! - [`store::LocalStore`]: the device's SQLite database (WAL, durable commits) with numbered
//!   migrations from `migrations/client/` and a guard against databases newer than this binary.
//!
//! The core never links a UI toolkit or an HTTP client: shells (`src-tauri`, `teduh-cli`) adapt it.

pub mod paths;
pub mod settings;
pub mod store;

/// Version of this core (and of the app built from it).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
