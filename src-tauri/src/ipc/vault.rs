//! Setting up and unlocking the vault: the passphrase's rating, whether a vault exists and is
//! unlocked, and what unlocking found.

use serde::Serialize;
use ts_rs::TS;

/// The rating of a passphrase being chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PassphraseRatingView {
    /// How guessable it is.
    pub strength: teduh_core::passphrase::PassphraseStrength,
    /// Whether the vault accepts it (long enough and not weak).
    pub acceptable: bool,
    /// The minimum length, in characters.
    pub min_chars: u32,
}

impl From<teduh_core::passphrase::PassphraseStrength> for PassphraseRatingView {
    fn from(strength: teduh_core::passphrase::PassphraseStrength) -> Self {
        Self {
            strength,
            acceptable: strength.is_acceptable(),
            min_chars: u32::try_from(teduh_core::vault::MIN_PASSPHRASE_CHARS).unwrap_or(u32::MAX),
        }
    }
}

/// Whether a vault exists on this computer and is unlocked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct VaultStateView {
    /// A vault has been set up.
    pub initialised: bool,
    /// It is unlocked now.
    pub unlocked: bool,
    /// Minutes of inactivity before it locks itself.
    pub auto_lock_minutes: u32,
}

/// What unlocking found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct UnlockView {
    /// Records that failed their integrity check (named); the rest is usable.
    pub damaged: Vec<String>,
}
