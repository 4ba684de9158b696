//! The `record_log` table: appending, reading back and replaying records, and the erased ones
//! (UU PDP erasure). Its columns are the [`RecordRow`]'s, listed once in `COLUMNS`; a field
//! added to the row changes them here and the signed bytes in `records.rs` together.

use rusqlite::{params, Connection, OptionalExtension};

use super::{clear_state, malformed, seq_i64, BodyDigest, Op, RecordError, RecordKind, RecordRow};
use crate::hlc::Hlc;
use crate::ids::{ClientId, DeviceId, EntityId};

/// The next sequence number of `device` (reads the log inside the caller's transaction).
pub fn next_seq(conn: &Connection, device: &DeviceId) -> rusqlite::Result<u64> {
    let max: Option<i64> = conn
        .query_row(
            "SELECT MAX(seq) FROM record_log WHERE device_id = ?1",
            [&device.0[..]],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    Ok(max.and_then(|m| u64::try_from(m).ok()).unwrap_or(0) + 1)
}

/// The sequence and timestamp of `device`'s newest record held, if any.
pub fn last_of(conn: &Connection, device: &DeviceId) -> rusqlite::Result<Option<(u64, Hlc)>> {
    conn.prepare_cached(
        "SELECT seq, hlc FROM record_log WHERE device_id = ?1 ORDER BY seq DESC LIMIT 1",
    )?
    .query_row([&device.0[..]], |r| {
        Ok((
            u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
            Hlc::from_i64(r.get(1)?),
        ))
    })
    .optional()
}

/// The newest timestamp in the log (to start the clock after it).
pub fn max_hlc(conn: &Connection) -> rusqlite::Result<Hlc> {
    let max: Option<i64> = conn.query_row("SELECT MAX(hlc) FROM record_log", [], |r| r.get(0))?;
    Ok(max.map(Hlc::from_i64).unwrap_or_default())
}

const COLUMNS: &str =
    "device_id, seq, hlc, kind, op, entity_id, client_id, parent_id, epoch, payload, \
     signature, format, erased_len, erased_sha256";

/// Appends a record to the log (the caller's transaction also applies it).
pub fn insert(conn: &Connection, r: &RecordRow) -> rusqlite::Result<()> {
    let mut st = conn.prepare_cached(&format!(
        "INSERT INTO record_log ({COLUMNS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
    ))?;
    st.execute(params![
        &r.device.0[..],
        seq_i64(r.seq),
        r.hlc.to_i64(),
        r.kind.as_str(),
        r.op.as_str(),
        &r.entity.0[..],
        &r.client.0[..],
        r.parent.as_ref().map(|p| &p.0[..]),
        r.epoch,
        &r.payload,
        &r.signature,
        r.format,
        r.erased.map(|d| i64::try_from(d.len).unwrap_or(i64::MAX)),
        r.erased.as_ref().map(|d| &d.sha256[..]),
    ])?;
    Ok(())
}

/// The record `seq` of `device`'s log, if this device holds it.
///
/// Fails when SQLite fails or the stored record is malformed.
pub fn get(
    conn: &Connection,
    device: &DeviceId,
    seq: u64,
) -> Result<Option<RecordRow>, RecordError> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM record_log WHERE device_id = ?1 AND seq = ?2"
    ))?;
    let mut rows = st.query(params![&device.0[..], seq_i64(seq)])?;
    match rows.next()? {
        Some(row) => Ok(Some(row_from_sql(row)?)),
        None => Ok(None),
    }
}

/// Replaces a record of this device's log that the server has not acknowledged (re-sealed
/// under a newer epoch or re-stamped); a trigger refuses it for acknowledged records.
pub fn replace_unacknowledged(conn: &Connection, r: &RecordRow) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE record_log SET hlc = ?3, epoch = ?4, payload = ?5, signature = ?6, format = ?7
         WHERE device_id = ?1 AND seq = ?2",
    )?
    .execute(params![
        &r.device.0[..],
        seq_i64(r.seq),
        r.hlc.to_i64(),
        r.epoch,
        &r.payload,
        &r.signature,
        r.format,
    ])?;
    Ok(())
}

fn row_from_sql(row: &rusqlite::Row<'_>) -> Result<RecordRow, RecordError> {
    let device: Vec<u8> = row.get(0)?;
    let seq = u64::try_from(row.get::<_, i64>(1)?).unwrap_or(0);
    let bad = |why: &str| malformed(&device, seq, why);
    let kind: String = row.get(3)?;
    let op: String = row.get(4)?;
    let id16 = |i: usize| -> Result<[u8; 16], RecordError> {
        let v: Vec<u8> = row.get(i)?;
        v.as_slice().try_into().map_err(|_| bad("id length"))
    };
    let parent: Option<Vec<u8>> = row.get(7)?;
    Ok(RecordRow {
        device: DeviceId(id16(0)?),
        seq,
        hlc: Hlc::from_i64(row.get(2)?),
        kind: RecordKind::parse(&kind).ok_or_else(|| bad("unknown kind"))?,
        op: match op.as_str() {
            "create" => Op::Create,
            "update" => Op::Update,
            _ => return Err(bad("unknown op")),
        },
        entity: EntityId(id16(5)?),
        client: ClientId(id16(6)?),
        parent: match parent {
            Some(p) => Some(EntityId(
                p.as_slice().try_into().map_err(|_| bad("parent id"))?,
            )),
            None => None,
        },
        epoch: row.get(8)?,
        payload: row.get(9)?,
        signature: row.get(10)?,
        format: row.get(11)?,
        erased: match (
            row.get::<_, Option<i64>>(12)?,
            row.get::<_, Option<Vec<u8>>>(13)?,
        ) {
            (Some(len), Some(sha)) => Some(BodyDigest {
                len: u64::try_from(len).map_err(|_| bad("erased length"))?,
                sha256: sha
                    .as_slice()
                    .try_into()
                    .map_err(|_| bad("erased digest"))?,
            }),
            _ => None,
        },
    })
}

