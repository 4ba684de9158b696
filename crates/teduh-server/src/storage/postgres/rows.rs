//! Row mappers of the PostgreSQL backend, and the device insert that registering and adding a
//! device share (with the id a device asks back after a restore).

use tokio_postgres::{Row, Transaction};

use crate::storage::{epoch_of, role_of, to_i64, to_u64, Member, NewDevice, StorageError, Team};

pub(super) fn member_row(r: &Row) -> Result<Member, StorageError> {
    Ok(Member {
        id: to_u64(r.try_get(0)?),
        team_id: to_u64(r.try_get(1)?),
        username: r.try_get(2)?,
        role: role_of(r.try_get(3)?)?,
        removed_at: r.try_get(4)?,
    })
}

pub(super) fn team_row(r: &Row) -> Result<Team, StorageError> {
    Ok(Team {
        id: to_u64(r.try_get(0)?),
        name: r.try_get(1)?,
        key_epoch: epoch_of(r.try_get(2)?),
        last_seq: to_u64(r.try_get(3)?),
    })
}

pub(super) async fn insert_device(
    tx: &Transaction<'_>,
    member_id: i64,
    d: &NewDevice,
) -> Result<i64, StorageError> {
    let asked = asked_id(tx, "devices", d.id).await?;
    let row = tx
        .query_one(
            "INSERT INTO devices (id, member_id, name, token_hash, created_at, expires_at, public_keys,
                 join_proof, refresh_head, refresh_expires_at)
             VALUES (COALESCE($6, nextval('devices_id_seq')), $1, $2, $3, $4, $5, $7, $8, $9, $10)
             RETURNING id",
            &[
                &member_id,
                &d.name,
                &&d.tokens.access_hash[..],
                &d.created_at,
                &d.tokens.access_expires_at,
                &asked,
                &d.public_keys,
                &d.join_proof,
                &d.refresh_anchor.map(|a| a.to_vec()),
                &d.tokens.refresh_expires_at,
            ],
        )
        .await?;
    Ok(row.try_get(0)?)
}

/// An id asked back by a device coming back to a restored server (`table`: members or
/// devices), refused when someone holds it; `None` lets the sequence choose.
pub(super) async fn asked_id(
    tx: &Transaction<'_>,
    table: &str,
    asked: Option<u64>,
) -> Result<Option<i64>, StorageError> {
    let Some(id) = asked else { return Ok(None) };
    let id = to_i64(id, "id")?;
    let held: bool = tx
        .query_one(
            &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE id = $1)"),
            &[&id],
        )
        .await?
        .try_get(0)?;
    if held {
        return Err(StorageError::IdTaken);
    }
    Ok(Some(id))
}
