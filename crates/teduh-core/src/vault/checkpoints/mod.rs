//! Checkpoints (issue 18, trust 3/3): each device states in a signed record of its own log what
//! it holds, and readers compare those statements with their own copies, so a server that shows
//! two devices different histories, or holds back a roster, an epoch or records from one of
//! them, is caught by the devices themselves.
//!
//! A checkpoint (kind `checkpoint`, sealed under the epoch's team key: it names no client) holds
//! the roster version and the SHA-256 of the signed roster this device holds, its newest epoch,
//! and for each device's log that moved on since its previous checkpoint the sequence and
//! running hash held here (`log_chain`). A device writes one at the start of a round when its
//! roster or epoch changed, or when its view moved on by something other than checkpoints (so
//! checkpoints never answer each other) and its last checkpoint is older than the interval
//! ([`super::DEFAULT_CHECKPOINT_INTERVAL`]), and pushes it in the same round.
//!
//! A reader that meets a checkpoint compares each statement with its own copy: a different
//! running hash under the same sequence, or a different roster under the same version, is a
//! fork (alarm `fork`); a record, roster or epoch it lacks is expected. Records a device pushed
//! reach the server before anything a device that pulled them writes, so an honest server always
//! serves them first; the roster and epoch come with the next round's key refresh. What is
//! still missing after two complete rounds raises `withheld` (records received but held, e.g.
//! waiting for a key, do not count as withheld).
//!
//! A server restored from a backup lost records that only their author can send again (the
//! signature is hers): until she reconnects, colleagues' checkpoints name records the server
//! cannot give. So a device that finds the server restored says so in its next checkpoint
//! (`restored`), every device answers with a checkpoint of its own, and each stated head carries
//! the time its author wrote it. Once a restore is known, a missing record counts towards
//! `withheld` only after its author is seen active since the restore (a record time a
//! checkpoint states, or her own checkpoint); a missing roster or epoch only after a key
//! manager's device is. Until then the restore notice is all a member sees. A server that fakes a
//! restore gains nothing it could not do by hiding an author entirely (docs/decisions/0009).

mod settle;

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::error::VaultError;
use super::identity::Identity;
use super::Vault;
use crate::ids::{ClientId, DeviceId, EntityId, TeamId};
use crate::records::{self, Op, RecordKind, RecordRow};
use crate::team::AlarmKind;

const CHAIN_TAG: &[u8] = b"teduh/log-chain/v1";
const HEAD_LEN: usize = 16 + 8 + 32;

/// What one checkpoint states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Checkpoint {
    roster_version: u64,
    roster_hash: [u8; 32],
    epoch: u32,
    /// (device, sequence, running hash) of each log stated.
    heads: Vec<([u8; 16], u64, [u8; 32])>,
    /// When the author wrote each stated record (its HLC, as stored), in the order of `heads`:
    /// the evidence that an author has been active since a restore. Empty in checkpoints of
    /// builds before it was stated.
    head_times: Vec<i64>,
    /// The writer found the server restored from a backup since its previous checkpoint.
    restored: bool,
}

impl Checkpoint {
    fn to_fields(&self) -> Vec<(String, Zeroizing<Vec<u8>>)> {
        let mut heads = Vec::with_capacity(self.heads.len() * HEAD_LEN);
        for (device, seq, hash) in &self.heads {
            heads.extend_from_slice(device);
            heads.extend_from_slice(&seq.to_be_bytes());
            heads.extend_from_slice(hash);
        }
        vec![
            (
                "roster_version".into(),
                Zeroizing::new(self.roster_version.to_be_bytes().to_vec()),
            ),
            (
                "roster_hash".into(),
                Zeroizing::new(self.roster_hash.to_vec()),
            ),
            (
                "epoch".into(),
                Zeroizing::new(self.epoch.to_be_bytes().to_vec()),
            ),
            ("heads".into(), Zeroizing::new(heads)),
            (
                "head_times".into(),
                Zeroizing::new(
                    self.head_times
                        .iter()
                        .flat_map(|t| t.to_be_bytes())
                        .collect(),
                ),
            ),
            (
                "restored".into(),
                Zeroizing::new(vec![u8::from(self.restored)]),
            ),
        ]
    }

