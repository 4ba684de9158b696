//! What the server keeps for devices beside the record log, in PostgreSQL: the organisation's
//! registered key and signed settings, the directory bundles, the client-key wraps and the
//! mailbox between a team's devices. All of it is opaque or signed by a key the server does not
//! hold; the server checks only what keeps junk out (versions, the registered key, epochs,
//! quotas). The `Storage` methods in `mod.rs` call these.

use super::active_devices;
use super::pool::PostgresStorage;
use crate::storage::rules::{
    check_directory_newer, check_mailbox_quota, check_org_settings, check_same_wrap,
    check_wrap_epoch, org_key_column, per_recipient, MESSAGE_TTL_SECS,
};
use crate::storage::{
    epoch_of, to_i64, to_u64, ClientWrap, DirectoryBundle, OrgDocuments, OrgSettingsUpload,
    StorageError, StoredMessage,
};

impl PostgresStorage {
    pub(super) async fn read_org_documents(&self) -> Result<OrgDocuments, StorageError> {
        let c = self.read_conn().await?;
        let row = c
            .query_opt("SELECT org_key, settings FROM org WHERE id = 1", &[])
            .await?
            .ok_or(StorageError::NotFound("organisation"))?;
        Ok(OrgDocuments {
            org_key: org_key_column(row.try_get(0)?),
            settings: row.try_get(1)?,
        })
    }

