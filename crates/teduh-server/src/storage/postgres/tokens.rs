//! Device tokens in PostgreSQL: checking an access token, noting its first use, and renewing
//! with a refresh token as `rules::renewal` decides (issue 27, item 3). A renewal locks the
//! device's row, so two instances given the same refresh token at once decide one after the
//! other.

use super::pool::PostgresStorage;
use crate::storage::rules::{
    authenticated, renewal, RefreshRow, RenewStep, TokenRow, REVOKED_FOR_REUSE,
};
use crate::storage::{to_i64, AuthedDevice, Lane, NewTokens, Renewal, StorageError};

const SQL_AUTH: &str = "SELECT d.id, d.member_id, m.team_id, m.role, d.expires_at, \
     d.revoked_at, m.removed_at, d.revoked_reason, d.access_used \
     FROM devices d JOIN members m ON m.id = d.member_id WHERE d.token_hash = $1";
const SQL_ACCESS_USED: &str =
    "UPDATE devices SET access_used = TRUE WHERE id = $1 AND token_hash = $2";
const SQL_REFRESH_HELD: &str = "SELECT id FROM devices \
     WHERE refresh_hash = $1 OR previous_refresh_hash = $1 \
     UNION ALL SELECT device_id FROM spent_refresh_tokens WHERE hash = $1 LIMIT 1";
const SQL_REFRESH_ROW: &str = "SELECT d.id, d.member_id, m.team_id, m.role, d.refresh_hash, \
     d.refresh_expires_at, d.previous_refresh_hash, d.access_used, d.revoked_at, m.removed_at, \
     d.revoked_reason FROM devices d JOIN members m ON m.id = d.member_id WHERE d.id = $1 \
     FOR UPDATE OF d";
const SQL_SPEND: &str = "INSERT INTO spent_refresh_tokens (hash, device_id, spent_at) \
     VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
const SQL_FORGET_SPENT: &str =
    "DELETE FROM spent_refresh_tokens WHERE device_id = $1 AND spent_at < $2";
const SQL_RENEW: &str = "UPDATE devices SET token_hash = $2, expires_at = $3, refresh_hash = $4, \
     refresh_expires_at = $5, previous_refresh_hash = $6, access_used = FALSE WHERE id = $1";
const SQL_REVOKE_REUSED: &str = "UPDATE devices SET revoked_at = COALESCE(revoked_at, $2), \
     revoked_reason = $3 WHERE id = $1";

impl PostgresStorage {
    /// [`Storage::authenticate`](crate::storage::Storage::authenticate) in PostgreSQL.
    pub(super) async fn authenticate_access(
        &self,
        token_hash: [u8; 32],
        now: i64,
        lane: Lane,
    ) -> Result<AuthedDevice, StorageError> {
        let c = self.auth_conn(lane).await?;
        let st = c.prepare_cached(SQL_AUTH).await?;
        let row = match c.query_opt(&st, &[&&token_hash[..]]).await? {
            Some(r) => Some(TokenRow {
                device_id: r.try_get(0)?,
                member_id: r.try_get(1)?,
                team_id: r.try_get(2)?,
                role: r.try_get(3)?,
                expires_at: r.try_get(4)?,
                revoked_at: r.try_get(5)?,
                removed_at: r.try_get(6)?,
                revoked_reason: r.try_get(7)?,
                access_used: r.try_get(8)?,
            }),
            None => None,
        };
        let found = authenticated(row, now)?;
        if found.first_use {
            let device = to_i64(found.device.device_id, "device id")?;
            let w = self.conn().await?;
            let st = w.prepare_cached(SQL_ACCESS_USED).await?;
            w.execute(&st, &[&device, &&token_hash[..]]).await?;
        }
        Ok(found.device)
    }

    /// [`Storage::renew_tokens`](crate::storage::Storage::renew_tokens) in PostgreSQL.
    pub(super) async fn renew(
        &self,
        presented: [u8; 32],
        next: NewTokens,
        now: i64,
        spent_kept_secs: i64,
    ) -> Result<Renewal, StorageError> {
        let mut c = self.conn().await?;
        let tx = c.transaction().await?;
        let held: Option<i64> = match tx.query_opt(SQL_REFRESH_HELD, &[&&presented[..]]).await? {
            Some(r) => Some(r.try_get(0)?),
            None => None,
        };
        let row = match held {
            Some(id) => match tx.query_opt(SQL_REFRESH_ROW, &[&id]).await? {
                Some(r) => Some(RefreshRow {
                    device_id: r.try_get(0)?,
                    member_id: r.try_get(1)?,
                    team_id: r.try_get(2)?,
                    role: r.try_get(3)?,
                    refresh_hash: r.try_get(4)?,
                    refresh_expires_at: r.try_get(5)?,
                    previous_refresh_hash: r.try_get(6)?,
                    access_used: r.try_get(7)?,
                    revoked_at: r.try_get(8)?,
                    removed_at: r.try_get(9)?,
                    revoked_reason: r.try_get(10)?,
                }),
                None => None,
            },
            None => None,
        };
        let outcome = match renewal(&presented, row, now)? {
            RenewStep::Renew { device, spend } => {
                let id = to_i64(device.device_id, "device id")?;
                if let Some(spent) = spend {
                    tx.execute(SQL_SPEND, &[&spent, &id, &now]).await?;
                }
                let horizon = now.saturating_sub(spent_kept_secs);
                tx.execute(SQL_FORGET_SPENT, &[&id, &horizon]).await?;
                tx.execute(
                    SQL_RENEW,
                    &[
                        &id,
                        &&next.access_hash[..],
                        &next.access_expires_at,
                        &&next.refresh_hash[..],
                        &next.refresh_expires_at,
                        &&presented[..],
                    ],
                )
                .await?;
                Renewal::Renewed(device)
            }
            RenewStep::Revoke(device) => {
                let id = to_i64(device.device_id, "device id")?;
                tx.execute(SQL_REVOKE_REUSED, &[&id, &now, &REVOKED_FOR_REUSE])
                    .await?;
                Renewal::Reused(device)
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }
}
