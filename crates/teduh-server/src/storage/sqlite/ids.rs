//! The ids of members and devices, which devices keep in their records and rosters: an id a
//! device asks back after a restore, and the floor that keeps SQLite from reusing lost ids.

use rusqlite::{Connection, OptionalExtension as _};

use crate::storage::{to_i64, StorageError};

/// The tables whose ids devices keep (in their records and rosters).
#[derive(Debug, Clone, Copy)]
pub(super) enum IdTable {
    Members,
    Devices,
}

impl IdTable {
    pub(super) fn name(self) -> &'static str {
        match self {
            IdTable::Members => "members",
            IdTable::Devices => "devices",
        }
    }

    /// The `server_meta` key of the floor `after-restore` sets.
    pub(super) fn floor_key(self) -> &'static str {
        match self {
            IdTable::Members => "members_id_floor",
            IdTable::Devices => "devices_id_floor",
        }
    }
}

pub(super) fn id_floor(tx: &Connection, table: IdTable) -> Result<i64, StorageError> {
    let stored: Option<Vec<u8>> = tx
        .query_row(
            "SELECT value FROM server_meta WHERE key = ?1",
            [table.floor_key()],
            |r| r.get(0),
        )
        .optional()?;
    Ok(stored
        .and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok())
        .map_or(0, i64::from_be_bytes))
}

/// The id of a new row: the one asked back (refused when held), else the next above both the
/// highest in use and the floor `after-restore` set (SQLite would otherwise reuse the ids of
/// rows a restore lost, which their devices still hold).
pub(super) fn new_id(
    tx: &Connection,
    table: IdTable,
    asked: Option<u64>,
) -> Result<i64, StorageError> {
    let t = table.name();
    if let Some(id) = asked {
        let id = to_i64(id, "id")?;
        let held: bool = tx.query_row(
            &format!("SELECT EXISTS (SELECT 1 FROM {t} WHERE id = ?1)"),
            [id],
            |r| r.get(0),
        )?;
        return if held {
            Err(StorageError::IdTaken)
        } else {
            Ok(id)
        };
    }
    let max: i64 = tx.query_row(&format!("SELECT COALESCE(MAX(id), 0) FROM {t}"), [], |r| {
        r.get(0)
    })?;
    Ok(max.max(id_floor(tx, table)?) + 1)
}
