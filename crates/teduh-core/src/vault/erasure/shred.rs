//! Shredding a client on this device: her keys, her decrypted copies (fields, summaries, the
//! search entry) and her records' sealed bodies go; each record keeps its routing fields, header
//! and signature, with the length and SHA-256 of its body in its place, so every log stays
//! gapless and every header still verifies ([`crate::records::verify_erased`]). A single record
//! (a draft note past its retention) is shredded the same way, its client's key and other
//! records kept ([`shred_entity`]).
//!
//! A body this device still has to push (its own record not yet acknowledged by the server) is
//! erased once the server acknowledges it ([`settle`]), like a record of an erased client that
//! arrives later.

use rusqlite::{params, Connection, OptionalExtension as _};
use sha2::{Digest as _, Sha256};

use crate::ids::{ClientId, EntityId, ErasureId};
use crate::vault::error::VaultError;
use crate::vault::identity::Identity;
use crate::vault::readers;
use crate::vault::sealed::id16;
use crate::vault::Unlocked;

/// Shreds `client` as `erasure` asks: drops her keys and decrypted copies, erases every body of
/// hers this device may erase now, and remembers her as erased. Returns how many bodies were
/// erased.
///
/// Fails when the database cannot be written (then the caller's transaction rolls back).
pub(in crate::vault) fn shred_client(
    conn: &Connection,
    ident: &Identity,
    u: &mut Unlocked,
    client: ClientId,
    erasure: ErasureId,
) -> Result<u64, VaultError> {
    let c = &client.0[..];
    conn.execute(
        "INSERT INTO erased_client (client_id, erasure_id, applied_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (client_id) DO NOTHING",
        params![c, &erasure.0[..], chrono::Utc::now().timestamp()],
    )?;
    // Whether or not this device held her key: anything decrypted of her goes.
    readers::drop_decrypted(conn, u, client)?;
    for sql in [
        // No key will come to open them: she is gone, not waiting.
        "DELETE FROM unopened_record WHERE client_id = ?1",
        "DELETE FROM client_key_wraps WHERE client_id = ?1",
        "DELETE FROM rewrap_due WHERE client_id = ?1",
    ] {
        conn.execute(sql, [c])?;
    }
    settle(conn, ident)
}

/// Shreds one entity of `client` (a draft note past its retention) as `erasure` asks: its
/// decrypted copies go, every body of its records this device may erase now is erased, and it
/// is remembered as erased. The client's key and her other records stay. Returns how many
/// bodies were erased.
///
/// Fails when the database cannot be written (then the caller's transaction rolls back).
pub(in crate::vault) fn shred_entity(
    conn: &Connection,
    ident: &Identity,
    u: &mut Unlocked,
    client: ClientId,
    entity: EntityId,
    erasure: ErasureId,
) -> Result<u64, VaultError> {
    conn.execute(
        "INSERT INTO erased_entity (entity_id, client_id, erasure_id, applied_at)
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT (entity_id) DO NOTHING",
        params![
            &entity.0[..],
            &client.0[..],
            &erasure.0[..],
            chrono::Utc::now().timestamp()
        ],
    )?;
    readers::drop_decrypted_entity(conn, u, entity)?;
    conn.execute(
        "DELETE FROM unopened_record WHERE (device_id, seq) IN
             (SELECT device_id, seq FROM record_log WHERE entity_id = ?1)",
        [&entity.0[..]],
    )?;
    settle(conn, ident)
}

/// Erases every body of an erased client or entity this device may erase now: another device's
/// records, and its own once the server acknowledged them (until then the push still needs
/// them).
/// Returns how many were erased.
///
/// Fails when the database cannot be written.
pub(in crate::vault) fn settle(conn: &Connection, ident: &Identity) -> Result<u64, VaultError> {
    let any: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM erased_client UNION ALL SELECT 1 FROM erased_entity LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if any.is_none() {
        return Ok(0);
    }
    // A device that never joined a team pushes nothing: all of its own records may go.
    let acked: i64 = conn.query_row(
        "SELECT COALESCE((SELECT acked_seq FROM sync_binding WHERE id = 1), ?1)",
        [i64::MAX],
        |r| r.get(0),
    )?;
    let due: Vec<(Vec<u8>, i64, Vec<u8>)> = conn
        .prepare(
            "SELECT device_id, seq, payload FROM record_log
             WHERE erased_sha256 IS NULL
               AND (client_id IN (SELECT client_id FROM erased_client)
                    OR entity_id IN (SELECT entity_id FROM erased_entity))
               AND (device_id != ?1 OR seq <= ?2)
               AND kind NOT IN ('checkpoint', 'erasure', 'erasure_ack')",
        )?
        .query_map(params![&ident.device.0[..], acked], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut erase = conn.prepare(
        "UPDATE record_log SET payload = x'', erased_len = ?3, erased_sha256 = ?4
         WHERE device_id = ?1 AND seq = ?2",
    )?;
    let mut forget_held = conn.prepare("DELETE FROM sync_held WHERE device = ?1 AND seq = ?2")?;
    for (device, seq, payload) in &due {
        let sha: [u8; 32] = Sha256::digest(payload).into();
        let len = i64::try_from(payload.len()).unwrap_or(i64::MAX);
        erase.execute(params![device, seq, len, &sha[..]])?;
        if let Some(server) = crate::ids::DeviceId(id16(device)?).server_number() {
            forget_held.execute(params![i64::try_from(server).unwrap_or(i64::MAX), seq])?;
        }
    }
    Ok(due.len() as u64)
}

/// Rewrites the database so no erased byte stays in a free page or the write-ahead log: with
/// `secure_delete` freed content is zeroed as it goes, `VACUUM` rebuilds the file and the WAL is
/// truncated. Run after the transaction that shredded commits.
///
/// Fails when the database cannot be rewritten (a full disk): the erasure itself stands.
pub(in crate::vault) fn scrub(conn: &Connection) -> Result<(), VaultError> {
    conn.execute_batch("VACUUM")?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}
