//! The record log's two busy paths: a push (one transaction under the team's row lock, with
//! every statement prepared once per connection) and a pull (the sizes first, then exactly the
//! rows that fit the page).

use std::collections::HashMap;

use teduh_protocol::sync::{PullPage, Record, TeamRecord};

use super::pool::PostgresStorage;
use crate::storage::rules::{
    advance_contiguous, cut, most_rows_in_page, page, plan_erase, plan_push, EraseStep, PushPlan,
    StoredContent,
};
use crate::storage::{epoch_of, to_i64, to_u64, ErasedRecords, PushOutcome, StorageError};

/// The team's row, locked, and when the server was last restored from a backup (if ever): read
/// in the same round trip, as every push needs both.
const SQL_TEAM_LOCK: &str = "SELECT t.key_epoch, t.last_seq,
     (SELECT value FROM server_meta WHERE key = $2) FROM teams t WHERE t.id = $1 FOR UPDATE OF t";
const SQL_DEVICE_SEQ: &str = "SELECT contiguous_seq FROM devices WHERE id = $1";
const SQL_EXISTING: &str = "SELECT device_seq, key_epoch, hlc, payload FROM records WHERE device_id = $1 AND device_seq = ANY($2)";
const SQL_INSERT: &str = "INSERT INTO records (team_id, team_seq, device_id, device_seq, key_epoch, hlc, payload)
     SELECT $1, t.* FROM UNNEST($2::BIGINT[], $3::BIGINT[], $4::BIGINT[], $5::BIGINT[], $6::BIGINT[], $7::BYTEA[]) AS t";
const SQL_ABOVE: &str = "SELECT device_seq FROM records WHERE device_id = $1 AND device_seq > $2 ORDER BY device_seq LIMIT 100000";
const SQL_REPLACE: &str =
    "UPDATE records SET payload = $3 WHERE device_id = $1 AND device_seq = $2";
const SQL_SET_LAST: &str = "UPDATE teams SET last_seq = $1 WHERE id = $2";
const SQL_SET_CONTIGUOUS: &str = "UPDATE devices SET contiguous_seq = $1 WHERE id = $2";
const SQL_PULL_SIZES: &str = "SELECT team_seq, octet_length(payload) FROM records
     WHERE team_id = $1 AND team_seq > $2 ORDER BY team_seq LIMIT $3";
const SQL_PULL: &str =
    "SELECT team_seq, device_id, device_seq, key_epoch, hlc, payload FROM records
     WHERE team_id = $1 AND team_seq > $2 AND team_seq <= $3 ORDER BY team_seq";

impl PostgresStorage {
    /// [`Storage::push`](crate::storage::Storage::push) in PostgreSQL.
    pub(super) async fn push_records(
        &self,
        team_id: u64,
        device_id: u64,
        records: Vec<Record>,
        max_hlc: u64,
    ) -> Result<PushOutcome, StorageError> {
        let team = to_i64(team_id, "team id")?;
        let device = to_i64(device_id, "device id")?;
        let mut c = self.conn().await?;
        let st_lock = c.prepare_cached(SQL_TEAM_LOCK).await?;
        let st_dev = c.prepare_cached(SQL_DEVICE_SEQ).await?;
        let st_existing = c.prepare_cached(SQL_EXISTING).await?;
        let st_insert = c.prepare_cached(SQL_INSERT).await?;
        let st_above = c.prepare_cached(SQL_ABOVE).await?;
        let st_last = c.prepare_cached(SQL_SET_LAST).await?;
        let st_contig = c.prepare_cached(SQL_SET_CONTIGUOUS).await?;
        let tx = c.transaction().await?;
        // The team row stays locked until commit: pushes to one team commit in the order
        // they were given sequences, so readers never see seq n+1 before seq n.
        let Some(team_row) = tx
            .query_opt(&st_lock, &[&team, &crate::storage::rules::RESTORED_AT_KEY])
            .await?
        else {
            return Err(StorageError::NotFound("team"));
        };
        let current_epoch = epoch_of(team_row.try_get(0)?);
        let last_seq: i64 = team_row.try_get(1)?;
        let restored_at: Option<Vec<u8>> = team_row.try_get(2)?;
        let Some(dev_row) = tx.query_opt(&st_dev, &[&device]).await? else {
            return Err(StorageError::NotFound("device"));
        };
        let contiguous: i64 = dev_row.try_get(0)?;
        let seqs: Vec<i64> = records
            .iter()
            .filter_map(|r| i64::try_from(r.device_seq).ok())
            .collect();
        let mut stored = HashMap::new();
        for r in tx.query(&st_existing, &[&device, &seqs]).await? {
            let seq: i64 = r.try_get(0)?;
            let content = StoredContent {
                key_epoch: epoch_of(r.try_get(1)?),
                hlc: to_u64(r.try_get(2)?),
                payload: r.try_get(3)?,
            };
            stored.insert(to_u64(seq), content);
        }
        let PushPlan {
            fresh,
            erased,
            duplicates,
        } = plan_push(
            &records,
            |seq| {
                Ok(stored.get(&seq).map(|s| StoredContent {
                    key_epoch: s.key_epoch,
                    hlc: s.hlc,
                    payload: s.payload.clone(),
                }))
            },
            current_epoch,
            max_hlc,
            crate::storage::rules::restored_at(restored_at.as_deref()),
        )?;
        if !erased.is_empty() {
            let st_replace = tx.prepare_cached(SQL_REPLACE).await?;
            for r in &erased {
                tx.execute(
                    &st_replace,
                    &[&device, &(r.device_seq as i64), &r.payload.as_slice()],
                )
                .await?;
            }
        }
        let mut seq = last_seq;
        if !fresh.is_empty() {
            let team_seqs: Vec<i64> = fresh
                .iter()
                .map(|_| {
                    seq += 1;
                    seq
                })
                .collect();
            let devs: Vec<i64> = vec![device; fresh.len()];
            let dseqs: Vec<i64> = fresh.iter().map(|r| r.device_seq as i64).collect();
            let epochs: Vec<i64> = fresh.iter().map(|r| i64::from(r.key_epoch)).collect();
            let hlcs: Vec<i64> = fresh.iter().map(|r| r.hlc as i64).collect();
            let payloads: Vec<&[u8]> = fresh.iter().map(|r| r.payload.as_slice()).collect();
            tx.execute(
                &st_insert,
                &[&team, &team_seqs, &devs, &dseqs, &epochs, &hlcs, &payloads],
            )
            .await?;
            tx.execute(&st_last, &[&seq, &team]).await?;
        }
        let above: Vec<u64> = tx
            .query(&st_above, &[&device, &contiguous])
            .await?
            .iter()
            .map(|r| r.try_get::<_, i64>(0).map(to_u64))
            .collect::<Result<_, _>>()?;
        let new_contiguous = advance_contiguous(to_u64(contiguous), above);
        if new_contiguous != to_u64(contiguous) {
            tx.execute(&st_contig, &[&(new_contiguous as i64), &device])
                .await?;
        }
        tx.commit().await?;
        if !erased.is_empty() {
            self.scrub_records(&c).await;
        }
        Ok(PushOutcome {
            stored: fresh.len() as u64,
            duplicates: duplicates + erased.len() as u64,
            contiguous_seq: new_contiguous,
        })
    }

