//! Alarm reports in the vault: which of this device's own alarms were reported to the team's
//! key managers, and, on a key manager's device, the reports other devices sent it
//! ([`crate::team::report`]).

use rusqlite::params;

use crate::team::report::AlarmReport;
use crate::vault::error::VaultError;
use crate::vault::Vault;

/// An alarm another device of the team reported to this key manager's device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedAlarm {
    /// The reporting device (the server's number).
    pub reporter: u64,
    /// The alarm's code.
    pub kind: String,
    /// The device or member it concerns (0: the server).
    pub subject: u64,
    /// The sequence, epoch or version it concerns.
    pub seq: u64,
    /// What the reporting device saw, in English.
    pub detail: String,
    /// When the reporting device raised it (Unix seconds).
    pub raised_at: i64,
    /// When this device received the report (Unix seconds).
    pub received_at: i64,
    /// Signed by a device this device's roster lists (else: from a device still waiting to be
    /// admitted, whose key no one confirmed yet).
    pub verified: bool,
}

impl Vault {
    /// This device's alarms not reported yet, with their row ids.
    ///
    /// Fails when the database cannot be read.
    pub(crate) fn unreported_alarms(&self) -> Result<Vec<(i64, AlarmReport)>, VaultError> {
        Ok(self
            .store
            .connection()
            .prepare(
                "SELECT id, kind, device, seq, detail, first_seen FROM security_alarm
                 WHERE reported_at IS NULL ORDER BY id",
            )?
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    AlarmReport {
                        kind: r.get(1)?,
                        subject: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                        seq: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
                        detail: r.get(4)?,
                        raised_at: r.get(5)?,
                    },
                ))
            })?
            .collect::<Result<_, _>>()?)
    }

    /// Marks alarms as reported (by row id).
    ///
    /// Fails when the write fails.
    pub(crate) fn mark_alarms_reported(&mut self, ids: &[i64], now: i64) -> Result<(), VaultError> {
        let tx = self.store.connection_mut().transaction()?;
        for id in ids {
            tx.execute(
                "UPDATE security_alarm SET reported_at = ?1 WHERE id = ?2",
                params![now, id],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The mailbox id up to which this device read its reports.
    ///
    /// Fails when the database cannot be read.
    pub(crate) fn report_cursor(&self) -> Result<u64, VaultError> {
        let c: i64 = self.store.connection().query_row(
            "SELECT report_cursor FROM sync_binding WHERE id = 1",
            [],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(c).unwrap_or(0))
    }

    /// Keeps received reports (a report already kept is not kept twice) and moves the mailbox
    /// cursor, in one transaction. Returns how many were new.
    ///
    /// Fails when the write fails (then nothing changed).
    pub(crate) fn keep_reports(
        &mut self,
        reports: &[(u64, AlarmReport, bool)],
        cursor: u64,
        now: i64,
    ) -> Result<usize, VaultError> {
        let tx = self.store.connection_mut().transaction()?;
        let mut new = 0;
        for (reporter, r, verified) in reports {
            new += tx.execute(
                "INSERT INTO alarm_report (reporter, kind, subject, seq, detail, raised_at,
                     received_at, verified)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (reporter, kind, subject, seq) DO UPDATE SET
                     detail = excluded.detail, raised_at = excluded.raised_at, verified = 1
                 WHERE alarm_report.verified = 0 AND excluded.verified = 1",
                params![
                    i64::try_from(*reporter).unwrap_or(i64::MAX),
                    r.kind,
                    i64::try_from(r.subject).unwrap_or(i64::MAX),
                    i64::try_from(r.seq).unwrap_or(i64::MAX),
                    r.detail,
                    r.raised_at,
                    now,
                    i64::from(*verified)
                ],
            )?;
        }
        tx.execute(
            "UPDATE sync_binding SET report_cursor = MAX(report_cursor, ?1) WHERE id = 1",
            [i64::try_from(cursor).unwrap_or(i64::MAX)],
        )?;
        tx.commit()?;
        Ok(new)
    }

    /// The alarms other devices of the team reported to this (key manager's) device, newest
    /// first.
    ///
    /// Fails when the database cannot be read.
    pub fn reported_alarms(&self) -> Result<Vec<ReportedAlarm>, VaultError> {
        Ok(self
            .store
            .connection()
            .prepare(
                "SELECT reporter, kind, subject, seq, detail, raised_at, received_at, verified
                 FROM alarm_report ORDER BY id DESC",
            )?
            .query_map([], |r| {
                Ok(ReportedAlarm {
                    reporter: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                    kind: r.get(1)?,
                    subject: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                    seq: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
                    detail: r.get(4)?,
                    raised_at: r.get(5)?,
                    received_at: r.get(6)?,
                    verified: r.get::<_, i64>(7)? != 0,
                })
            })?
            .collect::<Result<_, _>>()?)
    }
}
