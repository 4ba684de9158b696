//! The alarm-report step of a sync round ([`super::engine`]): this device reports the security
//! alarms it raised to the team's key managers' devices (each report signed by this device and
//! sealed to one of them, [`crate::team::report`]), and a key manager's device keeps the reports
//! addressed to it. A victim's round reports what it saw; the key manager's next round shows it.
//! Before it holds a roster, a device that joined with an invitation reports to its inviter's
//! device. The server can withhold a report, not read, forge or redirect one.

use teduh_protocol::sync::{DeviceMessage, NewMessages};
use x25519_dalek::PublicKey;

use super::engine::{Phase, Round, VaultAccess};
use super::roster::hex32;
use super::{Binding, SyncError, TransportError};
use crate::team::report;
use crate::vault::VaultError;

impl<A: VaultAccess> Round<'_, A> {
    /// Reports this device's new alarms, and, on a key manager's device, keeps the reports other
    /// devices sent it.
    pub(super) fn exchange_alarm_reports(&mut self) -> Result<(), SyncError> {
        let binding = self.local(|v| v.binding())?.ok_or(SyncError::NotJoined)?;
        self.send_reports(&binding)?;
        if binding.role.manages_keys() {
            self.receive_reports(&binding)?;
        }
        Ok(())
    }

    /// The devices this device reports to: the key managers' devices of its roster (but
    /// itself), or its inviter's device before it holds one.
    fn report_recipients(&mut self, b: &Binding) -> Result<Vec<(u64, [u8; 32])>, SyncError> {
        if let Some(roster) = self.local(|v| v.roster())? {
            return Ok(roster
                .key_manager_devices()
                .filter(|(_, d)| d.device != b.device)
                .filter_map(|(_, d)| Some((d.device, hex32(&d.x25519)?)))
                .collect());
        }
        Ok(self
            .local(|v| v.invitation_anchor())?
            .and_then(|a| Some((a.inviter_device, hex32(&a.inviter_x25519)?)))
            .into_iter()
            .collect())
    }

    fn send_reports(&mut self, b: &Binding) -> Result<(), SyncError> {
        let alarms = self.local(|v| v.unreported_alarms())?;
        if alarms.is_empty() {
            return Ok(());
        }
        let recipients = self.report_recipients(b)?;
        // The alarms that reached at least one key manager's device (in chunk order).
        let mut delivered = std::collections::BTreeSet::new();
        for (device, key) in recipients {
            let messages: Vec<DeviceMessage> = self.local(|v| {
                v.with_signing_key(|k| {
                    alarms
                        .iter()
                        .map(|(_, r)| DeviceMessage {
                            device_id: device,
                            body: report::seal(
                                r,
                                (b.team, b.device, device),
                                &PublicKey::from(key),
                                k,
                            ),
                        })
                        .collect()
                })
                .ok_or(VaultError::Locked)
            })?;
            for (chunk, ids) in messages.chunks(100).zip(alarms.chunks(100)) {
                let sent = self.t.post_messages(
                    &self.token,
                    self.team,
                    &NewMessages {
                        messages: chunk.to_vec(),
                    },
                );
                self.report(Phase::Keys)?;
                match sent {
                    Ok(()) => delivered.extend(ids.iter().map(|(id, _)| *id)),
                    // A key manager's device the server no longer serves (revoked there), or a
                    // full mailbox: the others still get the report, the rest goes next round.
                    Err(TransportError::Refused { .. }) => break,
                    Err(e) => return Err(e.into()),
                }
            }
        }
        if !delivered.is_empty() {
            let ids: Vec<i64> = delivered.into_iter().collect();
            let now = chrono::Utc::now().timestamp();
            self.local(|v| v.mark_alarms_reported(&ids, now))?;
        }
        Ok(())
    }

    fn receive_reports(&mut self, b: &Binding) -> Result<(), SyncError> {
        let roster = self.local(|v| v.roster())?;
        let mut cursor = self.local(|v| v.report_cursor())?;
        loop {
            let page = self.t.inbox(&self.token, self.team, cursor)?;
            self.report(Phase::Keys)?;
            let Some(last) = page.last().map(|m| m.id) else {
                return Ok(());
            };
            if last <= cursor {
                return Err(SyncError::Protocol(
                    "the server's mailbox does not move forward".into(),
                ));
            }
            let mut kept = Vec::new();
            for m in &page {
                let sender_key = roster
                    .as_ref()
                    .and_then(|r| r.device(m.sender_device))
                    .and_then(|d| d.verifying_key());
                let opened = self.local(|v| {
                    v.with_x25519(|x| {
                        report::open(
                            &m.body,
                            (b.team, m.sender_device, b.device),
                            x,
                            sender_key.as_ref(),
                        )
                    })
                    .ok_or(VaultError::Locked)
                })?;
                // What does not open (garbled), or claims a device of the roster whose key did
                // not sign it (made by the server or another device), is dropped; a report from
                // a device the roster does not list yet is kept, marked unverified.
                let forged =
                    sender_key.is_some() && opened.as_ref().is_some_and(|(_, verified)| !verified);
                if let Some((r, verified)) = opened.filter(|_| !forged) {
                    self.report.reported.push(format!(
                        "{} from device {}: {}",
                        r.kind, m.sender_device, r.detail
                    ));
                    kept.push((m.sender_device, r, verified));
                }
            }
            let now = chrono::Utc::now().timestamp();
            self.local(|v| v.keep_reports(&kept, last, now))?;
            cursor = last;
            if page.len() < teduh_protocol::sync::INBOX_PAGE as usize {
                return Ok(());
            }
        }
    }
}