    /// Reads a checkpoint's fields; `None` when one is missing or malformed.
    pub(super) fn parse(plain: &[(String, Zeroizing<Vec<u8>>)]) -> Option<Self> {
        let field = |name: &str| plain.iter().find(|(n, _)| n == name).map(|(_, v)| v);
        let heads_bytes = field("heads")?;
        if heads_bytes.len() % HEAD_LEN != 0 {
            return None;
        }
        let heads = heads_bytes
            .chunks(HEAD_LEN)
            .map(|c| {
                let mut device = [0u8; 16];
                device.copy_from_slice(&c[..16]);
                let mut seq = [0u8; 8];
                seq.copy_from_slice(&c[16..24]);
                let mut hash = [0u8; 32];
                hash.copy_from_slice(&c[24..]);
                (device, u64::from_be_bytes(seq), hash)
            })
            .collect::<Vec<_>>();
        // Both later fields are optional: a checkpoint of an older build states neither, and
        // one this build cannot read (a later build's) costs only what it adds, never the
        // comparison of the heads.
        let head_times = match field("head_times") {
            Some(b) if b.len() == heads.len() * 8 => b
                .chunks(8)
                .map(|c| c.try_into().map(i64::from_be_bytes))
                .collect::<Result<_, _>>()
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let restored = field("restored").is_some_and(|b| b.first().is_some_and(|f| *f != 0));
        Some(Self {
            roster_version: u64::from_be_bytes(
                field("roster_version")?.as_slice().try_into().ok()?,
            ),
            roster_hash: field("roster_hash")?.as_slice().try_into().ok()?,
            epoch: u32::from_be_bytes(field("epoch")?.as_slice().try_into().ok()?),
            heads,
            head_times,
            restored,
        })
    }
}

fn seq_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The wall-clock milliseconds of an HLC as stored.
fn hlc_ms(hlc: i64) -> u64 {
    teduh_protocol::sync::hlc_millis(crate::hlc::Hlc::from_i64(hlc).0)
}

/// Extends the running hash of every device's log held here (this device's own log through
/// `own_acked` only: later records may still be re-sealed).
///
/// Fails when the database cannot be read or written, or a stored record is malformed.
pub(super) fn extend_chains(
    conn: &Connection,
    team: &TeamId,
    own: &DeviceId,
    own_acked: u64,
) -> Result<(), VaultError> {
    // One transaction (nested in the caller's, if any): a device that just pushed 10,000
    // records chains them all at once, not with a commit each.
    conn.execute_batch("SAVEPOINT extend_chains")?;
    let out = extend_chains_in(conn, team, own, own_acked);
    if out.is_err() {
        conn.execute_batch("ROLLBACK TO extend_chains")?;
    }
    conn.execute_batch("RELEASE extend_chains")?;
    out
}

fn extend_chains_in(
    conn: &Connection,
    team: &TeamId,
    own: &DeviceId,
    own_acked: u64,
) -> Result<(), VaultError> {
    let logs: Vec<(Vec<u8>, i64)> = conn
        .prepare("SELECT device_id, MAX(seq) FROM record_log GROUP BY device_id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut insert =
        conn.prepare_cached("INSERT INTO log_chain (device_id, seq, hash) VALUES (?1, ?2, ?3)")?;
    for (device, max) in logs {
        let device = DeviceId(super::sealed::id16(&device)?);
        let max = u64::try_from(max).unwrap_or(0);
        let limit = if device == *own {
            max.min(own_acked)
        } else {
            max
        };
        let (mut seq, mut prev) = conn
            .query_row(
                "SELECT seq, hash FROM log_chain WHERE device_id = ?1 ORDER BY seq DESC LIMIT 1",
                [&device.0[..]],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)),
            )
            .optional()?
            .map_or((0u64, [0u8; 32]), |(s, h)| {
                (
                    u64::try_from(s).unwrap_or(0),
                    h.as_slice().try_into().unwrap_or([0u8; 32]),
                )
            });
        if seq >= limit {
            continue;
        }
        let span = usize::try_from(limit - seq).unwrap_or(usize::MAX);
        for r in records::own_records_after(conn, &device, seq, span)? {
            if r.seq != seq + 1 {
                break;
            }
            prev = link(&prev, team, &r);
            seq = r.seq;
            insert.execute(params![&device.0[..], seq_i64(seq), &prev[..]])?;
        }
    }
    Ok(())
}

/// The running hash after `r` (what `log_chain` stores and checkpoints state).
pub(in crate::vault) fn link(prev: &[u8; 32], team: &TeamId, r: &RecordRow) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(CHAIN_TAG);
    h.update(prev);
    h.update(Sha256::digest(records::signing_bytes(team, r)));
    h.finalize().into()
}