/// Calls `f` for every record in replay order (timestamp, device, sequence).
///
/// Fails on the first malformed record, SQLite error, or error returned by `f`.
pub fn for_each(
    conn: &Connection,
    mut f: impl FnMut(RecordRow) -> Result<(), RecordError>,
) -> Result<u64, RecordError> {
    let mut st = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM record_log ORDER BY hlc, device_id, seq"
    ))?;
    let mut rows = st.query([])?;
    let mut n = 0;
    while let Some(row) = rows.next()? {
        f(row_from_sql(row)?)?;
        n += 1;
    }
    Ok(n)
}

/// This device's records after `after_seq`, in order, at most `limit`.
///
/// Fails when SQLite fails or a record is malformed.
pub fn own_records_after(
    conn: &Connection,
    device: &DeviceId,
    after_seq: u64,
    limit: usize,
) -> Result<Vec<RecordRow>, RecordError> {
    own_records_page(conn, device, after_seq, limit, u64::MAX)
}

/// This device's records after `after_seq`, in order: at most `limit`, and only those that fit
/// in a push page of `max_bytes` ([`PageBudget`]). An outbox of thousands of records is read a
/// page at a time: reading `limit` records for each page of a few hundred took a quarter of a
/// push (issue 27, item 4).
///
/// Fails when SQLite fails or a record is malformed.
pub fn own_records_page(
    conn: &Connection,
    device: &DeviceId,
    after_seq: u64,
    limit: usize,
    max_bytes: u64,
) -> Result<Vec<RecordRow>, RecordError> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM record_log WHERE device_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"
    ))?;
    let mut rows = st.query(params![
        &device.0[..],
        seq_i64(after_seq),
        i64::try_from(limit).unwrap_or(i64::MAX)
    ])?;
    let mut budget = PageBudget::new(max_bytes);
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let record = row_from_sql(row)?;
        if !budget.take(record.wire_len() as u64) {
            break;
        }
        out.push(record);
    }
    Ok(out)
}

/// Which records fit in a push page of at most `max` bytes, taken in order: its record count
/// (8 bytes) and each record as sent ([`RecordRow::wire_len`]); the first record always fits.
pub struct PageBudget {
    used: u64,
    max: u64,
    taken: usize,
}

impl PageBudget {
    /// An empty page of at most `max` bytes.
    pub fn new(max: u64) -> Self {
        Self {
            used: 8,
            max,
            taken: 0,
        }
    }

    /// Takes a record of `len` bytes if it fits.
    pub fn take(&mut self, len: u64) -> bool {
        if self.taken > 0 && self.used.saturating_add(len) > self.max {
            return false;
        }
        self.used = self.used.saturating_add(len);
        self.taken += 1;
        true
    }

    /// How many records it took.
    pub fn taken(&self) -> usize {
        self.taken
    }
}

/// Empties the materialised tables and replays the whole log, calling `replay` for each record
/// (which checks it and applies it). Run it inside a transaction.
///
/// Records are replayed client keys first, then grouped by entity (then timestamp): the fold is
/// order-independent, and this order turns the table writes into near-sequential B-tree
/// appends, several times faster than replaying in timestamp order over random entity ids.
///
/// Fails on the first record that is malformed or refused by `replay`; the caller's
/// transaction should then be rolled back.
pub fn rebuild(
    conn: &Connection,
    mut replay: impl FnMut(&RecordRow) -> Result<(), RecordError>,
) -> Result<u64, RecordError> {
    clear_state(conn)?;
    // Sort only the keys (small), then fetch each record by primary key.
    let keys: Vec<(Vec<u8>, i64)> = conn
        .prepare(
            // An erased client or record (UU PDP erasure, retention) leaves nothing to replay:
            // the bodies are gone, and those this device could not erase yet (its own, not yet
            // pushed) are no longer opened.
            "SELECT device_id, seq FROM record_log
             WHERE erased_sha256 IS NULL
               AND client_id NOT IN (SELECT client_id FROM erased_client)
               AND entity_id NOT IN (SELECT entity_id FROM erased_entity)
             ORDER BY kind != 'client_key', entity_id, hlc, device_id, seq",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut get = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM record_log WHERE device_id = ?1 AND seq = ?2"
    ))?;
    let mut n = 0;
    for (device, seq) in keys {
        let mut rows = get.query(params![device, seq])?;
        if let Some(row) = rows.next()? {
            let r = row_from_sql(row)?;
            replay(&r)?;
            n += 1;
        }
    }
    Ok(n)
}

/// Every record whose body was erased, in log order ([`RecordRow::erased`] holds the digest
/// kept in its place).
///
/// Fails when the log cannot be read or a row is malformed.
pub fn erased_records(conn: &Connection) -> Result<Vec<RecordRow>, RecordError> {
    erased_records_where(conn, "1 ORDER BY device_id, seq", [])
}

/// The erased records that also match `condition` (an SQL condition over `record_log`, which
/// may end in `ORDER BY` and `LIMIT`), with its `params`.
///
/// Fails when the log cannot be read or a row is malformed.
pub fn erased_records_where(
    conn: &Connection,
    condition: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<RecordRow>, RecordError> {
    let mut st = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM record_log WHERE erased_sha256 IS NOT NULL AND {condition}"
    ))?;
    let mut rows = st.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(row_from_sql(row)?);
    }
    Ok(out)
}
