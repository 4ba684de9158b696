//! The organisation-settings step of a sync round ([`super::engine`]): a device whose signed
//! roster names an organisation key takes the newest settings record the server holds when it
//! verifies against that key, and gives the server back a newer one it holds (a server
//! restored from a backup, or the administrator's own edit). A record the key did not sign is
//! refused with the `forged-org-settings` alarm; an older one is no attack (a restore) and
//! raises nothing.

use super::engine::{Phase, Round, VaultAccess};
use super::{SyncError, TransportError};
use crate::team::settings::{OrgSettings, SettingsError};
use crate::team::AlarmKind;

impl<A: VaultAccess> Round<'_, A> {
    /// Exchanges the organisation settings with the server.
    pub(super) fn exchange_org_settings(&mut self) -> Result<(), SyncError> {
        let Some(org_key) = self.local(|v| v.roster())?.and_then(|r| r.org_key) else {
            return Ok(());
        };
        let info = self.t.org_info(&self.token)?;
        self.report(Phase::Keys)?;
        // The administrator's device makes the first record (which registers the key).
        if info.settings.is_none() && self.local(|v| v.org_key_public())? == Some(org_key.clone()) {
            self.local(|v| v.first_org_settings(&info.name))?;
        }
        let held = self.local(|v| v.held_org_settings())?;
        let held_version = held.as_ref().map_or(0, |(v, _)| *v);
        let served_version = match &info.settings {
            None => 0,
            Some(signed) => match OrgSettings::verify(signed, &org_key) {
                Ok(s) => {
                    if s.version > held_version {
                        self.local(|v| v.keep_org_settings(s.version, signed))?;
                    }
                    s.version
                }
                Err(SettingsError::Forged | SettingsError::Malformed(_)) => {
                    // Refused; the record held stays in use and is given back below.
                    let detail = "the server's organisation settings do not verify against \
                                  the organisation key the roster names";
                    self.alarm(AlarmKind::ForgedOrgSettings, 0, 0, detail, signed)?;
                    0
                }
            },
        };
        if let Some((_, signed)) = held.filter(|(v, _)| *v > served_version) {
            match self.t.put_org_settings(&self.token, &signed) {
                // Another device gave back the same or a newer one meanwhile; or the server
                // has no key registered yet and only the administrator's device registers it.
                Ok(()) | Err(TransportError::Refused { .. }) => {}
                Err(e) => return Err(e.into()),
            }
            self.report(Phase::Keys)?;
        }
        Ok(())
    }
}