fn chain_at(conn: &Connection, device: &[u8; 16], seq: u64) -> rusqlite::Result<Option<Vec<u8>>> {
    conn.query_row(
        "SELECT hash FROM log_chain WHERE device_id = ?1 AND seq = ?2",
        params![&device[..], seq_i64(seq)],
        |r| r.get(0),
    )
    .optional()
}

fn roster_hash(conn: &Connection) -> rusqlite::Result<Option<[u8; 32]>> {
    let roster: Option<Option<Vec<u8>>> = conn
        .query_row("SELECT roster FROM sync_binding WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(roster.flatten().map(|b| Sha256::digest(&b).into()))
}

fn raise(
    conn: &Connection,
    kind: AlarmKind,
    subject: u64,
    seq: u64,
    detail: &str,
) -> rusqlite::Result<bool> {
    super::sync_ops::insert_alarm(conn, kind, subject, seq, detail, &[])
}

fn expect(
    conn: &Connection,
    what: &str,
    device: &[u8],
    seq: u64,
    hash: Option<&[u8]>,
    named_by: u64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO checkpoint_expect (what, device_id, seq, hash, named_by)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        params![what, device, seq_i64(seq), hash, seq_i64(named_by)],
    )?;
    Ok(())
}

/// Expects team-key epoch `epoch`, named by a record of device `named_by` sealed under it, when
/// it is newer than every epoch this device holds (and this device holds one: a device waiting
/// for admission has none, and an older epoch it was never given is history, not withholding).
///
/// Fails when the write fails.
pub(super) fn expect_newer_epoch(
    conn: &Connection,
    u: &super::Unlocked,
    epoch: u32,
    named_by: u64,
) -> Result<(), VaultError> {
    let newest = u.team_keys.keys().next_back().copied().unwrap_or(0);
    if newest >= 1 && epoch > newest {
        expect(conn, "epoch", &[0; 16], u64::from(epoch), None, named_by)?;
    }
    Ok(())
}

/// Remembers a server restore known at `restore_ms`, heard of at `now_ms` (both Unix
/// milliseconds on the corrected clock): the restore notice shows it, this device's next
/// checkpoint answers it, and (`found_here`: this device found its own log cut) states it.
///
/// Fails when the write fails.
pub(crate) fn note_restore(
    conn: &Connection,
    restore_ms: u64,
    now_ms: u64,
    found_here: bool,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE sync_binding SET restore_seen_ms = MAX(restore_seen_ms, ?1),
             server_restored_at = MAX(COALESCE(server_restored_at, 0), ?2),
             restore_unstated = MAX(restore_unstated, ?3)
         WHERE id = 1",
        params![seq_i64(restore_ms), seq_i64(now_ms / 1000), found_here],
    )?;
    Ok(())
}

/// Keeps when `row` (a checkpoint, applied or replayed) was written and what roster and epoch
/// it stated.
///
/// Fails when the write fails.
pub(super) fn note_seen(
    conn: &Connection,
    row: &RecordRow,
    plain: &[(String, Zeroizing<Vec<u8>>)],
) -> Result<(), VaultError> {
    let Some(cp) = Checkpoint::parse(plain) else {
        return Ok(());
    };
    conn.execute(
        "INSERT INTO checkpoint_seen (device_id, hlc, roster_version, epoch)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (device_id) DO UPDATE SET hlc = excluded.hlc,
             roster_version = excluded.roster_version, epoch = excluded.epoch
         WHERE excluded.hlc > checkpoint_seen.hlc",
        params![
            &row.device.0[..],
            row.hlc.to_i64(),
            seq_i64(cp.roster_version),
            cp.epoch
        ],
    )?;
    Ok(())
}

