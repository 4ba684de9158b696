//! A contact's fields as stored: the entry the volunteer wrote and the fields the vault adds
//! (its author, the caller hash, the links of a conversion). A leaf both the writers and the
//! readers of the contact log use.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::contact::ContactEntry;
use crate::ids::{ClientId, ContactId, MemberId};
use crate::vault::error::VaultError;
use crate::vault::sealed::from_fields;

/// The stored field holding the caller's number hash.
pub(in crate::vault) const CALLER: &str = "caller";
/// On a copy in a client's timeline: the volunteer who took the original.
pub(in crate::vault) const VOLUNTEER: &str = "volunteer";
/// On a copy: the original contact.
pub(in crate::vault) const FROM_CONTACT: &str = "from_contact";
/// On an original: the client it became.
pub(in crate::vault) const CONVERTED_TO: &str = "converted_to";

/// A contact's fields as stored: the entry and what the vault adds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(in crate::vault) struct StoredContact {
    #[serde(flatten)]
    pub(super) entry: ContactEntry,
    /// Who signed the record that created it (the volunteer, or on a copy who converted it).
    #[serde(default)]
    pub(super) author: Option<MemberId>,
    #[serde(default)]
    pub(super) volunteer: Option<MemberId>,
    #[serde(default)]
    pub(super) caller: Option<String>,
    #[serde(default)]
    pub(super) converted_to: Option<ClientId>,
    #[serde(default)]
    pub(super) from_contact: Option<ContactId>,
    /// Some version of its triage raised a red flag: set when the summary is made (from the
    /// field's history), kept in the sealed summary.
    #[serde(default)]
    pub(super) red_flag_raised: bool,
}

impl StoredContact {
    /// The volunteer who took the contact.
    pub(super) fn volunteer(&self) -> Option<MemberId> {
        self.volunteer.or(self.author)
    }
}

/// Reads a stored contact's fields.
pub(in crate::vault) fn stored_from(
    fields: Map<String, Value>,
) -> Result<StoredContact, VaultError> {
    from_fields(fields, "contact")
}
