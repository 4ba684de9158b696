//! Erased records reach the server: this device sends the tombstone of each record it erased
//! whose server copy may still hold the body ([`teduh_protocol::tombstone`]); the server checks
//! each against the stored bytes and replaces the record. A device sends its own records'
//! tombstones (once the server acknowledged them: until then its push sends them); a key
//! manager's device, who approves erasures, sends everyone's, so the server loses the bodies of
//! a device that is offline or revoked too. What the server took is remembered in
//! `tombstone_sent`, and forgotten when the server turns out restored from a backup (which may
//! hold the bodies again).

use rusqlite::params;
use teduh_protocol::sync::Record;

use crate::records::{self, FORMAT_SEALED_HEADER};
use crate::vault::error::VaultError;
use crate::vault::Vault;

impl Vault {
    /// The next tombstones this device sends to the server, as the server stores them: at most
    /// `limit`, in a page of at most `max_bytes` ([`Vault::wire_page`]).
    ///
    /// Fails when locked, or the log cannot be read.
    pub fn tombstones_due(
        &mut self,
        limit: usize,
        max_bytes: u64,
    ) -> Result<Vec<Record>, VaultError> {
        let any: bool = self.store.connection().query_row(
            "SELECT EXISTS (SELECT 1 FROM erased_client UNION ALL SELECT 1 FROM erased_entity)",
            [],
            |r| r.get(0),
        )?;
        if !any {
            return Ok(Vec::new());
        }
        // No role: a device of its own, with no colleague's record to erase.
        let everyone = self.my_role()?.is_some_and(|r| r.manages_keys());
        let acked = self.binding()?.map_or(0, |b| b.acked_seq);
        let rows = records::erased_records_where(
            self.store.connection(),
            "format >= ?1
             AND NOT EXISTS (SELECT 1 FROM tombstone_sent t
                             WHERE t.device_id = record_log.device_id AND t.seq = record_log.seq)
             AND ((device_id = ?2 AND seq <= ?3) OR (?4 AND device_id != ?2))
             LIMIT ?5",
            params![
                FORMAT_SEALED_HEADER,
                &self.ident.device.0[..],
                i64::try_from(acked).unwrap_or(i64::MAX),
                everyone,
                i64::try_from(limit).unwrap_or(i64::MAX)
            ],
        )?;
        // Only devices the server numbers (every device of the team).
        let rows: Vec<_> = rows
            .into_iter()
            .filter(|r| r.device.server_number().is_some())
            .collect();
        self.wire_page(&rows, max_bytes)
    }

    /// The server took `sent` (it replaced each stored record, held it so already, or held
    /// nothing there).
    ///
    /// Fails when the write fails.
    pub fn tombstones_sent(&mut self, sent: &[Record]) -> Result<(), VaultError> {
        let tx = self.store.connection_mut().transaction()?;
        {
            let mut st = tx.prepare_cached(
                "INSERT INTO tombstone_sent (device_id, seq) VALUES (?1, ?2)
                 ON CONFLICT DO NOTHING",
            )?;
            for r in sent {
                let device = crate::ids::DeviceId::from_server(r.device_id);
                st.execute(params![
                    &device.0[..],
                    i64::try_from(r.device_seq).unwrap_or(i64::MAX)
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The server was restored from a backup: it may hold erased bodies again, so every
    /// tombstone is sent again.
    ///
    /// Fails when the write fails.
    pub(crate) fn resend_tombstones(&mut self) -> Result<(), VaultError> {
        self.store
            .connection()
            .execute("DELETE FROM tombstone_sent", [])?;
        Ok(())
    }
}

impl Vault {
    /// After a complete pull: raises an alarm for each record another device's log holds
    /// erased whose client (or itself) no applied erasure names (the server may have made its tombstone up
    /// to hide the record), once per record. Returns the new alarms' descriptions.
    ///
    /// Fails when locked or the database cannot be written.
    pub(crate) fn check_erased_records(&mut self) -> Result<Vec<String>, VaultError> {
        let rows = records::erased_records_where(
            self.store.connection(),
            "device_id != ?1 AND client_id NOT IN (SELECT client_id FROM erased_client)
             AND entity_id NOT IN (SELECT entity_id FROM erased_entity)
             ORDER BY device_id, seq",
            [&self.ident.device.0[..]],
        )?;
        let mut alarms = Vec::new();
        for row in rows {
            let Some(device) = row.device.server_number() else {
                continue;
            };
            let evidence = teduh_protocol::sync::PushPage {
                records: self.wire_records(std::slice::from_ref(&row))?,
            }
            .encode();
            let detail = "the server sent this record erased, but no erasure of its client \
                          arrived: it may be hiding the record";
            if crate::vault::sync_ops::insert_alarm(
                self.store.connection(),
                crate::team::AlarmKind::ErasedWithoutErasure,
                device,
                row.seq,
                detail,
                &evidence,
            )? {
                alarms.push(format!("record {device}/{}: {detail}", row.seq));
            }
        }
        Ok(alarms)
    }
}