/// Compares a received checkpoint with this device's copies: a fork raises an alarm at once
/// (returned, in English), what is missing is expected (see [`Vault::settle_checkpoints`]).
///
/// Fails when the database cannot be read or written.
pub(super) fn compare(
    conn: &Connection,
    ident: &Identity,
    held_epochs: &[u32],
    now_ms: u64,
    row: &RecordRow,
    plain: &[(String, Zeroizing<Vec<u8>>)],
) -> Result<Vec<String>, VaultError> {
    let Some(cp) = Checkpoint::parse(plain) else {
        return Ok(Vec::new());
    };
    let named_by = row.device.server_number().unwrap_or(0);
    let mut alarms = Vec::new();
    let (roster_version, acked): (i64, i64) = conn
        .query_row(
            "SELECT roster_version, acked_seq FROM sync_binding WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((0, 0));
    let roster_version = u64::try_from(roster_version).unwrap_or(0);
    if cp.roster_version > roster_version {
        expect(conn, "roster", &[0; 16], cp.roster_version, None, named_by)?;
    } else if cp.roster_version == roster_version
        && roster_hash(conn)?.is_some_and(|h| h != cp.roster_hash)
    {
        let detail = format!(
            "device {named_by} holds another roster under version {roster_version}: the server \
             showed the two devices different rosters"
        );
        if raise(conn, AlarmKind::Fork, 0, cp.roster_version, &detail)? {
            alarms.push(format!("{}: {detail}", AlarmKind::Fork.code()));
        }
    }
    if held_epochs.iter().all(|e| *e < cp.epoch) {
        expect(conn, "epoch", &[0; 16], u64::from(cp.epoch), None, named_by)?;
    }
    if cp.restored && row.device != ident.device {
        // Shown like a restore this device found itself (informational), and answered by its
        // next checkpoint. The restore came before this device heard of it: a stated time
        // ahead of its own clock is taken as now.
        note_restore(conn, hlc_ms(row.hlc.to_i64()).min(now_ms), now_ms, false)?;
    }
    for ((device, _, _), hlc) in cp.heads.iter().zip(&cp.head_times) {
        conn.execute(
            "INSERT INTO log_seen (device_id, hlc) VALUES (?1, ?2)
             ON CONFLICT (device_id) DO UPDATE SET hlc = MAX(hlc, excluded.hlc)",
            params![&device[..], hlc],
        )?;
    }
    extend_chains(
        conn,
        &ident.team,
        &ident.device,
        u64::try_from(acked).unwrap_or(0),
    )?;
    for (device, seq, hash) in &cp.heads {
        match chain_at(conn, device, *seq)? {
            Some(mine) if mine.as_slice() != hash.as_slice() => {
                let subject = DeviceId(*device).server_number().unwrap_or(0);
                let detail = format!(
                    "device {named_by} holds a different record {seq} of device {subject}: the \
                     server showed the two devices different histories"
                );
                if raise(conn, AlarmKind::Fork, subject, *seq, &detail)? {
                    alarms.push(format!("{}: {detail}", AlarmKind::Fork.code()));
                }
            }
            Some(_) => {}
            // This device's own records beyond what the server acknowledged are not chained
            // yet; nobody can hold more of them than it wrote.
            None if *device == ident.device.0 => {}
            None => expect(conn, "record", device, *seq, Some(hash), named_by)?,
        }
    }
    Ok(alarms)
}

/// What the team's key managers' devices last said through their checkpoints (shown with the
/// team): when one last confirmed the roster this device holds, and when one was last seen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RosterConfirmation {
    /// Newest checkpoint (Unix milliseconds) of another key manager's device that states the
    /// roster version this device holds: no newer roster existed then.
    pub confirmed_at: Option<u64>,
    /// Newest checkpoint (Unix milliseconds) of another key manager's device, whatever it
    /// states.
    pub key_manager_seen_at: Option<u64>,
    /// Active key managers' devices in the roster (every team should have at least two).
    pub key_manager_devices: u32,
}

/// After this long without a confirmation of its roster, a device warns: a server may be
/// showing it an old roster and hiding everything that would say so.
pub const ROSTER_CONFIRMATION_WARNING_DAYS: u32 = 7;

impl Vault {
    /// Extends the running hash of every log this device holds (see [`extend_chains`]).
    fn extend_own_view(&self, acked: u64) -> Result<(), VaultError> {
        extend_chains(
            self.store.connection(),
            &self.ident.team,
            &self.ident.device,
            acked,
        )
    }

