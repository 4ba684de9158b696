//! The access export (issue 25, UU PDP Ps 32): the answer to a person's access or portability
//! request, everything stored about her with its processing trail, for her to keep.
//!
//! It is made only for a registered, open request of hers whose identity check is recorded, so
//! every copy that leaves the service answers a request in the register; and making it is an
//! "exported" entry in her audit trail. Third-party passages (`[[...]]`) are redacted in what
//! it gives out: [`AccessExport::to_json`] here, the PDF in `teduh_report::access`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::super::error::VaultError;
use super::super::requests::RequestView;
use super::super::{ClientExport, Review, Vault};
use super::trail::TrailEvent;
use super::AccessAction;
use crate::ids::RequestId;
use crate::report::redact::third_party;
use crate::request::{IdentityCheck, RequestKind};

/// Version of the access export's JSON.
pub const ACCESS_EXPORT_FORMAT: u32 = 1;

/// What an access export holds. The struct holds her record as stored, third-party passages
/// included: hand out only [`AccessExport::to_json`] or the PDF made from it, which redact.
#[derive(Debug, Clone, Serialize)]
pub struct AccessExport {
    /// [`ACCESS_EXPORT_FORMAT`].
    pub format: u32,
    /// When it was made.
    pub made_at: DateTime<Utc>,
    /// Who made it (her login name), when this device is in a team.
    pub made_by: Option<String>,
    /// The request it answers.
    pub request: RequestView,
    /// Everything stored about her.
    pub data: ClientExport,
    /// Supervisors' reviews of her notes.
    pub reviews: Vec<Review>,
    /// Everything done with her data, oldest first.
    pub trail: Vec<TrailEvent>,
}

impl AccessExport {
    /// The export as JSON for her to keep or take elsewhere (portability): every text with its
    /// third-party passages replaced by the redaction mark, and `redacted_passages` saying how
    /// many were. Returns the bytes and that count.
    pub fn to_json(&self) -> Result<(Vec<u8>, usize), VaultError> {
        let mut value =
            serde_json::to_value(self).map_err(|e| VaultError::Log(format!("export: {e}")))?;
        let redacted = redact_all(&mut value);
        if let Value::Object(map) = &mut value {
            map.insert("redacted_passages".into(), redacted.into());
        }
        let bytes = serde_json::to_vec_pretty(&value)
            .map_err(|e| VaultError::Log(format!("export: {e}")))?;
        Ok((bytes, redacted))
    }
}

/// Replaces the third-party passages of every string in `value`; returns how many there were.
fn redact_all(value: &mut Value) -> usize {
    match value {
        Value::String(s) => {
            let (clean, n) = third_party(s);
            if n > 0 {
                *s = clean;
            }
            n
        }
        Value::Array(items) => items.iter_mut().map(redact_all).sum(),
        Value::Object(map) => map.values_mut().map(redact_all).sum(),
        _ => 0,
    }
}

impl Vault {
    /// Makes the access export answering `request` and writes it to her audit trail as an
    /// export (made by this member, now).
    ///
    /// Fails when locked; with [`VaultError::InvalidInput`] when the request is not for access
    /// or portability or is already answered; with [`VaultError::NotPermitted`] while her
    /// identity is not checked (nothing is disclosed before it is); for a client this device
    /// cannot read; or with [`VaultError::Integrity`].
    pub fn access_export(&mut self, request: RequestId) -> Result<AccessExport, VaultError> {
        let request = self.request(request)?;
        if !matches!(
            request.request.kind,
            RequestKind::Access | RequestKind::Portability
        ) {
            return Err(VaultError::InvalidInput(format!(
                "an access export answers an access or portability request, not {}",
                request.request.kind.as_str()
            )));
        }
        if !request.is_open() {
            return Err(VaultError::InvalidInput(
                "this request is already answered; register a new one for a new copy".into(),
            ));
        }
        if request.request.identity == IdentityCheck::NotYet {
            return Err(VaultError::NotPermitted(
                "record how the requester's identity was checked before giving out her data".into(),
            ));
        }
        let client = request.client;
        let data = self.export_client(client)?;
        let reviews = self.reviews_of(&data.notes)?;
        let trail = self.trail_with(client, &data.referrals)?;
        let made_by = self.binding()?.map(|b| b.username);
        self.record_access(client, AccessAction::Exported, request.id.into())?;
        Ok(AccessExport {
            format: ACCESS_EXPORT_FORMAT,
            made_at: Utc::now(),
            made_by,
            request,
            data,
            reviews,
            trail,
        })
    }
}
