//! The materialised state: folding a record into the tables derived from the log
//! (`entities`, `entity_fields`, `field_versions`, `client_keys`), emptying them, and dumping
//! them as comparable bytes. Separate from the log's format and storage (the parent module):
//! this is the one place that decides which write wins.

use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension};

use super::{
    malformed, seq_i64, Op, RecordError, RecordKind, RecordRow, CREATOR_PROVEN, FINALISED_FIELD,
};

/// Folds one record into the materialised tables. `sealed` are the record's fields re-sealed
/// for this device (for a client-key record: the `data_key` field). Returns, for each of
/// `sealed`, whether this record's version is the field's current one now (so what derives
/// from the current fields can use the plaintext in hand instead of reading it back).
///
/// Fails when a client-key record lacks its key or SQLite fails.
pub fn apply(
    conn: &Connection,
    r: &RecordRow,
    sealed: &[(String, Vec<u8>)],
) -> Result<Vec<bool>, RecordError> {
    if r.kind == RecordKind::ClientKey {
        let (_, wrapped) = sealed
            .iter()
            .find(|(n, _)| n == "data_key")
            .ok_or_else(|| malformed(&r.device.0, r.seq, "client key record without data_key"))?;
        // Deterministic if two records ever wrapped a key for the same client, whatever the
        // order of arrival or replay: the key its creator proved wins (schema 9), then the
        // lowest (device, seq).
        let proven = sealed.iter().any(|(n, v)| n == CREATOR_PROVEN && v == &[1]);
        // A team-wide key is its client's first key, the one sealing this device's copies.
        conn.prepare_cached(
            "INSERT INTO client_keys (client_id, device_id, seq, wrapped, proven, local, hlc)
             VALUES (?1, ?2, ?3, ?4, ?5, 1, 0)
             ON CONFLICT (client_id) WHERE local = 1 DO UPDATE SET device_id = excluded.device_id,
                 seq = excluded.seq, wrapped = excluded.wrapped, proven = excluded.proven
             WHERE excluded.proven > client_keys.proven
                OR (excluded.proven = client_keys.proven
                    AND (excluded.device_id, excluded.seq)
                        < (client_keys.device_id, client_keys.seq))",
        )?
        .execute(params![
            &r.client.0[..],
            &r.device.0[..],
            seq_i64(r.seq),
            wrapped,
            i64::from(proven)
        ])?;
        return Ok(Vec::new());
    }
    if r.op == Op::Create {
        conn.prepare_cached(
            "INSERT INTO entities (entity_id, kind, client_id, parent_id, created_hlc,
                                   created_device, created_seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (entity_id) DO NOTHING",
        )?
        .execute(params![
            &r.entity.0[..],
            r.kind.as_str(),
            &r.client.0[..],
            r.parent.as_ref().map(|p| &p.0[..]),
            r.hlc.to_i64(),
            &r.device.0[..],
            seq_i64(r.seq),
        ])?;
    }
    // A finalising record outranks every ordinary edit of the same fields (schema 3).
    let rank = i64::from(sealed.iter().any(|(n, _)| n == FINALISED_FIELD));
    let incoming = (rank, r.hlc.to_i64(), r.device.0.to_vec());
    let mut current = conn.prepare_cached(
        "SELECT rank, hlc, device_id, seq, value FROM entity_fields
         WHERE entity_id = ?1 AND field = ?2",
    )?;
    let mut set = conn.prepare_cached(
        "INSERT INTO entity_fields (entity_id, field, hlc, device_id, seq, value, rank)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (entity_id, field) DO UPDATE SET hlc = excluded.hlc,
             device_id = excluded.device_id, seq = excluded.seq, value = excluded.value,
             rank = excluded.rank",
    )?;
    // Versions that are not (or no longer) current: the winner is in entity_fields, every
    // other version ever written here, so the two tables together hold all of them whatever
    // the arrival order.
    let mut superseded = conn.prepare_cached(
        "INSERT INTO field_versions (entity_id, field, device_id, seq, hlc, rank, value)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT DO NOTHING",
    )?;
    // The common case (a field seen for the first time) in one statement.
    let mut first = conn.prepare_cached(
        "INSERT INTO entity_fields (entity_id, field, hlc, device_id, seq, value, rank)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (entity_id, field) DO NOTHING",
    )?;
    let mut current_now = Vec::with_capacity(sealed.len());
    for (name, value) in sealed {
        let inserted = first.execute(params![
            &r.entity.0[..],
            name,
            r.hlc.to_i64(),
            &r.device.0[..],
            seq_i64(r.seq),
            value,
            rank
        ])?;
        if inserted == 1 {
            current_now.push(true);
            continue;
        }
        type Current = (i64, i64, Vec<u8>, i64, Vec<u8>);
        let existing: Option<Current> = current
            .query_row(params![&r.entity.0[..], name], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                ))
            })
            .optional()?;
        // Among finalising versions the first is final (the earliest timestamp wins): a later
        // finalising record, even by the author, can never rewrite a finalised note; it stays
        // a visible losing version. Otherwise the last writer wins.
        let incoming_wins = existing.as_ref().is_none_or(|(rk, hlc, dev, _, _)| {
            if rank == 1 && *rk == 1 {
                (r.hlc.to_i64(), r.device.0.to_vec()) < (*hlc, dev.clone())
            } else {
                incoming > (*rk, *hlc, dev.clone())
            }
        });
        // The same record applied again (a replay) is current where it won before.
        let same_record = existing
            .as_ref()
            .is_some_and(|(_, _, dev, seq, _)| *dev == r.device.0 && *seq == seq_i64(r.seq));
        current_now.push(incoming_wins || same_record);
        if incoming_wins {
            if let Some((rk, hlc, dev, seq, old)) = existing {
                if !(dev == r.device.0 && seq == seq_i64(r.seq)) {
                    superseded.execute(params![&r.entity.0[..], name, dev, seq, hlc, rk, old])?;
                }
            }
            set.execute(params![
                &r.entity.0[..],
                name,
                r.hlc.to_i64(),
                &r.device.0[..],
                seq_i64(r.seq),
                value,
                rank
            ])?;
        } else if existing
            .as_ref()
            .is_some_and(|(_, _, dev, seq, _)| !(*dev == r.device.0 && *seq == seq_i64(r.seq)))
        {
            superseded.execute(params![
                &r.entity.0[..],
                name,
                &r.device.0[..],
                seq_i64(r.seq),
                r.hlc.to_i64(),
                rank,
                value
            ])?;
        }
    }
    Ok(current_now)
}