    /// When the team's key managers' devices last confirmed `roster` (the one this device
    /// holds) and were last seen (from their checkpoints), and how many such devices it lists.
    ///
    /// Fails when the database cannot be read.
    pub fn roster_confirmation(
        &self,
        roster: &crate::team::roster::Roster,
    ) -> Result<RosterConfirmation, VaultError> {
        let own = self.ident.device;
        let devices: Vec<DeviceId> = roster
            .key_manager_devices()
            .filter(|(_, d)| !d.revoked)
            .map(|(_, d)| DeviceId::from_server(d.device))
            .collect();
        let mut out = RosterConfirmation {
            key_manager_devices: u32::try_from(devices.len()).unwrap_or(u32::MAX),
            ..RosterConfirmation::default()
        };
        let mut seen = self.store.connection().prepare_cached(
            "SELECT hlc, roster_version FROM checkpoint_seen WHERE device_id = ?1",
        )?;
        for d in devices.iter().filter(|d| **d != own) {
            let Some((hlc, version)) = seen
                .query_row([&d.0[..]], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
                })
                .optional()?
            else {
                continue;
            };
            let millis = hlc_ms(hlc);
            out.key_manager_seen_at = out.key_manager_seen_at.max(Some(millis));
            if u64::try_from(version).ok() == Some(roster.version) {
                out.confirmed_at = out.confirmed_at.max(Some(millis));
            }
        }
        Ok(out)
    }

    /// Appends a checkpoint to this device's log when its view moved on since the last one (a
    /// log moved on by something other than checkpoints, a new roster or epoch); the round
    /// then pushes it. Nothing is written while this device lacks the team's current epoch
    /// (`server_epoch`: it would be sealed under an old one) or holds no log to state.
    /// Returns whether one was written.
    ///
    /// Fails when locked or the write fails (nothing written).
    pub(crate) fn write_checkpoint(&mut self, server_epoch: u32) -> Result<bool, VaultError> {
        let Some(binding) = self.binding()? else {
            return Ok(false);
        };
        let conn = self.store.connection();
        let Some(roster_hash) = roster_hash(conn)? else {
            return Ok(false);
        };
        let epoch = self.team_epochs().into_iter().max().unwrap_or(0);
        if epoch == 0 || epoch < server_epoch {
            return Ok(false);
        }
        self.extend_own_view(binding.acked_seq)?;
        // The newest link of each log that moved on since the last checkpoint, and whether it
        // moved on by more than checkpoints.
        let moved: Vec<(Vec<u8>, i64, Vec<u8>, bool)> = conn
            .prepare(
                "SELECT c.device_id, c.seq, c.hash,
                        EXISTS (SELECT 1 FROM record_log l WHERE l.device_id = c.device_id
                                AND l.seq > COALESCE(s.seq, 0) AND l.seq <= c.seq
                                AND l.kind != 'checkpoint')
                 FROM log_chain c
                 JOIN (SELECT device_id, MAX(seq) AS top FROM log_chain GROUP BY device_id) h
                   ON h.device_id = c.device_id AND h.top = c.seq
                 LEFT JOIN checkpoint_stated s ON s.device_id = c.device_id
                 WHERE c.seq > COALESCE(s.seq, 0)",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<Result<_, _>>()?;
        let (stated_roster, stated_epoch, restore_seen_ms, restore_unstated): (
            i64,
            i64,
            i64,
            bool,
        ) = conn.query_row(
            "SELECT checkpoint_roster, checkpoint_epoch, restore_seen_ms, restore_unstated
                 FROM sync_binding WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        let last_own: Option<i64> = conn
            .query_row(
                "SELECT hlc FROM checkpoint_seen WHERE device_id = ?1",
                [&self.ident.device.0[..]],
                |r| r.get(0),
            )
            .optional()?;
        let now = crate::hlc::HlcClock::wall_millis();
        let interval = u64::try_from(self.checkpoint_interval.as_millis()).unwrap_or(u64::MAX);
        let last_own_ms = last_own.map(hlc_ms);
        let due = last_own_ms.is_none_or(|ms| ms.saturating_add(interval) <= now);
        // A restore is answered at once: this device's next checkpoint states, with their
        // times, the logs it holds, which tells every device whether an author whose records
        // the server lost has been back since (see `settle_checkpoints`). Answers are not
        // marked restored themselves, so they do not answer each other.
        let restore_news = restore_unstated
            || (due
                && last_own_ms.is_none_or(|ms| ms < u64::try_from(restore_seen_ms).unwrap_or(0)));
        let news = (due && moved.iter().any(|m| m.3))
            || (restore_news && restore_seen_ms > 0)
            || u64::try_from(stated_roster).unwrap_or(0) != binding.roster_version
            || i64::from(epoch) != stated_epoch;
        let holds_a_log: bool =
            conn.query_row("SELECT EXISTS (SELECT 1 FROM log_chain)", [], |r| r.get(0))?;
        if !news || !holds_a_log {
            return Ok(false);
        }
        let mut heads = Vec::with_capacity(moved.len());
        let mut head_times = Vec::with_capacity(moved.len());
        let mut time_of =
            conn.prepare_cached("SELECT hlc FROM record_log WHERE device_id = ?1 AND seq = ?2")?;
        for (device, seq, hash, _) in &moved {
            head_times.push(
                time_of
                    .query_row(params![device, seq], |r| r.get::<_, i64>(0))
                    .optional()?
                    .unwrap_or(0),
            );
            heads.push((
                super::sealed::id16(device)?,
                u64::try_from(*seq).unwrap_or(0),
                hash.as_slice()
                    .try_into()
                    .map_err(|_| VaultError::Log("a damaged running hash".into()))?,
            ));
        }
        let cp = Checkpoint {
            roster_version: binding.roster_version,
            roster_hash,
            epoch,
            heads,
            head_times,
            restored: restore_unstated,
        };
        drop(time_of);
        self.quiet_batch(|b| {
            b.append_plain(
                RecordKind::Checkpoint,
                Op::Create,
                EntityId::random(),
                ClientId([0; 16]),
                None,
                cp.to_fields(),
            )?;
            for (device, seq, _) in &cp.heads {
                b.tx.execute(
                    "INSERT INTO checkpoint_stated (device_id, seq) VALUES (?1, ?2)
                     ON CONFLICT (device_id) DO UPDATE SET seq = excluded.seq",
                    params![&device[..], seq_i64(*seq)],
                )?;
            }
            b.tx.execute(
                "UPDATE sync_binding SET checkpoint_roster = ?1, checkpoint_epoch = ?2,
                     restore_unstated = 0
                 WHERE id = 1",
                params![seq_i64(cp.roster_version), cp.epoch],
            )?;
            Ok(())
        })?;
        Ok(true)
    }

    /// Whether another device's checkpoint names a roster or team-key epoch newer than this
    /// device holds: it then pushes nothing (a hidden revocation must not leave its new notes
    /// readable by the revoked device's keys) until the round that brings them.
    ///
    /// Fails when the database cannot be read.
    pub fn awaits_newer_keys(&self) -> Result<bool, VaultError> {
        let Some(binding) = self.binding()? else {
            return Ok(false);
        };
        let epoch = self.team_epochs().into_iter().max().unwrap_or(0);
        Ok(self.store.connection().query_row(
            "SELECT EXISTS (SELECT 1 FROM checkpoint_expect
                 WHERE (what = 'roster' AND seq > ?1) OR (what = 'epoch' AND seq > ?2))",
            params![seq_i64(binding.roster_version), epoch],
            |r| r.get(0),
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_reads_back_what_it_states_and_refuses_a_cut_head() {
        let cp = Checkpoint {
            roster_version: 7,
            roster_hash: [9; 32],
            epoch: 3,
            heads: vec![([1; 16], 42, [2; 32]), ([3; 16], 1, [4; 32])],
            head_times: vec![1_000, -5],
            restored: true,
        };
        let fields = cp.to_fields();
        assert_eq!(Checkpoint::parse(&fields), Some(cp.clone()));
        let mut cut = fields.clone();
        if let Some((_, heads)) = cut.iter_mut().find(|(n, _)| n == "heads") {
            heads.pop();
        }
        assert_eq!(Checkpoint::parse(&cut), None);
        // Times this build cannot match to the heads are left out; the heads still count.
        let mut short = fields.clone();
        if let Some((_, times)) = short.iter_mut().find(|(n, _)| n == "head_times") {
            times.truncate(8);
        }
        let without_times = Checkpoint::parse(&short).expect("the heads still count");
        assert_eq!(without_times.heads, cp.heads);
        assert!(without_times.head_times.is_empty());
    }

    #[test]
    fn a_checkpoint_of_an_older_build_states_no_times_and_no_restore() {
        let cp = Checkpoint {
            roster_version: 2,
            roster_hash: [1; 32],
            epoch: 1,
            heads: vec![([5; 16], 3, [6; 32])],
            head_times: Vec::new(),
            restored: false,
        };
        let older: Vec<_> = cp
            .to_fields()
            .into_iter()
            .filter(|(n, _)| n != "head_times" && n != "restored")
            .collect();
        assert_eq!(Checkpoint::parse(&older), Some(cp));
    }
}