    /// [`Storage::erase_records`](crate::storage::Storage::erase_records) in PostgreSQL.
    pub(super) async fn erase_stored_records(
        &self,
        team_id: u64,
        tombstones: Vec<Record>,
    ) -> Result<ErasedRecords, StorageError> {
        let team = to_i64(team_id, "team id")?;
        let mut c = self.conn().await?;
        let tx = c.transaction().await?;
        let mut done = ErasedRecords::default();
        for t in &tombstones {
            let device = to_i64(t.device_id, "device id")?;
            let seq = to_i64(t.device_seq, "device sequence")?;
            let stored: Option<Vec<u8>> = tx
                .query_opt(
                    "SELECT payload FROM records
                     WHERE team_id = $1 AND device_id = $2 AND device_seq = $3 FOR UPDATE",
                    &[&team, &device, &seq],
                )
                .await?
                .map(|r| r.try_get(0))
                .transpose()?;
            match plan_erase(stored.as_deref(), t)? {
                EraseStep::Replace => {
                    tx.execute(SQL_REPLACE, &[&device, &seq, &t.payload.as_slice()])
                        .await?;
                    done.erased += 1;
                }
                EraseStep::Already => done.already += 1,
                EraseStep::Absent => done.absent += 1,
            }
        }
        tx.commit().await?;
        if done.erased > 0 {
            self.scrub_records(&c).await;
        }
        Ok(done)
    }

    /// After an erasure: `VACUUM` of the record table (and its TOAST table) removes the old
    /// row versions that still held the erased bodies, so no query, backup or replica made from
    /// now on reads them. Best effort: the erasure stands if it fails (the autovacuum comes by
    /// later).
    async fn scrub_records(&self, c: &tokio_postgres::Client) {
        if let Err(e) = c.batch_execute("VACUUM records").await {
            tracing::warn!(error = %e, "the VACUUM after an erasure failed");
        }
    }

    /// [`Storage::pull`](crate::storage::Storage::pull) in PostgreSQL.
    pub(super) async fn pull_records(
        &self,
        team_id: u64,
        after: u64,
        budget_bytes: usize,
        max_records: usize,
    ) -> Result<PullPage, StorageError> {
        let team = to_i64(team_id, "team id")?;
        let after_i = to_i64(after, "cursor")?;
        // First the sizes only (cheap: no payload crosses the wire), no more of them than the
        // budget could hold, to cut the page; then exactly the rows that fit. Team sequences
        // become visible as a gapless prefix (see push), so the second query returns every row
        // the first one counted.
        let c = self.read_conn().await?;
        let st_sizes = c.prepare_cached(SQL_PULL_SIZES).await?;
        let st_rows = c.prepare_cached(SQL_PULL).await?;
        let sizes = c
            .query(
                &st_sizes,
                // Not `as`: a maximum above i64::MAX would wrap to a negative LIMIT.
                &[
                    &team,
                    &after_i,
                    &i64::try_from(most_rows_in_page(budget_bytes, max_records))
                        .unwrap_or(i64::MAX)
                        .saturating_add(1),
                ],
            )
            .await?;
        let sizes = sizes.iter().map(|r| {
            let len: i32 = r.try_get(1)?;
            Ok::<_, tokio_postgres::Error>((r.try_get::<_, i64>(0)?, len))
        });
        let (taken, more) = cut(
            sizes,
            |&(_, len)| usize::try_from(len).unwrap_or(0),
            budget_bytes,
            max_records,
        )?;
        let Some(&(last, _)) = taken.last() else {
            return Ok(page(after, Vec::new(), false));
        };
        let rows = c.query(&st_rows, &[&team, &after_i, &last]).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(TeamRecord {
                team_seq: to_u64(r.try_get(0)?),
                record: Record {
                    device_id: to_u64(r.try_get(1)?),
                    device_seq: to_u64(r.try_get(2)?),
                    key_epoch: epoch_of(r.try_get(3)?),
                    hlc: to_u64(r.try_get(4)?),
                    payload: r.try_get(5)?,
                },
            });
        }
        Ok(page(after, out, more))
    }
}
