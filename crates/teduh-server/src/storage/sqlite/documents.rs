//! What the server keeps for devices beside the record log, in SQLite: the organisation's
//! registered key and signed settings, the directory bundles, the client-key wraps and the
//! mailbox between a team's devices. All of it is opaque or signed by a key the server does not
//! hold; the server checks only what keeps junk out (versions, the registered key, epochs,
//! quotas). The `Storage` methods in `mod.rs` call these.

use rusqlite::{params, OptionalExtension as _, TransactionBehavior};

use super::active_devices;
use super::pool::SqliteStorage;
use crate::storage::rules::{
    check_directory_newer, check_mailbox_quota, check_org_settings, check_same_wrap,
    check_wrap_epoch, org_key_column, per_recipient, MESSAGE_TTL_SECS,
};
use crate::storage::{
    epoch_of, to_i64, to_u64, ClientWrap, DirectoryBundle, OrgDocuments, OrgSettingsUpload,
    StorageError, StoredMessage,
};

impl SqliteStorage {
    pub(super) async fn read_org_documents(&self) -> Result<OrgDocuments, StorageError> {
        self.with_reader(|c| {
            c.query_row("SELECT org_key, settings FROM org WHERE id = 1", [], |r| {
                Ok(OrgDocuments {
                    org_key: org_key_column(r.get(0)?),
                    settings: r.get(1)?,
                })
            })
            .optional()?
            .ok_or(StorageError::NotFound("organisation"))
        })
        .await
    }

