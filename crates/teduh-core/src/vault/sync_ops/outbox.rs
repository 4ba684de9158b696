//! The outbox: this device's records the server has not acknowledged, re-sent after a server
//! restore, re-sealed under a new team epoch or re-stamped after a clock jump before they are
//! pushed.

use rusqlite::{params, OptionalExtension};

use crate::hlc::{Hlc, HlcClock};
use crate::ids::DeviceId;
use crate::records::{self, RecordRow};
use crate::vault::error::VaultError;
use crate::vault::identity::Identity;
use crate::vault::keys::{self};
use crate::vault::Vault;
use teduh_protocol::sync::Record;

impl Vault {
    /// This device's records the server has not acknowledged, from the oldest, at most `limit`.
    ///
    /// Fails when the database cannot be read.
    pub fn outbox(&self, limit: usize) -> Result<Vec<RecordRow>, VaultError> {
        self.outbox_page(limit, u64::MAX)
    }

    /// The next push page of the outbox: at most `limit` unacknowledged records that fit in
    /// `max_bytes` as sent (see [`records::PageBudget`]).
    ///
    /// Fails when the database cannot be read.
    pub fn outbox_page(&self, limit: usize, max_bytes: u64) -> Result<Vec<RecordRow>, VaultError> {
        let acked = self.binding()?.map_or(0, |b| b.acked_seq);
        Ok(records::own_records_page(
            self.store.connection(),
            &self.ident.device,
            acked,
            limit,
            max_bytes,
        )?)
    }

    /// `rows` of this device's log as the server stores them: each header sealed under its
    /// epoch's header key ([`RecordRow::to_wire`]); the same rows always give the same bytes.
    ///
    /// Fails when locked, a row's epoch key is missing here, or the device has not joined a
    /// team.
    pub fn wire_records(&self, rows: &[RecordRow]) -> Result<Vec<Record>, VaultError> {
        let u = self.unlocked.as_ref().ok_or(VaultError::Locked)?;
        let header_keys = keys::header_keys(&self.ident, u);
        rows.iter()
            .map(|r| {
                let key = header_keys.get(&r.epoch).ok_or_else(|| {
                    VaultError::Log(format!("no team key of epoch {} on this device", r.epoch))
                })?;
                r.to_wire(&self.ident.team, key)
                    .ok_or_else(|| VaultError::Log("this device has not joined a team".into()))
            })
            .collect()
    }

    /// The first of `rows` that fit in a push page of `max_bytes` (always at least one), as the
    /// server stores them; only those are sealed.
    ///
    /// Fails like [`Vault::wire_records`].
    pub fn wire_page(&self, rows: &[RecordRow], max_bytes: u64) -> Result<Vec<Record>, VaultError> {
        let mut budget = records::PageBudget::new(max_bytes);
        for r in rows {
            if !budget.take(r.wire_len() as u64) {
                break;
            }
        }
        self.wire_records(&rows[..budget.taken()])
    }

    /// This device's records after `seq` (acknowledged or not), in order.
    ///
    /// Fails when the database cannot be read.
    pub fn outbox_after(&self, seq: u64) -> Result<Vec<RecordRow>, VaultError> {
        Ok(records::own_records_after(
            self.store.connection(),
            &self.ident.device,
            seq,
            usize::MAX,
        )?)
    }

