//! Device tokens in SQLite: checking an access token, and renewing it with the next token of
//! the device's refresh chain as `rules::renewal` decides (issue 27, item 3).

use rusqlite::{params, Connection, OptionalExtension as _, TransactionBehavior};

use crate::storage::rules::{
    authenticated, renewal, PresentedRefresh, RefreshRow, RenewStep, TokenRow, REVOKED_FOR_REUSE,
};
use crate::storage::{to_i64, AuthedDevice, NewTokens, Renewal, StorageError};

const DEVICE_BY_ACCESS: &str = "SELECT d.id, d.member_id, m.team_id, m.role, d.expires_at, \
     d.revoked_at, m.removed_at, d.revoked_reason \
     FROM devices d JOIN members m ON m.id = d.member_id WHERE d.token_hash = ?1";

const REFRESH_ROW: &str = "SELECT d.id, d.member_id, m.team_id, m.role, d.refresh_head, \
     d.refresh_expires_at, d.refresh_bootstrap_hash, d.revoked_at, m.removed_at, \
     d.revoked_reason FROM devices d JOIN members m ON m.id = d.member_id WHERE d.id = ?1";

/// The device of an access token (on a read-only connection).
pub(super) fn authenticate(
    c: &Connection,
    token_hash: &[u8; 32],
    now: i64,
) -> Result<AuthedDevice, StorageError> {
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
            })
        })
        .optional()?;
    authenticated(row, now)
}

/// The device's refresh chain as stored.
pub(super) fn refresh_row(c: &Connection, id: i64) -> Result<Option<RefreshRow>, StorageError> {
    Ok(c.prepare_cached(REFRESH_ROW)?
        .query_row([id], |r| {
            Ok(RefreshRow {
                device_id: r.get(0)?,
                member_id: r.get(1)?,
                team_id: r.get(2)?,
                role: r.get(3)?,
                refresh_head: r.get(4)?,
                refresh_expires_at: r.get(5)?,
                refresh_bootstrap_hash: r.get(6)?,
                revoked_at: r.get(7)?,
                removed_at: r.get(8)?,
                revoked_reason: r.get(9)?,
            })
        })
        .optional()?)
}

/// A renewal decided on a read-only connection: the row it read and the step it took. Walking
/// the chain takes up to 20,000 hashes, which must not hold the one writer's lock (a stranger
/// presenting tokens would hold up every push).
pub(super) struct Decided {
    pub seen: Option<RefreshRow>,
    pub step: RenewStep,
}

/// Decides a renewal on a read-only connection (see [`Decided`]); a refusal needs no writer.
pub(super) fn decide(
    c: &Connection,
    device: u64,
    presented: &PresentedRefresh,
    anchor: Option<[u8; 32]>,
    now: i64,
) -> Result<Decided, StorageError> {
    let seen = refresh_row(c, to_i64(device, "device id")?)?;
    let step = renewal(presented, anchor, seen.clone(), now)?;
    Ok(Decided { seen, step })
}

/// Carries out a renewal in one transaction (see `Storage::renew_tokens`), deciding again if
/// the device's row changed since `decided` read it (another renewal got there first).
pub(super) fn renew(
    c: &mut Connection,
    device: u64,
    presented: &PresentedRefresh,
    anchor: Option<[u8; 32]>,
    next: &NewTokens,
    now: i64,
    decided: Decided,
) -> Result<Renewal, StorageError> {
    let id = to_i64(device, "device id")?;
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let row = refresh_row(&tx, id)?;
    let step = if row == decided.seen {
        decided.step
    } else {
        renewal(presented, anchor, row, now)?
    };
    let outcome = match step {
        RenewStep::Renew { device, head } => {
            tx.execute(
                "UPDATE devices SET token_hash = ?2, expires_at = ?3, refresh_head = ?4,
                     refresh_expires_at = ?5 WHERE id = ?1",
                params![
                    id,
                    &next.access_hash[..],
                    next.access_expires_at,
                    &head[..],
                    next.refresh_expires_at
                ],
            )?;
            Renewal::Renewed(device)
        }
        RenewStep::Revoke(device) => {
            tx.execute(
                "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?2), revoked_reason = ?3
                 WHERE id = ?1",
                params![id, now, REVOKED_FOR_REUSE],
            )?;
            Renewal::Reused(device)
        }
    };
    tx.commit()?;
    Ok(outcome)
}