/// Empties every table derived from the log (the one list of them: a new derived table is
/// added here).
pub fn clear_state(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "DELETE FROM entity_fields; DELETE FROM field_versions; DELETE FROM entities;
         DELETE FROM client_keys; DELETE FROM note_summaries; DELETE FROM screening_summaries;
         DELETE FROM contact_summaries; DELETE FROM client_key_wraps; DELETE FROM unopened_record;",
    )
}

/// The materialised state as bytes, in primary-key order: which record won each field, which
/// versions exist, which entities exist and which client keys were wrapped to whom. The sealed values are left out (each
/// device seals them under its own nonces); they follow from the winning records. Two devices
/// have the same state exactly when their dumps are byte-identical.
pub fn dump_state(conn: &Connection) -> rusqlite::Result<Vec<u8>> {
    let mut out = Vec::new();
    for (table, columns, order) in [
        // Which keys went to whom, not the copies each device keeps (a key wrapped to a device
        // is that device's alone).
        ("client_key_wraps", "*", "device_id, seq"),
        ("entities", "*", "entity_id"),
        (
            "entity_fields",
            "entity_id, field, hlc, device_id, seq, rank",
            "entity_id, field",
        ),
        (
            "field_versions",
            "entity_id, field, device_id, seq, hlc, rank",
            "entity_id, field, device_id, seq",
        ),
    ] {
        out.extend_from_slice(table.as_bytes());
        out.push(0);
        let mut st = conn.prepare(&format!("SELECT {columns} FROM {table} ORDER BY {order}"))?;
        let cols = st.column_count();
        let mut rows = st.query([])?;
        while let Some(row) = rows.next()? {
            out.push(b'R');
            for i in 0..cols {
                match row.get_ref(i)? {
                    ValueRef::Null => out.push(b'N'),
                    ValueRef::Integer(v) => {
                        out.push(b'I');
                        out.extend_from_slice(&v.to_be_bytes());
                    }
                    ValueRef::Real(v) => {
                        out.push(b'F');
                        out.extend_from_slice(&v.to_be_bytes());
                    }
                    ValueRef::Text(t) | ValueRef::Blob(t) => {
                        out.push(b'B');
                        out.extend_from_slice(&(t.len() as u64).to_be_bytes());
                        out.extend_from_slice(t);
                    }
                }
            }
        }
    }
    Ok(out)
}
