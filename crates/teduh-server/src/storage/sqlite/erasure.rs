//! Erasure in SQLite (issue 26): stored records replaced by their tombstones, then the freed
//! bytes scrubbed from the WAL (`secure_delete` zeroes them in the file as they go).

use rusqlite::{params, OptionalExtension as _, TransactionBehavior};
use teduh_protocol::sync::Record;

use super::pool::{self, SqliteStorage};
use crate::storage::rules::{plan_erase, EraseStep};
use crate::storage::{to_i64, ErasedRecords, StorageError};

const REPLACE: &str = "UPDATE records SET payload = ?3 WHERE device_id = ?1 AND device_seq = ?2";

/// Replaces `device`'s stored records by the tombstones `erased` (a push's, already checked by
/// `rules::plan_push`), in the push's transaction.
pub(super) fn replace(
    tx: &rusqlite::Transaction<'_>,
    device: i64,
    erased: &[&Record],
) -> Result<(), StorageError> {
    let mut replace = tx.prepare_cached(REPLACE)?;
    for r in erased {
        replace.execute(params![
            device,
            to_i64(r.device_seq, "device sequence")?,
            r.payload
        ])?;
    }
    Ok(())
}

impl SqliteStorage {
    /// [`Storage::erase_records`](crate::storage::Storage::erase_records) in SQLite.
    pub(super) async fn erase_stored_records(
        &self,
        team_id: u64,
        tombstones: Vec<Record>,
    ) -> Result<ErasedRecords, StorageError> {
        self.with_conn(move |c| {
            let team = to_i64(team_id, "team id")?;
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut done = ErasedRecords::default();
            {
                let mut lookup = tx.prepare_cached(
                    "SELECT payload FROM records
                     WHERE team_id = ?1 AND device_id = ?2 AND device_seq = ?3",
                )?;
                let mut replace = tx.prepare_cached(REPLACE)?;
                for t in &tombstones {
                    let device = to_i64(t.device_id, "device id")?;
                    let seq = to_i64(t.device_seq, "device sequence")?;
                    let stored: Option<Vec<u8>> = lookup
                        .query_row(params![team, device, seq], |r| r.get(0))
                        .optional()?;
                    match plan_erase(stored.as_deref(), t)? {
                        EraseStep::Replace => {
                            replace.execute(params![device, seq, t.payload])?;
                            done.erased += 1;
                        }
                        EraseStep::Already => done.already += 1,
                        EraseStep::Absent => done.absent += 1,
                    }
                }
            }
            tx.commit()?;
            if done.erased > 0 {
                pool::scrub(c);
            }
            Ok(done)
        })
        .await
    }
}
