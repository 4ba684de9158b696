//! Projections: sealed rows derived from records (a note's summary, a screening's red flag)
//! that must follow every record they derive from. The sealed store knows only this type: it
//! calls the projections registered for a record's kind each time it applies one (a local
//! write, a received record, a replay), and at unlock fills the rows a vault upgraded from an
//! older schema lacks. Features register theirs in the vault's list (`PROJECTIONS` in
//! `vault/mod.rs`), so the store depends on no feature and no feature on another.

use rusqlite::Connection;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use crate::ids::{ClientId, EntityId};
use crate::records::{RecordKind, RecordRow};
use crate::vault::error::VaultError;
use crate::vault::identity::Identity;
use crate::vault::read::{EntityMeta, Reader};
use crate::vault::sealed::id16;
use crate::vault::sealed::record_name;
use crate::vault::Unlocked;

/// Re-derives the row of one entity (of the client given) from its current fields, of which
/// [`Current`] holds those in hand.
pub(in crate::vault) type Refresh = fn(
    &Connection,
    &Identity,
    &mut Unlocked,
    EntityId,
    ClientId,
    &Current<'_>,
) -> Result<(), VaultError>;

/// The plaintext of the fields the record just applied made current: a projection reads these
/// from here and the entity's other fields from the store. Re-reading and decrypting the fields
/// just written took a twelfth of a fresh device's pull (issue 27, item 4).
pub(in crate::vault) struct Current<'a> {
    /// The record's fields that are current now, in plaintext.
    pub(in crate::vault) fields: &'a [&'a (String, Zeroizing<Vec<u8>>)],
    /// The record (its device and sequence), to name it if a field does not parse.
    pub(in crate::vault) record: (&'a [u8], u64),
}

impl Current<'_> {
    /// None in hand (filling a missing row reads every field from the store).
    pub(in crate::vault) const NONE: Current<'static> = Current {
        fields: &[],
        record: (&[], 0),
    };

    /// The current value of `field` of entity `id`: from the record in hand if it wrote it,
    /// else read back. A JSON null reads as absent, as in [`Reader::field`].
    pub(in crate::vault) fn field<T: DeserializeOwned>(
        &self,
        r: &mut Reader<'_>,
        id: EntityId,
        meta: &EntityMeta,
        field: &str,
    ) -> Result<Option<T>, VaultError> {
        match self.fields.iter().find(|(name, _)| name == field) {
            Some((_, plain)) => serde_json::from_slice::<Option<T>>(plain).map_err(|_| {
                let (device, seq) = self.record;
                VaultError::Integrity {
                    record: record_name(meta.kind, &id, field, device, seq),
                }
            }),
            None => r.field(id, meta, field),
        }
    }
}

/// One derived table and how to keep it current.
#[derive(Clone, Copy)]
pub(in crate::vault) struct Projection {
    /// The kind of record it derives from.
    pub(in crate::vault) kind: RecordKind,
    /// The table of derived rows, keyed by `column` (the entity's id).
    pub(in crate::vault) table: &'static str,
    /// The column of `table` naming the entity.
    pub(in crate::vault) column: &'static str,
    /// Re-derives one entity's row.
    pub(in crate::vault) refresh: Refresh,
}

/// Refreshes the projections of `row`'s kind after it was applied (inside the caller's
/// transaction, so the derived rows commit or roll back with the record).
pub(in crate::vault) fn after_apply(
    projections: &[Projection],
    conn: &Connection,
    ident: &Identity,
    u: &mut Unlocked,
    row: &RecordRow,
    current: &Current<'_>,
) -> Result<(), VaultError> {
    for p in projections.iter().filter(|p| p.kind == row.kind) {
        (p.refresh)(conn, ident, u, row.entity, row.client, current)?;
    }
    Ok(())
}

/// Fills the rows that are missing: a vault upgraded from schema 4 has its notes but not
/// their summaries (the queue would not see them), one upgraded from schema 5 lacks the
/// screenings' (the queue then reads them in full). Returns how many were filled. Cheap when
/// there is nothing to do (two counts per projection).
pub(in crate::vault) fn fill_missing_rows(
    projections: &[Projection],
    conn: &mut Connection,
    ident: &Identity,
    u: &mut Unlocked,
) -> Result<usize, VaultError> {
    let mut filled = 0;
    for p in projections {
        filled += fill_missing(conn, ident, u, p)?;
    }
    Ok(filled)
}

/// Fills `p.table` for the entities of `p.kind` that have no row in it.
fn fill_missing(
    conn: &mut Connection,
    ident: &Identity,
    u: &mut Unlocked,
    p: &Projection,
) -> Result<usize, VaultError> {
    let (kind, table, column) = (p.kind.as_str(), p.table, p.column);
    let (entities, summaries): (i64, i64) = conn.query_row(
        &format!(
            "SELECT (SELECT count(*) FROM entities WHERE kind = ?1), (SELECT count(*) FROM {table})"
        ),
        [kind],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if entities == summaries {
        return Ok(0);
    }
    let tx = conn.transaction()?;
    let missing: Vec<(Vec<u8>, Vec<u8>)> = tx
        .prepare(&format!(
            "SELECT e.entity_id, e.client_id FROM entities e
             WHERE e.kind = ?1 AND NOT EXISTS (SELECT 1 FROM {table} s WHERE s.{column} = e.entity_id)"
        ))?
        .query_map([kind], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (entity, client) in &missing {
        let (entity, client) = (EntityId(id16(entity)?), ClientId(id16(client)?));
        match (p.refresh)(&tx, ident, u, entity, client, &Current::NONE) {
            // A damaged record (or one whose key is damaged) stays without a summary; reading
            // it reports the damage, as for any damaged record.
            Err(VaultError::Integrity { .. } | VaultError::NotFound { .. }) => {}
            other => other?,
        }
    }
    tx.commit()?;
    Ok(missing.len())
}
