//! Reports a team's own devices compute from local data (the server reads nothing): the
//! monthly statistics for the agencies a service reports to, with small counts protected.
//!
//! - [`monthly`]: the month's facts counted into the agencies' tables
//!   ([`monthly::MonthlyStatistics`]).
//! - [`redact`]: third-party passages (`[[...]]`) left out of prints made for others.
//! - [`disclosure`]: which counts may be printed ([`disclosure::protect`]) and the reader's-side
//!   check that no hidden count can be worked out ([`disclosure::pinned_cells`]).

pub mod disclosure;
pub mod monthly;
pub mod redact;
