//! Device tokens in SQLite: checking an access token, noting its first use, and renewing with
//! a refresh token as `rules::renewal` decides (issue 27, item 3).

use rusqlite::{params, Connection, OptionalExtension as _, TransactionBehavior};

use crate::storage::rules::{
    authenticated, renewal, Authenticated, RefreshRow, RenewStep, TokenRow, REVOKED_FOR_REUSE,
};
use crate::storage::{NewTokens, Renewal, StorageError};

const DEVICE_BY_ACCESS: &str = "SELECT d.id, d.member_id, m.team_id, m.role, d.expires_at, \
     d.revoked_at, m.removed_at, d.revoked_reason, d.access_used \
     FROM devices d JOIN members m ON m.id = d.member_id WHERE d.token_hash = ?1";

const REFRESH_COLUMNS: &str = "d.id, d.member_id, m.team_id, m.role, d.refresh_hash, \
     d.refresh_expires_at, d.previous_refresh_hash, d.access_used, d.revoked_at, m.removed_at, \
     d.revoked_reason FROM devices d JOIN members m ON m.id = d.member_id";

/// The device of an access token (on a read-only connection).
pub(super) fn authenticate(
    c: &Connection,
    token_hash: &[u8; 32],
    now: i64,
) -> Result<Authenticated, StorageError> {
    let row = c
        .prepare_cached(DEVICE_BY_ACCESS)?
        .query_row([&token_hash[..]], |r| {
            Ok(TokenRow {
                device_id: r.get(0)?,
                member_id: r.get(1)?,
                team_id: r.get(2)?,
                role: r.get(3)?,
                expires_at: r.get(4)?,
                revoked_at: r.get(5)?,
                removed_at: r.get(6)?,
                revoked_reason: r.get(7)?,
                access_used: r.get(8)?,
            })
        })
        .optional()?;
    authenticated(row, now)
}

/// Notes that the access token `token_hash` of `device` authenticated a request.
pub(super) fn note_access_used(
    c: &Connection,
    device: i64,
    token_hash: &[u8; 32],
) -> Result<(), StorageError> {
    c.prepare_cached("UPDATE devices SET access_used = 1 WHERE id = ?1 AND token_hash = ?2")?
        .execute(params![device, &token_hash[..]])?;
    Ok(())
}

fn refresh_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RefreshRow> {
    Ok(RefreshRow {
        device_id: r.get(0)?,
        member_id: r.get(1)?,
        team_id: r.get(2)?,
        role: r.get(3)?,
        refresh_hash: r.get(4)?,
        refresh_expires_at: r.get(5)?,
        previous_refresh_hash: r.get(6)?,
        access_used: r.get(7)?,
        revoked_at: r.get(8)?,
        removed_at: r.get(9)?,
        revoked_reason: r.get(10)?,
    })
}

/// Presents a refresh token, in one transaction (see `Storage::renew_tokens`).
pub(super) fn renew(
    c: &mut Connection,
    presented: &[u8; 32],
    next: &NewTokens,
    now: i64,
    spent_kept_secs: i64,
) -> Result<Renewal, StorageError> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let held = tx
        .query_row(
            &format!(
                "SELECT {REFRESH_COLUMNS} WHERE d.refresh_hash = ?1 OR d.previous_refresh_hash = ?1"
            ),
            [&presented[..]],
            refresh_row,
        )
        .optional()?;
    let row = match held {
        Some(row) => Some(row),
        None => tx
            .query_row(
                &format!(
                    "SELECT {REFRESH_COLUMNS} WHERE d.id = \
                     (SELECT device_id FROM spent_refresh_tokens WHERE hash = ?1)"
                ),
                [&presented[..]],
                refresh_row,
            )
            .optional()?,
    };
    let outcome = match renewal(presented, row, now)? {
        RenewStep::Renew { device, spend } => {
            let id = i64::try_from(device.device_id).unwrap_or(i64::MAX);
            if let Some(spent) = spend {
                tx.execute(
                    "INSERT OR IGNORE INTO spent_refresh_tokens (hash, device_id, spent_at)
                     VALUES (?1, ?2, ?3)",
                    params![spent, id, now],
                )?;
            }
            tx.execute(
                "DELETE FROM spent_refresh_tokens WHERE device_id = ?1 AND spent_at < ?2",
                params![id, now.saturating_sub(spent_kept_secs)],
            )?;
            tx.execute(
                "UPDATE devices SET token_hash = ?2, expires_at = ?3, refresh_hash = ?4,
                     refresh_expires_at = ?5, previous_refresh_hash = ?6, access_used = 0
                 WHERE id = ?1",
                params![
                    id,
                    &next.access_hash[..],
                    next.access_expires_at,
                    &next.refresh_hash[..],
                    next.refresh_expires_at,
                    &presented[..]
                ],
            )?;
            Renewal::Renewed(device)
        }
        RenewStep::Revoke(device) => {
            tx.execute(
                "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?2), revoked_reason = ?3
                 WHERE id = ?1",
                params![
                    i64::try_from(device.device_id).unwrap_or(i64::MAX),
                    now,
                    REVOKED_FOR_REUSE
                ],
            )?;
            Renewal::Reused(device)
        }
    };
    tx.commit()?;
    Ok(outcome)
}