    pub(super) async fn store_org_settings(
        &self,
        upload: OrgSettingsUpload,
    ) -> Result<(), StorageError> {
        self.with_conn(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let (key, current): (Option<Vec<u8>>, i64) = tx
                .query_row(
                    "SELECT org_key, settings_version FROM org WHERE id = 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?
                .ok_or(StorageError::NotFound("organisation"))?;
            check_org_settings(&upload, key.as_deref(), current)?;
            tx.execute(
                "UPDATE org SET org_key = ?1, settings = ?2, settings_version = ?3 WHERE id = 1",
                params![
                    &upload.key[..],
                    upload.signed,
                    to_i64(upload.version, "settings version")?
                ],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    pub(super) async fn store_org_key(&self, key: Option<[u8; 32]>) -> Result<(), StorageError> {
        self.with_conn(move |c| {
            let changed = c.execute(
                "UPDATE org SET org_key = ?1, settings = NULL, settings_version = 0 WHERE id = 1",
                params![key.as_ref().map(|k| &k[..])],
            )?;
            if changed == 0 {
                return Err(StorageError::NotFound("organisation"));
            }
            Ok(())
        })
        .await
    }

    pub(super) async fn store_messages(
        &self,
        team_id: u64,
        sender: u64,
        messages: Vec<(u64, Vec<u8>)>,
        now: i64,
    ) -> Result<(), StorageError> {
        self.with_conn(move |c| {
            let team = to_i64(team_id, "team id")?;
            let sender = to_i64(sender, "device id")?;
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "DELETE FROM device_messages WHERE team_id = ?1 AND created_at < ?2",
                params![team, now - MESSAGE_TTL_SECS],
            )?;
            let active = active_devices(&tx, team)?;
            for (recipient, adding) in per_recipient(&messages) {
                let sent_today: i64 = tx.query_row(
                    "SELECT COUNT(*) FROM device_messages
                     WHERE recipient = ?1 AND sender = ?2 AND created_at >= ?3",
                    params![to_i64(recipient, "device id")?, sender, now - 86_400],
                    |r| r.get(0),
                )?;
                check_mailbox_quota(sent_today, adding)?;
            }
            for (recipient, body) in &messages {
                let r = to_i64(*recipient, "device id")?;
                if !active.contains(&r) {
                    return Err(StorageError::NotTeamMember(*recipient));
                }
                tx.execute(
                    "INSERT INTO device_messages (team_id, recipient, sender, body, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![team, r, sender, body, now],
                )?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    pub(super) async fn read_messages(
        &self,
        team_id: u64,
        recipient: u64,
        after: u64,
        limit: u32,
    ) -> Result<Vec<StoredMessage>, StorageError> {
        self.with_reader(move |c| {
            let team = to_i64(team_id, "team id")?;
            let recipient = to_i64(recipient, "device id")?;
            let after = to_i64(after, "cursor")?;
            let mut st = c.prepare(
                "SELECT id, sender, body FROM device_messages
                 WHERE team_id = ?1 AND recipient = ?2 AND id > ?3 ORDER BY id LIMIT ?4",
            )?;
            let rows = st.query_map(params![team, recipient, after, i64::from(limit)], |r| {
                Ok((to_u64(r.get(0)?), to_u64(r.get(1)?), r.get(2)?))
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    pub(super) async fn store_directory(
        &self,
        bundle: DirectoryBundle,
        now: i64,
    ) -> Result<(), StorageError> {
        self.with_conn(move |c| {
            let v = to_i64(bundle.version, "directory version")?;
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let current: i64 = tx.query_row(
                "SELECT COALESCE(MAX(version), 0) FROM directory_bundles",
                [],
                |r| r.get(0),
            )?;
            check_directory_newer(v, current)?;
            tx.execute(
                "INSERT INTO directory_bundles (version, bundle, sha256, published_at) VALUES (?1, ?2, ?3, ?4)",
                params![v, bundle.bundle, &bundle.sha256[..], now],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    pub(super) async fn read_latest_directory(
        &self,
    ) -> Result<Option<DirectoryBundle>, StorageError> {
        self.with_reader(|c| {
            let row: Option<(i64, Vec<u8>, Vec<u8>)> = c
                .query_row(
                    "SELECT version, sha256, bundle FROM directory_bundles ORDER BY version DESC LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            Ok(row.map(|(version, sha, bundle)| DirectoryBundle {
                version: to_u64(version),
                sha256: sha.try_into().unwrap_or([0u8; 32]),
                bundle,
            }))
        })
        .await
    }

    pub(super) async fn store_client_keys(
        &self,
        team_id: u64,
        wraps: Vec<ClientWrap>,
    ) -> Result<(), StorageError> {
        self.with_conn(move |c| {
            let team = to_i64(team_id, "team id")?;
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let current: i64 = tx
                .query_row("SELECT key_epoch FROM teams WHERE id = ?1", [team], |r| r.get(0))
                .optional()?
                .ok_or(StorageError::NotFound("team"))?;
            for w in &wraps {
                check_wrap_epoch(w.epoch, current)?;
                let stored: Option<Vec<u8>> = tx
                    .query_row(
                        "SELECT wrap FROM client_key_wraps WHERE team_id = ?1 AND epoch = ?2 AND client_id = ?3",
                        params![team, i64::from(w.epoch), w.client_id],
                        |r| r.get(0),
                    )
                    .optional()?;
                match stored {
                    Some(s) => check_same_wrap(&s, &w.wrap)?,
                    None => {
                        tx.execute(
                            "INSERT INTO client_key_wraps (team_id, epoch, client_id, wrap) VALUES (?1, ?2, ?3, ?4)",
                            params![team, i64::from(w.epoch), w.client_id, w.wrap],
                        )?;
                    }
                }
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    pub(super) async fn erase_client_key_wraps(
        &self,
        team_id: u64,
        client_id: Vec<u8>,
    ) -> Result<u64, StorageError> {
        self.with_conn(move |c| {
            let team = to_i64(team_id, "team id")?;
            let n = c.execute(
                "DELETE FROM client_key_wraps WHERE team_id = ?1 AND client_id = ?2",
                params![team, client_id],
            )?;
            if n > 0 {
                super::pool::scrub(c);
            }
            Ok(n as u64)
        })
        .await
    }

    pub(super) async fn read_client_keys(
        &self,
        team_id: u64,
        epoch: Option<u32>,
    ) -> Result<Vec<ClientWrap>, StorageError> {
        self.with_reader(move |c| {
            let team = to_i64(team_id, "team id")?;
            let mut st = c.prepare(
                "SELECT epoch, client_id, wrap FROM client_key_wraps
                 WHERE team_id = ?1 AND (?2 IS NULL OR epoch = ?2) ORDER BY epoch, client_id",
            )?;
            let rows = st.query_map(params![team, epoch.map(i64::from)], |r| {
                Ok(ClientWrap {
                    epoch: epoch_of(r.get(0)?),
                    client_id: r.get(1)?,
                    wrap: r.get(2)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }
}