    pub(super) async fn store_org_settings(
        &self,
        upload: OrgSettingsUpload,
    ) -> Result<(), StorageError> {
        let version = to_i64(upload.version, "settings version")?;
        let mut c = self.conn().await?;
        let tx = c.transaction().await?;
        // One writer at a time: the checks and the update must not interleave.
        let row = tx
            .query_opt(
                "SELECT org_key, settings_version FROM org WHERE id = 1 FOR UPDATE",
                &[],
            )
            .await?
            .ok_or(StorageError::NotFound("organisation"))?;
        let key: Option<Vec<u8>> = row.try_get(0)?;
        check_org_settings(&upload, key.as_deref(), row.try_get(1)?)?;
        tx.execute(
            "UPDATE org SET org_key = $1, settings = $2, settings_version = $3 WHERE id = 1",
            &[&&upload.key[..], &upload.signed, &version],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn store_org_key(&self, key: Option<[u8; 32]>) -> Result<(), StorageError> {
        let c = self.conn().await?;
        let key: Option<Vec<u8>> = key.map(|k| k.to_vec());
        let changed = c
            .execute(
                "UPDATE org SET org_key = $1, settings = NULL, settings_version = 0 WHERE id = 1",
                &[&key],
            )
            .await?;
        if changed == 0 {
            return Err(StorageError::NotFound("organisation"));
        }
        Ok(())
    }

    pub(super) async fn store_messages(
        &self,
        team_id: u64,
        sender: u64,
        messages: Vec<(u64, Vec<u8>)>,
        now: i64,
    ) -> Result<(), StorageError> {
        let team = to_i64(team_id, "team id")?;
        let sender = to_i64(sender, "device id")?;
        let mut c = self.conn().await?;
        let tx = c.transaction().await?;
        tx.execute(
            "DELETE FROM device_messages WHERE team_id = $1 AND created_at < $2",
            &[&team, &(now - MESSAGE_TTL_SECS)],
        )
        .await?;
        let active = active_devices(&tx, team).await?;
        for (recipient, adding) in per_recipient(&messages) {
            let sent_today: i64 = tx
                .query_one(
                    "SELECT COUNT(*) FROM device_messages
                     WHERE recipient = $1 AND sender = $2 AND created_at >= $3",
                    &[&to_i64(recipient, "device id")?, &sender, &(now - 86_400)],
                )
                .await?
                .try_get(0)?;
            check_mailbox_quota(sent_today, adding)?;
        }
        for (recipient, body) in &messages {
            let r = to_i64(*recipient, "device id")?;
            if !active.contains(&r) {
                return Err(StorageError::NotTeamMember(*recipient));
            }
            tx.execute(
                "INSERT INTO device_messages (team_id, recipient, sender, body, created_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[&team, &r, &sender, body, &now],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn read_messages(
        &self,
        team_id: u64,
        recipient: u64,
        after: u64,
        limit: u32,
    ) -> Result<Vec<StoredMessage>, StorageError> {
        let team = to_i64(team_id, "team id")?;
        let recipient = to_i64(recipient, "device id")?;
        let after = to_i64(after, "cursor")?;
        let c = self.read_conn().await?;
        let rows = c
            .query(
                "SELECT id, sender, body FROM device_messages
                 WHERE team_id = $1 AND recipient = $2 AND id > $3 ORDER BY id LIMIT $4",
                &[&team, &recipient, &after, &i64::from(limit)],
            )
            .await?;
        rows.iter()
            .map(|r| Ok((to_u64(r.try_get(0)?), to_u64(r.try_get(1)?), r.try_get(2)?)))
            .collect()
    }

    pub(super) async fn store_directory(
        &self,
        bundle: DirectoryBundle,
        now: i64,
    ) -> Result<(), StorageError> {
        let v = to_i64(bundle.version, "directory version")?;
        let mut c = self.conn().await?;
        let tx = c.transaction().await?;
        // One publisher at a time: the version check and the insert must not interleave.
        tx.batch_execute("LOCK TABLE directory_bundles IN EXCLUSIVE MODE")
            .await?;
        let current: i64 = tx
            .query_one(
                "SELECT COALESCE(MAX(version), 0) FROM directory_bundles",
                &[],
            )
            .await?
            .try_get(0)?;
        check_directory_newer(v, current)?;
        tx.execute(
            "INSERT INTO directory_bundles (version, bundle, sha256, published_at) VALUES ($1, $2, $3, $4)",
            &[&v, &bundle.bundle, &&bundle.sha256[..], &now],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn read_latest_directory(
        &self,
    ) -> Result<Option<DirectoryBundle>, StorageError> {
        let c = self.read_conn().await?;
        let row = c
            .query_opt(
                "SELECT version, sha256, bundle FROM directory_bundles ORDER BY version DESC LIMIT 1",
                &[],
            )
            .await?;
        let Some(r) = row else {
            return Ok(None);
        };
        let sha: Vec<u8> = r.try_get(1)?;
        Ok(Some(DirectoryBundle {
            version: to_u64(r.try_get(0)?),
            sha256: sha.try_into().unwrap_or([0u8; 32]),
            bundle: r.try_get(2)?,
        }))
    }

    pub(super) async fn store_client_keys(
        &self,
        team_id: u64,
        wraps: Vec<ClientWrap>,
    ) -> Result<(), StorageError> {
        let team = to_i64(team_id, "team id")?;
        let mut c = self.conn().await?;
        let tx = c.transaction().await?;
        let Some(row) = tx
            .query_opt(
                "SELECT key_epoch FROM teams WHERE id = $1 FOR SHARE",
                &[&team],
            )
            .await?
        else {
            return Err(StorageError::NotFound("team"));
        };
        let current: i64 = row.try_get(0)?;
        for w in &wraps {
            check_wrap_epoch(w.epoch, current)?;
            let inserted = tx
                .execute(
                    "INSERT INTO client_key_wraps (team_id, epoch, client_id, wrap) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (team_id, epoch, client_id) DO NOTHING",
                    &[&team, &i64::from(w.epoch), &w.client_id, &w.wrap],
                )
                .await?;
            if inserted == 0 {
                let stored: Vec<u8> = tx
                    .query_one(
                        "SELECT wrap FROM client_key_wraps WHERE team_id = $1 AND epoch = $2 AND client_id = $3",
                        &[&team, &i64::from(w.epoch), &w.client_id],
                    )
                    .await?
                    .try_get(0)?;
                check_same_wrap(&stored, &w.wrap)?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn erase_client_key_wraps(
        &self,
        team_id: u64,
        client_id: Vec<u8>,
    ) -> Result<u64, StorageError> {
        let team = to_i64(team_id, "team id")?;
        let c = self.conn().await?;
        Ok(c.execute(
            "DELETE FROM client_key_wraps WHERE team_id = $1 AND client_id = $2",
            &[&team, &client_id],
        )
        .await?)
    }

    pub(super) async fn read_client_keys(
        &self,
        team_id: u64,
        epoch: Option<u32>,
    ) -> Result<Vec<ClientWrap>, StorageError> {
        let team = to_i64(team_id, "team id")?;
        let epoch = epoch.map(i64::from);
        let c = self.read_conn().await?;
        let rows = c
            .query(
                "SELECT epoch, client_id, wrap FROM client_key_wraps
                 WHERE team_id = $1 AND ($2::BIGINT IS NULL OR epoch = $2) ORDER BY epoch, client_id",
                &[&team, &epoch],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ClientWrap {
                    epoch: epoch_of(r.try_get(0)?),
                    client_id: r.try_get(1)?,
                    wrap: r.try_get(2)?,
                })
            })
            .collect()
    }
}
