//! Settling what other devices' checkpoints named (see the parent module): arrived, a fork, still
//! missing (`withheld` after two complete pulls), or, after a server restore, waiting for its
//! author to come back (at most [`RESTORE_GRACE`]).

use rusqlite::{params, Connection, OptionalExtension};

use super::{chain_at, hlc_ms, raise, seq_i64};
use crate::ids::DeviceId;
use crate::team::AlarmKind;
use crate::vault::error::VaultError;
use crate::vault::Vault;

/// A row of `checkpoint_expect`.
struct Expected {
    what: String,
    device: Vec<u8>,
    seq: i64,
    hash: Option<Vec<u8>>,
    named_by: i64,
    rounds: i64,
    grace_from: Option<i64>,
}

/// After a restore, how long an author may stay away before what the server lost of hers
/// counts as withheld all the same: a server that fakes restores gains no more than this.
pub const RESTORE_GRACE: std::time::Duration = std::time::Duration::from_secs(3 * 24 * 3600);

/// Whether device `device` is known to have written something after `after_ms` (Unix
/// milliseconds): a record time another device's checkpoint stated, a checkpoint of its own, or
/// a record of its log held here.
fn active_after(conn: &Connection, device: &[u8; 16], after_ms: u64) -> rusqlite::Result<bool> {
    let hlc: Option<i64> = conn
        .prepare_cached(
            "SELECT MAX(hlc) FROM (SELECT hlc FROM log_seen WHERE device_id = ?1
                 UNION ALL SELECT hlc FROM checkpoint_seen WHERE device_id = ?1
                 UNION ALL SELECT MAX(hlc) FROM record_log WHERE device_id = ?1)",
        )?
        .query_row([&device[..]], |r| r.get(0))?;
    Ok(hlc.is_some_and(|h| hlc_ms(h) > after_ms))
}

