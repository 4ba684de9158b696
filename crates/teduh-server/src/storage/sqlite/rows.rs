//! Row mappers of the SQLite backend, and the device insert that registering and adding a
//! device share.

use rusqlite::{params, Connection};
use teduh_protocol::sync::Role;

use super::ids::{new_id, IdTable};
use crate::storage::{epoch_of, role_of, to_u64, Device, Member, NewDevice, StorageError, Team};

pub(super) fn member_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Member, String)> {
    let role: String = r.get(3)?;
    Ok((
        Member {
            id: to_u64(r.get(0)?),
            team_id: to_u64(r.get(1)?),
            username: r.get(2)?,
            role: Role::Counselor,
            removed_at: r.get(4)?,
        },
        role,
    ))
}

pub(super) fn finish_member((mut m, role): (Member, String)) -> Result<Member, StorageError> {
    m.role = role_of(&role)?;
    Ok(m)
}

/// A device as `Storage::devices` lists it (the columns in the order that query selects them).
pub(super) fn device_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Device> {
    Ok(Device {
        id: to_u64(r.get(0)?),
        member_id: to_u64(r.get(1)?),
        username: r.get(2)?,
        team_id: to_u64(r.get(3)?),
        name: r.get(4)?,
        created_at: r.get(5)?,
        revoked_at: r.get(6)?,
        contiguous_seq: to_u64(r.get(7)?),
        public_keys: r.get(8)?,
        join_proof: r.get(9)?,
        revoked_reason: r.get(10)?,
    })
}

pub(super) fn team_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Team> {
    Ok(Team {
        id: to_u64(r.get(0)?),
        name: r.get(1)?,
        key_epoch: epoch_of(r.get(2)?),
        last_seq: to_u64(r.get(3)?),
    })
}

pub(super) fn insert_device(
    tx: &Connection,
    member_id: i64,
    d: &NewDevice,
) -> Result<i64, StorageError> {
    let id = new_id(tx, IdTable::Devices, d.id)?;
    tx.execute(
        "INSERT INTO devices (id, member_id, name, public_keys, join_proof, token_hash, created_at,
             expires_at, refresh_head, refresh_expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            id,
            member_id,
            d.name,
            d.public_keys,
            d.join_proof,
            &d.tokens.access_hash[..],
            d.created_at,
            d.tokens.access_expires_at,
            d.refresh_anchor.map(|a| a.to_vec()),
            d.tokens.refresh_expires_at
        ],
    )?;
    Ok(id)
}
