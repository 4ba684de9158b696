//! The directory of hotlines and referral partners: public data, usable offline.
//!
//! Main pieces:
//! - [`model::Entry`]: one service (name, category, numbers, WhatsApp, web, address, coverage,
//!   opening hours in the service's own zone, an optional per-weekday rota, source, verification).
//! - [`hours`]: "open now" computed in the entry's zone (WIB/WITA/WIT), across midnight and for
//!   24-hour services and holidays; the rota number for today and the week's rota.
//! - [`holidays`]: national holidays and cuti bersama, shipped in the bundle.
//! - [`words`]: the words people type ("KDRT", "ingin mati") and what they find.
//! - [`bundle`]: a versioned directory bundle, signed by the organisation (Ed25519); devices
//!   accept only a correctly signed bundle newer than the one they have.
//! - [`io`]: CSV and JSON import/export for admins, with line-numbered validation errors.
//! - [`index::DirectoryIndex`]: the device's offline copy in SQLite with FTS5 search that ignores
//!   case and accents, filters by category, region (an entry may cover several provinces) and
//!   "open now"; the emergency panel grouped by [`model::Situation`].
//! - [`publish`]: the admin side: read and validate a file, keep the signing key, sign the next
//!   version.
//! - [`refresh`]: what a device does with the server's answer to "is there a newer
//!   directory?" (verify, apply only newer, remember the ETag).
//! - [`seed`]: the bundle shipped with the app, from published sources only.
//!
//! It is its own crate (not part of `teduh-core`) because the server's admin tooling needs the same
//! model, validation and signing, without the vault; see `docs/decisions/0002-directory-crate.md`.

pub mod bundle;
pub mod holidays;
pub mod hours;
pub mod index;
pub mod io;
pub mod model;
pub mod publish;
pub mod refresh;
pub mod seed;
pub mod words;