/// Whether one of `key_managers` stated, in a checkpoint written after `after_ms`, that it holds
/// roster version (`what` = "roster") or epoch `at_least`: one that holds it has been back since
/// the restore, and publishes what the server lost at its round.
fn key_manager_holds_since(
    conn: &Connection,
    key_managers: &[[u8; 16]],
    what: &str,
    at_least: i64,
    after_ms: u64,
) -> rusqlite::Result<bool> {
    let mut seen = conn.prepare_cached(
        "SELECT hlc, roster_version, epoch FROM checkpoint_seen WHERE device_id = ?1",
    )?;
    for d in key_managers {
        let stated: Option<(i64, i64, i64)> = seen
            .query_row([&d[..]], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        if let Some((hlc, roster, epoch)) = stated {
            let holds = if what == "roster" { roster } else { epoch };
            if holds >= at_least && hlc_ms(hlc) > after_ms {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

impl Vault {
    /// After a complete pull: what other devices' checkpoints named and has arrived is checked
    /// (a different running hash is a fork); what is still missing after a second complete
    /// pull, and is not held here for another reason, raises a `withheld` alarm. Returns the
    /// alarms raised, in English.
    ///
    /// Fails when the database cannot be read or written.
    pub(crate) fn settle_checkpoints(&mut self) -> Result<Vec<String>, VaultError> {
        let Some(binding) = self.binding()? else {
            return Ok(Vec::new());
        };
        self.extend_own_view(binding.acked_seq)?;
        let expected: Vec<Expected> = self
            .store
            .connection()
            .prepare(
                "SELECT what, device_id, seq, hash, named_by, rounds, grace_from
                 FROM checkpoint_expect",
            )?
            .query_map([], |r| {
                Ok(Expected {
                    what: r.get(0)?,
                    device: r.get(1)?,
                    seq: r.get(2)?,
                    hash: r.get(3)?,
                    named_by: r.get(4)?,
                    rounds: r.get(5)?,
                    grace_from: r.get(6)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        // The common round: nothing named is missing, so no roster to read.
        if expected.is_empty() {
            return Ok(Vec::new());
        }
        let held_epochs = self.team_epochs();
        let own = self.ident.device.0;
        let key_managers: Vec<[u8; 16]> = self.roster()?.map_or_else(Vec::new, |r| {
            r.key_manager_devices()
                .filter(|(_, d)| !d.revoked)
                .map(|(_, d)| DeviceId::from_server(d.device).0)
                .filter(|d| *d != own)
                .collect()
        });
        let now_ms = u64::try_from(self.corrected_now().timestamp_millis()).unwrap_or(0);
        let grace_ms = u64::try_from(RESTORE_GRACE.as_millis()).unwrap_or(u64::MAX);
        let conn = self.store.connection();
        let restore_seen_ms: i64 = conn.query_row(
            "SELECT restore_seen_ms FROM sync_binding WHERE id = 1",
            [],
            |r| r.get(0),
        )?;
        let restore_seen_ms = u64::try_from(restore_seen_ms).unwrap_or(0);
        let mut alarms = Vec::new();
        for Expected {
            what,
            device,
            seq,
            hash,
            named_by,
            rounds,
            grace_from,
        } in expected
        {
            let useq = u64::try_from(seq).unwrap_or(0);
            let id = crate::vault::sealed::id16(&device)?;
            let subject = DeviceId(id).server_number().unwrap_or(0);
            let (arrived, mut detail, alarm_subject) = match what.as_str() {
                "record" => {
                    if let Some(mine) = chain_at(conn, &id, useq)? {
                        if hash.as_deref() != Some(mine.as_slice()) {
                            let detail = format!(
                                "device {named_by} holds a different record {useq} of device \
                                 {subject}: the server showed the two devices different histories"
                            );
                            if raise(conn, AlarmKind::Fork, subject, useq, &detail)? {
                                alarms.push(format!("{}: {detail}", AlarmKind::Fork.code()));
                            }
                        }
                        (true, String::new(), subject)
                    } else {
                        // Only copies that passed their check (or cannot be checked yet): a
                        // junk copy must not stand for the record.
                        let held_here: bool = conn.query_row(
                            "SELECT EXISTS (SELECT 1 FROM sync_held WHERE device = ?1
                                 AND seq <= ?2 AND checked = 1)",
                            params![seq_i64(subject), seq],
                            |r| r.get(0),
                        )?;
                        // Received but waiting (a key, the roster, an update): not withheld.
                        if held_here {
                            continue;
                        }
                        (
                            false,
                            format!(
                                "device {named_by} holds record {useq} of device {subject}, which \
                                 the server has not given this device"
                            ),
                            subject,
                        )
                    }
                }
                "roster" => (
                    binding.roster_version >= useq,
                    format!(
                        "device {named_by} holds roster version {useq}, which the server has not \
                         given this device (it holds {})",
                        binding.roster_version
                    ),
                    0,
                ),
                _ => (
                    held_epochs.iter().any(|e| u64::from(*e) >= useq),
                    format!(
                        "device {named_by} holds team-key epoch {useq}, which the server has not \
                         given this device"
                    ),
                    0,
                ),
            };
            // After a restore, what the server lost comes back only from its author (a roster or
            // an epoch from a key manager's device that holds it): until she is seen active
            // since, she may simply be offline, which is no alarm (the restore notice says it),
            // for at most RESTORE_GRACE. The grace is measured from the restore known when it
            // began, never a later one (a server could fake one every round).
            let anchor = grace_from
                .and_then(|g| u64::try_from(g).ok())
                .or((restore_seen_ms > 0).then_some(restore_seen_ms));
            if let (false, Some(anchor)) = (arrived, anchor) {
                let back = match what.as_str() {
                    "record" => active_after(conn, &id, anchor)?,
                    _ => key_manager_holds_since(conn, &key_managers, &what, seq, anchor)?,
                };
                let waited = now_ms.saturating_sub(anchor);
                if !back && waited < grace_ms {
                    if grace_from.is_none() {
                        conn.execute(
                            "UPDATE checkpoint_expect SET grace_from = ?4
                             WHERE what = ?1 AND device_id = ?2 AND seq = ?3",
                            params![what, device, seq, seq_i64(anchor)],
                        )?;
                    }
                    continue;
                }
                if !back {
                    detail.push_str(&format!(
                        "; its author has not been seen for {} days since the server was \
                         restored",
                        waited / 86_400_000
                    ));
                }
            }
            if arrived {
                conn.execute(
                    "DELETE FROM checkpoint_expect WHERE what = ?1 AND device_id = ?2 AND seq = ?3",
                    params![what, device, seq],
                )?;
            } else if rounds + 1 >= 2 {
                if raise(conn, AlarmKind::Withheld, alarm_subject, useq, &detail)? {
                    alarms.push(format!("{}: {detail}", AlarmKind::Withheld.code()));
                }
                conn.execute(
                    "DELETE FROM checkpoint_expect WHERE what = ?1 AND device_id = ?2 AND seq = ?3",
                    params![what, device, seq],
                )?;
            } else {
                conn.execute(
                    "UPDATE checkpoint_expect SET rounds = rounds + 1
                     WHERE what = ?1 AND device_id = ?2 AND seq = ?3",
                    params![what, device, seq],
                )?;
            }
        }
        Ok(alarms)
    }
}
