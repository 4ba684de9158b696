//! Sync: the device's side of the record exchange with the server (see `docs/decisions/0004`).

pub mod transport;

pub use transport::{Transport, TransportError};
