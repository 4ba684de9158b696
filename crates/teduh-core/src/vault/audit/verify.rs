//! `teduh audit verify`: every device's log, as this device holds it, checked link by link.
//!
//! A log is numbered from 1 without gaps and each record is signed by its device over all its
//! columns, its sequence number included; each record received was chained into the log's
//! running hash as it arrived (`log_chain`, the hash checkpoints state). So:
//! - a deleted entry leaves a gap, or (the newest) a chain longer than the log;
//! - a reordered or altered entry no longer verifies against its signature;
//! - a record replaced by another validly signed one (only its author could) no longer matches
//!   the running hash stored when the first arrived;
//! - a device that stops sending its log is silent: nothing from it for [`SILENT_DAYS`] while
//!   the rest of the team writes on (a revoked device is expected to be silent).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::Serialize;

use super::super::error::VaultError;
use super::super::Vault;
use crate::ids::{DeviceId, MemberId};
use crate::records::{self, RecordRow};

/// Days without a record from a device, while others write, after which it counts as silent.
pub const SILENT_DAYS: i64 = 7;

/// A break in one device's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChainBreak {
    /// Records `from..=to` are missing (deleted, or never received).
    Missing {
        /// First missing sequence number.
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        from: u64,
        /// Last missing sequence number.
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        to: u64,
    },
    /// The record does not verify against its device's signature: altered or moved.
    BadSignature {
        /// Its sequence number as stored.
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        seq: u64,
    },
    /// The record is not the one chained into the log when it arrived.
    Replaced {
        /// Its sequence number.
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        seq: u64,
    },
    /// Nothing from this device since then, while the team wrote on.
    Silent {
        /// Its newest record's time.
        since: DateTime<Utc>,
    },
}

impl ChainBreak {
    /// Silence is reported, not a broken chain: a volunteer on leave is silent too.
    pub fn is_silence(&self) -> bool {
        matches!(self, Self::Silent { .. })
    }
}

/// One device's log as this device holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct DeviceChain {
    /// The device.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub device: DeviceId,
    /// Its member, when the roster lists the device.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub member: Option<MemberId>,
    /// Her login name.
    pub username: Option<String>,
    /// Whether the roster revoked the device.
    pub revoked: bool,
    /// Records held.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub records: u64,
    /// Its newest record's time.
    pub last_at: Option<DateTime<Utc>>,
    /// What is wrong with it (empty: the chain holds).
    pub breaks: Vec<ChainBreak>,
}

/// Whether a device whose newest record is from `last` is silent at `now`, the team's newest
/// record being from `newest`: the team wrote on for [`SILENT_DAYS`] or more after it. A
/// revoked device is expected to be silent.
pub(super) fn is_silent(
    last: DateTime<Utc>,
    newest: DateTime<Utc>,
    now: DateTime<Utc>,
    revoked: bool,
) -> bool {
    let week = chrono::Duration::days(SILENT_DAYS);
    !revoked && newest - last >= week && now - last >= week
}

impl Vault {
    /// Checks every device's log this device holds (see the module's comment), as of `now`.
    ///
    /// Fails when locked or the database cannot be read; a malformed record is reported as a
    /// break of its device's log, not as a failure.
    pub fn verify_logs(&mut self, now: DateTime<Utc>) -> Result<Vec<DeviceChain>, VaultError> {
        self.ensure_unlocked()?;
        let verify = self.verifier()?;
        let team = self.ident.team;
        let roster = self.roster()?;
        let conn = self.store.connection();
        let mut logs: BTreeMap<DeviceId, Vec<RecordRow>> = BTreeMap::new();
        let mut unreadable: BTreeMap<DeviceId, Vec<u64>> = BTreeMap::new();
        // Row by row, so one malformed record is a break, not the end of the check.
        let keys: Vec<(Vec<u8>, i64)> = conn
            .prepare("SELECT device_id, seq FROM record_log ORDER BY device_id, seq")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (device, seq) in keys {
            let id = DeviceId(super::id16(&device)?);
            let seq = u64::try_from(seq).unwrap_or(0);
            match records::get(conn, &id, seq) {
                Ok(Some(r)) => logs.entry(id).or_default().push(r),
                _ => {
                    // Listed even when nothing of it reads, so its breaks are reported.
                    logs.entry(id).or_default();
                    unreadable.entry(id).or_default().push(seq);
                }
            }
        }
        let newest = logs
            .values()
            .flat_map(|l| l.last())
            .map(|r| r.hlc.to_datetime().unwrap_or_default())
            .max();
        let mut out = Vec::new();
        for (device, log) in &logs {
            let mut breaks = Vec::new();
            let mut expected = 1u64;
            let mut prev = [0u8; 32];
            let mut chained = true;
            for r in log {
                if r.seq > expected {
                    breaks.push(ChainBreak::Missing {
                        from: expected,
                        to: r.seq - 1,
                    });
                    chained = false;
                }
                expected = r.seq + 1;
                if verify(r).is_err() {
                    breaks.push(ChainBreak::BadSignature { seq: r.seq });
                    chained = false;
                    continue;
                }
                prev = super::super::checkpoints::link(&prev, &team, r);
                // After a gap or a bad record the running hash cannot be recomputed; the break
                // is already reported.
                if chained {
                    let stored: Option<Vec<u8>> = conn
                        .query_row(
                            "SELECT hash FROM log_chain WHERE device_id = ?1 AND seq = ?2",
                            params![&device.0[..], i64::try_from(r.seq).unwrap_or(i64::MAX)],
                            |row| row.get(0),
                        )
                        .ok();
                    if stored.is_some_and(|h| h != prev) {
                        breaks.push(ChainBreak::Replaced { seq: r.seq });
                        chained = false;
                    }
                }
            }
            for seq in unreadable.get(device).into_iter().flatten() {
                breaks.push(ChainBreak::BadSignature { seq: *seq });
            }
            // The newest records deleted: the chain stored as they arrived goes further.
            let chain_head: Option<i64> = conn.query_row(
                "SELECT MAX(seq) FROM log_chain WHERE device_id = ?1",
                [&device.0[..]],
                |r| r.get(0),
            )?;
            let held = log.last().map_or(0, |r| r.seq);
            if let Some(head) = chain_head.and_then(|h| u64::try_from(h).ok()) {
                if head > held {
                    breaks.push(ChainBreak::Missing {
                        from: held + 1,
                        to: head,
                    });
                }
            }
            let listed = roster.as_ref().and_then(|ro| {
                ro.devices
                    .iter()
                    .find(|d| DeviceId::from_server(d.device) == *device)
            });
            let revoked = listed.is_some_and(|d| d.revoked);
            let last_at = log.last().map(|r| r.hlc.to_datetime().unwrap_or_default());
            if let (Some(last), Some(newest)) = (last_at, newest) {
                if is_silent(last, newest, now, revoked) {
                    breaks.push(ChainBreak::Silent { since: last });
                }
            }
            let member = listed
                .map(|d| MemberId::from_server(d.member))
                .or_else(|| (*device == self.ident.device).then_some(self.ident.member));
            out.push(DeviceChain {
                device: *device,
                member,
                username: listed
                    .and_then(|d| roster.as_ref()?.member(d.member))
                    .map(|m| m.username.clone()),
                revoked,
                records: log.len() as u64,
                last_at,
                breaks,
            });
        }
        Ok(out)
    }
}
