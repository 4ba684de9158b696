//! Device tokens in PostgreSQL: checking an access token, and renewing it with the next token
//! of the device's refresh chain as `rules::renewal` decides (issue 27, item 3). A renewal
//! locks the device's row, so two instances given tokens of the same device at once decide one
//! after the other.

use super::pool::PostgresStorage;
use crate::storage::rules::{
    authenticated, renewal, PresentedRefresh, RefreshRow, RenewStep, TokenRow, REVOKED_FOR_REUSE,
};
use crate::storage::{to_i64, AuthedDevice, Lane, NewTokens, Renewal, StorageError};

const SQL_AUTH: &str = "SELECT d.id, d.member_id, m.team_id, m.role, d.expires_at, \
     d.revoked_at, m.removed_at, d.revoked_reason \
     FROM devices d JOIN members m ON m.id = d.member_id WHERE d.token_hash = $1";
const SQL_REFRESH_ROW: &str = "SELECT d.id, d.member_id, m.team_id, m.role, d.refresh_head, \
     d.refresh_expires_at, d.refresh_bootstrap_hash, d.revoked_at, m.removed_at, \
     d.revoked_reason FROM devices d JOIN members m ON m.id = d.member_id WHERE d.id = $1 \
     FOR UPDATE OF d";
const SQL_RENEW: &str = "UPDATE devices SET token_hash = $2, expires_at = $3, refresh_head = $4, \
     refresh_expires_at = $5 WHERE id = $1";
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
            }),
            None => None,
        };
        authenticated(row, now)
    }

    /// [`Storage::renew_tokens`](crate::storage::Storage::renew_tokens) in PostgreSQL.
    pub(super) async fn renew(
        &self,
        device: u64,
        presented: PresentedRefresh,
        anchor: Option<[u8; 32]>,
        next: NewTokens,
        now: i64,
    ) -> Result<Renewal, StorageError> {
        let id = to_i64(device, "device id")?;
        let mut c = self.conn().await?;
        let tx = c.transaction().await?;
        let row = match tx.query_opt(SQL_REFRESH_ROW, &[&id]).await? {
            Some(r) => Some(RefreshRow {
                device_id: r.try_get(0)?,
                member_id: r.try_get(1)?,
                team_id: r.try_get(2)?,
                role: r.try_get(3)?,
                refresh_head: r.try_get(4)?,
                refresh_expires_at: r.try_get(5)?,
                refresh_bootstrap_hash: r.try_get(6)?,
                revoked_at: r.try_get(7)?,
                removed_at: r.try_get(8)?,
                revoked_reason: r.try_get(9)?,
            }),
            None => None,
        };
        let outcome = match renewal(&presented, anchor, row, now)? {
            RenewStep::Renew { device, head } => {
                tx.execute(
                    SQL_RENEW,
                    &[
                        &id,
                        &&next.access_hash[..],
                        &next.access_expires_at,
                        &&head[..],
                        &next.refresh_expires_at,
                    ],
                )
                .await?;
                Renewal::Renewed(device)
            }
            RenewStep::Revoke(device) => {
                tx.execute(SQL_REVOKE_REUSED, &[&id, &now, &REVOKED_FOR_REUSE])
                    .await?;
                Renewal::Reused(device)
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }
}
