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
//! - [`vault::Vault`]: the member's identity and keys (Argon2id, X25519, Ed25519) and every
//!   read and write of the counseling record: [`domain`] values sealed with AES-256-GCM
//!   envelopes ([`teduh_protocol::envelope`]) under per-client data keys.
//! - [`records`]: the device's signed, gapless record log and the materialised tables derived
//!   from it, with [`hlc::Hlc`] timestamps.
//! - [`passphrase::rate`]: how guessable a new passphrase is (zxcvbn with Indonesian words).
//! - [`screening`]: SRQ-20, PHQ-9 and GAD-7 with computed scoring.
//! - [`index::SearchIndex`]: the in-memory client search built at unlock.
//!
//! - [`home::HomeDay`]: Home for one day over the member's caseload (drafts, follow-ups due,
//!   red flags, open referrals).
//! - [`error::Code`]: the one code of every failure, from the core to the screen.
//!
//! The core never links a UI toolkit or an HTTP client: shells (`src-tauri`, `teduh-cli`) adapt it.

pub mod breach;
pub mod compress;
pub mod contact;
pub mod crypto;
pub mod domain;
pub mod episode;
pub mod error;
pub mod hlc;
pub mod home;
pub mod ids;
pub mod index;
pub mod passphrase;
pub mod paths;
pub mod permissions;
pub mod records;
pub mod report;
pub mod request;
pub mod screening;
pub mod settings;
pub mod store;
pub mod sync;
pub mod team;
pub mod urgent;
pub mod vault;

/// Version of this core (and of the app built from it).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