    /// How many of this device's records wait to be sent.
    ///
    /// Fails when the database cannot be read.
    pub fn pending_count(&self) -> Result<u64, VaultError> {
        let acked = self.binding()?.map_or(0, |b| b.acked_seq);
        let n: i64 = self.store.connection().query_row(
            "SELECT COUNT(*) FROM record_log WHERE device_id = ?1 AND seq > ?2",
            params![
                &self.ident.device.0[..],
                i64::try_from(acked).unwrap_or(i64::MAX)
            ],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Records the server's acknowledgement: records up to `seq` are stored there and are
    /// never sent (or rewritten) again.
    ///
    /// Fails when the write fails.
    pub fn acknowledge(&mut self, seq: u64) -> Result<(), VaultError> {
        self.store.connection().execute(
            "UPDATE sync_binding SET acked_seq = MAX(acked_seq, ?1) WHERE id = 1",
            [i64::try_from(seq).unwrap_or(i64::MAX)],
        )?;
        Ok(())
    }

    /// The server holds this device's log only through `server_through`, less than it once
    /// acknowledged (a server restored from a backup): remembers to re-send the rest.
    ///
    /// Fails when the write fails.
    pub fn server_lost_records(&mut self, server_through: u64) -> Result<(), VaultError> {
        let changed = self.store.connection().execute(
            "UPDATE sync_binding SET resend_after = MIN(COALESCE(resend_after, ?1), ?1)
             WHERE id = 1 AND acked_seq > ?1",
            [i64::try_from(server_through).unwrap_or(i64::MAX)],
        )?;
        if changed > 0 {
            self.note_server_restored()?;
            self.resend_tombstones()?;
        }
        Ok(())
    }

    /// Remembers that this device sealed team-key epoch `epoch` to `members`.
    ///
    /// Fails when the write fails.
    pub(crate) fn remember_sealed_to(
        &mut self,
        epoch: u32,
        members: &[u64],
    ) -> Result<(), VaultError> {
        let json = serde_json::json!({ "epoch": epoch, "members": members }).to_string();
        self.store.connection().execute(
            "UPDATE sync_binding SET sealed_to = ?1 WHERE id = 1",
            [json],
        )?;
        Ok(())
    }

    /// The newest epoch this device sealed and to whom, if it sealed one.
    ///
    /// Fails when the database cannot be read.
    pub(crate) fn sealed_to(&self) -> Result<Option<(u32, Vec<u64>)>, VaultError> {
        let json: Option<String> = self
            .store
            .connection()
            .query_row("SELECT sealed_to FROM sync_binding WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?
            .flatten();
        #[derive(serde::Deserialize)]
        struct SealedTo {
            epoch: u32,
            members: Vec<u64>,
        }
        Ok(json
            .and_then(|j| serde_json::from_str::<SealedTo>(&j).ok())
            .map(|s| (s.epoch, s.members)))
    }

    /// Remembers that the server was found holding less than it once did (restored from a
    /// backup): for the informational notice, and for this device's next checkpoint, which
    /// tells the others (see `vault/checkpoints/`).
    ///
    /// Fails when the write fails.
    pub fn note_server_restored(&mut self) -> Result<(), VaultError> {
        // The clock as corrected to the server's, like the record times it is compared with.
        let now = u64::try_from(self.corrected_now().timestamp_millis()).unwrap_or(0);
        crate::vault::checkpoints::note_restore(self.store.connection(), now, now, true)?;
        Ok(())
    }

    /// The next page of records to re-send to a restored server, as first sent: at most `limit`
    /// that fit in `max_bytes` as sent, read only as far as the page fits, like
    /// [`Vault::outbox_page`] (empty: none).
    ///
    /// Fails when the database cannot be read or a record is malformed.
    pub fn resend_outbox(
        &self,
        limit: usize,
        max_bytes: u64,
    ) -> Result<Vec<RecordRow>, VaultError> {
        let bounds: Option<(Option<i64>, i64)> = self
            .store
            .connection()
            .query_row(
                "SELECT resend_after, acked_seq FROM sync_binding WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((Some(after), acked)) = bounds else {
            return Ok(Vec::new());
        };
        let after = u64::try_from(after).unwrap_or(0);
        let acked = u64::try_from(acked).unwrap_or(0);
        let mut rows = records::own_records_page(
            self.store.connection(),
            &self.ident.device,
            after,
            limit,
            max_bytes,
        )?;
        rows.retain(|r| r.seq <= acked);
        Ok(rows)
    }

    /// The restored server now holds this device's log through `stored_through`.
    ///
    /// Fails when the write fails.
    pub fn resent_through(&mut self, stored_through: u64) -> Result<(), VaultError> {
        self.store.connection().execute(
            "UPDATE sync_binding SET resend_after = CASE WHEN ?1 >= acked_seq THEN NULL
                 ELSE MAX(resend_after, ?1) END
             WHERE id = 1 AND resend_after IS NOT NULL",
            [i64::try_from(stored_through).unwrap_or(i64::MAX)],
        )?;
        Ok(())
    }

    /// Re-seals every unacknowledged record of this device that is not under `epoch` (made
    /// before the device had the team's current key). Returns how many were rewritten.
    ///
    /// Fails when locked, the key of `epoch` is missing, or the write fails (nothing changed).
    pub fn reseal_outbox(&mut self, epoch: u32) -> Result<u64, VaultError> {
        self.rewrite_outbox(|r| (r.epoch != epoch).then_some((epoch, r.hlc)))
    }

    /// Re-seals this device's unsent records written in an older format (a backlog made offline
    /// by an older version of Teduh), so they too go out with sealed headers. Returns how many
    /// were rewritten. Run after asking the server how far it holds the log: a record it already
    /// holds keeps the bytes it was sent as.
    ///
    /// Fails when locked or the write fails (nothing changed).
    pub fn upgrade_outbox_format(&mut self) -> Result<u64, VaultError> {
        // Only records never sent: one the server may hold (its answer lost, or withheld by a
        // lying server) keeps its wire form, or the server would hold two signed versions.
        let sent_through: i64 = self
            .store
            .connection()
            .query_row(
                "SELECT sent_through FROM sync_binding WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0);
        let kept_through = self
            .binding()?
            .map_or(0, |b| b.acked_seq)
            .max(u64::try_from(sent_through).unwrap_or(0));
        let older: bool = self.store.connection().query_row(
            "SELECT EXISTS (SELECT 1 FROM record_log WHERE device_id = ?1 AND seq > ?2
                 AND format < ?3)",
            params![
                &self.ident.device.0[..],
                i64::try_from(kept_through).unwrap_or(i64::MAX),
                records::CURRENT_FORMAT
            ],
            |r| r.get(0),
        )?;
        if !older {
            return Ok(0);
        }
        self.rewrite_outbox(|r| {
            (r.seq > kept_through && r.format < records::CURRENT_FORMAT).then_some((r.epoch, r.hlc))
        })
    }

    /// Notes that this device's records through `seq` were sent in a push (see
    /// [`Vault::upgrade_outbox_format`]).
    ///
    /// Fails when the write fails.
    pub fn note_sent_through(&mut self, seq: u64) -> Result<(), VaultError> {
        self.store.connection().execute(
            "UPDATE sync_binding SET sent_through = MAX(sent_through, ?1) WHERE id = 1",
            [i64::try_from(seq).unwrap_or(i64::MAX)],
        )?;
        Ok(())
    }

    /// Re-stamps every unacknowledged record of this device so the newest is at `newest`
    /// (used when the server shows this device's clock to be far ahead), keeping their order,
    /// then rebuilds the tables. Returns how many were rewritten.
    ///
    /// Fails when locked or the write fails (nothing changed).
    pub fn restamp_outbox(&mut self, newest: Hlc) -> Result<u64, VaultError> {
        let pending = self.outbox(usize::MAX)?;
        let count = pending.len() as u64;
        let first = Hlc(newest.0.saturating_sub(count));
        let floor = self.max_hlc_of_others()?;
        let base = first.max(floor);
        let mut i = 0u64;
        let n = self.rewrite_outbox(|r| {
            i += 1;
            Some((r.epoch, Hlc(base.0 + i)))
        })?;
        if let Some(u) = self.unlocked.as_mut() {
            u.clock = HlcClock::starting_after(Hlc(base.0 + i));
        }
        self.rebuild()?;
        Ok(n)
    }

    fn max_hlc_of_others(&self) -> Result<Hlc, VaultError> {
        let acked = self.binding()?.map_or(0, |b| b.acked_seq);
        let v: Option<i64> = self.store.connection().query_row(
            "SELECT MAX(hlc) FROM record_log WHERE device_id != ?1 OR seq <= ?2",
            params![
                &self.ident.device.0[..],
                i64::try_from(acked).unwrap_or(i64::MAX)
            ],
            |r| r.get(0),
        )?;
        Ok(v.map(Hlc::from_i64).unwrap_or_default())
    }

    fn rewrite_outbox(
        &mut self,
        mut change: impl FnMut(&RecordRow) -> Option<(u32, Hlc)>,
    ) -> Result<u64, VaultError> {
        let pending = self.outbox(usize::MAX)?;
        self.ensure_unlocked()?;
        let Vault {
            store,
            ident,
            unlocked,
            ..
        } = self;
        let ident: &Identity = ident;
        let u = unlocked.as_mut().ok_or(VaultError::Locked)?;
        let tx = store.connection_mut().transaction()?;
        let mut n = 0;
        for r in pending {
            let Some((epoch, hlc)) = change(&r) else {
                continue;
            };
            let plain = keys::open_record(&tx, ident, u, &r)?;
            let mut next = r.clone();
            next.epoch = epoch;
            next.hlc = hlc;
            // Never sent, so it may take the current format (its header sealed on the wire).
            next.format = records::CURRENT_FORMAT;
            keys::seal_and_sign(&tx, ident, u, &mut next, &plain)?;
            records::replace_unacknowledged(&tx, &next)?;
            if hlc != r.hlc {
                tx.execute(
                    "UPDATE entity_fields SET hlc = ?3 WHERE device_id = ?1 AND seq = ?2",
                    params![
                        &r.device.0[..],
                        i64::try_from(r.seq).unwrap_or(i64::MAX),
                        hlc.to_i64()
                    ],
                )?;
            }
            n += 1;
        }
        tx.commit()?;
        Ok(n)
    }

    /// The highest sequence of `device`'s log this device has (0: none).
    ///
    /// Fails when the database cannot be read.
    pub fn highest_seq_of(&self, device: DeviceId) -> Result<u64, VaultError> {
        Ok(records::next_seq(self.store.connection(), &device)? - 1)
    }
}
