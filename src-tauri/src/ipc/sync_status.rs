//! The sync indicator: the state, progress and last failure of sync, sent with every
//! `sync-status` event.

use serde::Serialize;
use teduh_core::error::Code;
use ts_rs::TS;

/// What the sync indicator shows, most important first: a revoked device, a locked vault, a
/// round running, no connection, no team key yet, another failure, changes waiting, all sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub enum SyncState {
    /// This computer has not joined an organisation: its records stay here.
    NotJoined,
    /// The vault is locked: sync pauses until it is unlocked.
    Locked,
    /// The server revoked this device (or removed its member): nothing is sent or received.
    Revoked,
    /// A round is running.
    Syncing,
    /// The server could not be reached; records wait on this device.
    Offline,
    /// Records wait until a supervisor's device shares the team key with this member.
    WaitingForKeys,
    /// The last round failed for another reason (see `last_error`).
    Error,
    /// Local changes wait for the next round (a few seconds after the last change), or no
    /// round has succeeded yet.
    Pending,
    /// Everything written here has reached the server.
    Synced,
}

/// A sync failure: the code the UI branches on and finds its sentence by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SyncErrorView {
    /// E.g. `ServerUnreachable`, `DeviceRevoked`.
    pub code: Code,
}

/// Progress of the round that is running.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SyncProgressView {
    /// `keys`, `push` or `pull`.
    pub phase: String,
    /// Records sent and acknowledged so far in this round.
    #[ts(type = "number")]
    pub sent: u64,
    /// Records of this device still to send.
    #[ts(type = "number")]
    pub pending: u64,
    /// Team records received so far in this round.
    #[ts(type = "number")]
    pub received: u64,
}

/// The sync status: sent with every `sync-status` event and answered by `sync_status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SyncStatusView {
    /// Which of two statuses is newer: every status composed gets the next number. Events and
    /// command answers travel on different channels and may arrive out of order; the UI keeps
    /// the status with the highest revision, so a late answer never brings back an old state.
    #[ts(type = "number")]
    pub revision: u64,
    /// What the indicator shows.
    pub state: SyncState,
    /// This computer has joined an organisation.
    pub joined: bool,
    /// The server it syncs with.
    pub server_url: Option<String>,
    /// The member's username.
    pub username: Option<String>,
    /// The member's role: `counselor`, `outreach`, `supervisor` or `admin`.
    pub role: Option<String>,
    /// Whether the server answered the last round or probe (`null`: not tried yet).
    pub online: Option<bool>,
    /// Records written here that have not reached the server.
    #[ts(type = "number")]
    pub pending: u64,
    /// Last successful round (RFC 3339).
    pub last_success: Option<String>,
    /// Last attempt, successful or not (RFC 3339).
    pub last_attempt: Option<String>,
    /// Why the last round of this session failed, if it did.
    pub last_error: Option<SyncErrorView>,
    /// The round running now.
    pub progress: Option<SyncProgressView>,
    /// Team records received but kept aside (unknown author, missing key...).
    #[ts(type = "number")]
    pub held: u64,
    /// Of those, records a newer version of Teduh wrote: kept, and applied once this app is
    /// updated; the header then says "Perbarui Teduh".
    #[ts(type = "number")]
    pub update_needed: u64,
    /// Security alarms on this device (a device of the team signed two different records under
    /// one sequence...): kept as evidence, never applied; Settings says what to do.
    #[ts(type = "number")]
    pub security_alarms: u64,
    /// This member waits for a supervisor's device to share the team key.
    pub waiting_for_keys: bool,
    /// When this device last found the server restored from a backup (RFC 3339): an
    /// informational notice (the device re-published what it holds), never an alarm.
    pub server_restored_at: Option<String>,
}

/// One security alarm this device raised, for the notice in Settings: the kind's code picks
/// the words (`equivocation`, `forged-team-key`, `epoch-jump`, ...).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct AlarmRow {
    /// The kind's stable code.
    pub kind: String,
    /// What was seen, in English (for whoever investigates).
    pub detail: String,
    /// When it was first seen, RFC 3339.
    pub first_seen: String,
    /// Seen on another device of the team, which reported it to this key manager's device: its
    /// number (`null`: seen here).
    #[ts(type = "number | null")]
    pub reported_by: Option<u64>,
    /// A reported alarm signed by a device the roster lists (an unverified one came from a
    /// device still waiting to be admitted, whose key no one confirmed: the server could have
    /// made it). Always true for an alarm seen here.
    pub verified: bool,
}

impl AlarmRow {
    /// The vault's alarms and the reports it received, newest first.
    pub fn collect(
        v: &teduh_core::vault::Vault,
    ) -> Result<Vec<Self>, teduh_core::vault::VaultError> {
        let when = |secs: i64| {
            chrono::DateTime::from_timestamp(secs, 0)
                .unwrap_or_default()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        };
        let mut rows: Vec<(i64, Self)> = v
            .security_alarms()?
            .into_iter()
            .map(|a| {
                (
                    a.first_seen,
                    AlarmRow {
                        kind: a.kind,
                        detail: a.detail,
                        first_seen: when(a.first_seen),
                        reported_by: None,
                        verified: true,
                    },
                )
            })
            .collect();
        rows.extend(v.reported_alarms()?.into_iter().map(|r| {
            (
                r.raised_at,
                AlarmRow {
                    kind: r.kind,
                    detail: r.detail,
                    first_seen: when(r.raised_at),
                    reported_by: Some(r.reporter),
                    verified: r.verified,
                },
            )
        }));
        // Newest first; the sort is stable, so alarms seen at one second keep their order.
        rows.reverse();
        rows.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
        Ok(rows.into_iter().map(|(_, r)| r).collect())
    }
}
