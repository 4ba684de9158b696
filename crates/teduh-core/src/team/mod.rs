//! The team this device belongs to, as the device knows it: its binding to the team's server
//! ([`Binding`]), the signed roster ([`roster`]) and the signed team-key envelopes
//! ([`envelope`]). A leaf: the vault stores these and the sync
//! engine maintains them, and neither needs the other to name them.

pub mod admission;
pub mod envelope;
pub mod invitation;
pub mod org;
pub mod processing;
pub mod report;
pub mod roster;
pub mod settings;

use teduh_protocol::sync::Role;

/// The kinds of security alarm a device raises: each forged, replayed or conflicting piece of
/// data has its own code (kept in the `security_alarm` table, shown by the sync status).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlarmKind {
    /// A second, differently signed record under a sequence already applied.
    Equivocation,
    /// A team-key envelope not signed by a key manager of the roster (made by the server).
    ForgedTeamKey,
    /// A team key whose confirmation tag differs from the one the signed roster names.
    TeamKeyMismatch,
    /// A different key offered for an epoch this device already holds.
    TeamKeyConflict,
    /// The server names an epoch more than one past the newest the signed roster names.
    EpochJump,
    /// A roster not signed by a key manager this device trusts.
    ForgedRoster,
    /// A roster served as newer whose signed content is older than (or as old as) the one held.
    ReplayedRoster,
    /// A signed roster that drops or changes a team key already named.
    RewrittenRoster,
    /// The server lists other public keys for a member than the roster pinned.
    SwappedKeys,
    /// Three wrong safety numbers were typed for one newcomer.
    AdmissionBlocked,
    /// A device registered with an invitation this key manager's device already admitted
    /// another device with (a second redemption).
    InvitationReused,
    /// A device's invitation proof does not hold for the keys and names the server lists (keys
    /// swapped under the proof, or a proof the server made).
    ForgedInvitationProof,
    /// Organisation settings not signed by the organisation key the roster names.
    ForgedOrgSettings,
    /// Another device's checkpoint states a different record (or roster) under a sequence (or
    /// version) this device holds: the server showed the two devices different histories.
    Fork,
    /// Another device's checkpoint names a record, roster or epoch the server still has not
    /// given this device after two complete rounds.
    Withheld,
    /// The server served a record erased (its tombstone) although no erasure of its client
    /// arrived with a complete pull: it may have made the tombstone up to suppress the record.
    ErasedWithoutErasure,
    /// The server reports that it revoked a device of the team because one of its refresh
    /// tokens was presented twice: the device's tokens were copied.
    TokenCopied,
}

impl AlarmKind {
    /// Every kind (the UI's catalogue has words for each: `src-tauri/tests/alarm_words.rs`).
    pub const ALL: [AlarmKind; 17] = [
        AlarmKind::Equivocation,
        AlarmKind::ForgedTeamKey,
        AlarmKind::TeamKeyMismatch,
        AlarmKind::TeamKeyConflict,
        AlarmKind::EpochJump,
        AlarmKind::ForgedRoster,
        AlarmKind::ReplayedRoster,
        AlarmKind::RewrittenRoster,
        AlarmKind::SwappedKeys,
        AlarmKind::AdmissionBlocked,
        AlarmKind::InvitationReused,
        AlarmKind::ForgedInvitationProof,
        AlarmKind::ForgedOrgSettings,
        AlarmKind::Fork,
        AlarmKind::Withheld,
        AlarmKind::ErasedWithoutErasure,
        AlarmKind::TokenCopied,
    ];

    /// The stable code stored and shown (`"forged-team-key"`, ...).
    pub fn code(self) -> &'static str {
        match self {
            AlarmKind::Equivocation => "equivocation",
            AlarmKind::ForgedTeamKey => "forged-team-key",
            AlarmKind::TeamKeyMismatch => "team-key-mismatch",
            AlarmKind::TeamKeyConflict => "team-key-conflict",
            AlarmKind::EpochJump => "epoch-jump",
            AlarmKind::ForgedRoster => "forged-roster",
            AlarmKind::ReplayedRoster => "replayed-roster",
            AlarmKind::RewrittenRoster => "rewritten-roster",
            AlarmKind::SwappedKeys => "swapped-keys",
            AlarmKind::AdmissionBlocked => "admission-blocked",
            AlarmKind::InvitationReused => "invitation-reused",
            AlarmKind::ForgedInvitationProof => "forged-invitation-proof",
            AlarmKind::ForgedOrgSettings => "forged-org-settings",
            AlarmKind::Fork => "fork",
            AlarmKind::Withheld => "withheld",
            AlarmKind::ErasedWithoutErasure => "erased-without-erasure",
            AlarmKind::TokenCopied => "token-copied",
        }
    }
}

/// This device's binding to a sync server and its sync bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// Server base URL.
    pub server_url: String,
    /// The member's login name.
    pub username: String,
    /// The server's team id.
    pub team: u64,
    /// The server's member id.
    pub member: u64,
    /// The server's id of this device.
    pub device: u64,
    /// The member's role.
    pub role: Role,
    /// Highest sequence of this device's log the server acknowledged.
    pub acked_seq: u64,
    /// Team sequence up to which the team's log was received.
    pub pull_cursor: u64,
    /// The team's current key epoch as last seen.
    pub current_epoch: u32,
    /// Version of the accepted roster (0: none yet).
    pub roster_version: u64,
    /// Unix seconds of the last successful sync.
    pub last_success: Option<i64>,
    /// Unix seconds of the last attempt.
    pub last_attempt: Option<i64>,
    /// The last attempt's error, if it failed.
    pub last_error: Option<String>,
    /// Correction of this device's clock learned from the server, in milliseconds.
    pub clock_offset_ms: i64,
    /// Unix seconds when this device last found the server restored from a backup (it held
    /// less than it once did); the device re-published what it holds.
    pub server_restored_at: Option<i64>,
}
