//! The contact log (issue 20, decision 0006): a volunteer's calls, chats and visits, anonymous
//! unless the caller says more.
//!
//! - An original contact is sealed like a client: its own data key, wrapped under the team key
//!   of each epoch, so every member of the team (whoever is on duty) opens it, and destroying
//!   that one key shreds that one contact. Its id is derived from its creating device like a
//!   client's ([`ClientId::derived`]), so the key is proven.
//! - The caller's number is never stored: only a slow keyed hash of it (`caller.rs`) inside the
//!   sealed record, which links repeat callers on every member's device.
//! - "Jadikan klien" (`convert_contacts`) makes a client and copies each contact into the
//!   client's timeline under the client's key; the original keeps what statistics need and
//!   points to the client, its personal fields emptied.
//! - Red-flagged contacts (the self-harm question answered yes, high or imminent risk) wait in
//!   the supervisor's queue until a supervisor marks them seen (a review record).
//!
//! `write.rs` holds the [`Batch`](super::Batch) writers, `read.rs` the sealed summaries (a
//! projection), the in-memory list the filter runs over, the queue and the figures.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

mod caller;
mod read;
pub(super) mod stored;
mod write;

pub(super) use read::{ContactCache, PROJECTION};

use super::error::VaultError;
use super::Vault;
use crate::contact::{Channel, ContactEntry};
use crate::domain::{ClientProfile, Consent};
use crate::ids::{ClientId, ContactId, MemberId, ReviewId};
use crate::vault::review::ReviewDraft;

/// One contact as the lists and the timeline show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ContactView {
    /// The contact (a copy in a client's timeline has its own id).
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub id: ContactId,
    /// What was recorded.
    pub entry: ContactEntry,
    /// The volunteer who took it.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub volunteer: Option<MemberId>,
    /// Whether the caller's number was recorded (as its hash) to link repeat calls.
    pub has_number: bool,
    /// The self-harm question answered yes, or a high or imminent risk.
    pub red_flag: bool,
    /// A supervisor marked it seen (red-flagged contacts wait for this).
    pub seen_by_supervisor: bool,
    /// The client it became (an original contact after "Jadikan klien").
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub converted_to: Option<ClientId>,
    /// The client whose timeline holds this copy (`None` for an original contact).
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub client: Option<ClientId>,
    /// When it was first saved.
    pub logged_at: DateTime<Utc>,
}

/// Which contacts the list shows. Every field narrows; the default shows all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct ContactFilter {
    /// Words to find in the name, city, summary, line or categories (case-insensitive).
    pub text: String,
    /// Only this channel.
    pub channel: Option<Channel>,
    /// Only this category code.
    pub category: Option<String>,
    /// Only red-flagged contacts.
    pub red_flag_only: bool,
    /// Only contacts started on or after this day (in each contact's zone).
    pub from: Option<NaiveDate>,
    /// Only contacts started on or before this day.
    pub to: Option<NaiveDate>,
    /// At most this many, newest first (0: 200).
    pub limit: u32,
}

/// A page of the contact list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ContactList {
    /// How many contacts match.
    pub total: u32,
    /// The newest of them, at most the filter's limit.
    pub contacts: Vec<ContactView>,
}

/// One figure of the dashboard's contact counts, with the contacts behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ContactCount {
    /// What is counted: a day (`YYYY-MM-DD`), a line's name, or a category code.
    pub key: String,
    /// How many.
    pub count: u32,
}

/// The dashboard's contact figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ContactStats {
    /// Contacts per day, the last seven days to today (oldest first, days without any too).
    pub per_day: Vec<ContactCount>,
    /// Contacts of those seven days per line, most first.
    pub per_line: Vec<ContactCount>,
    /// Contacts of those seven days per category, most first.
    pub per_category: Vec<ContactCount>,
    /// Callbacks agreed, due and not made: the contacts.
    pub callbacks_overdue: Vec<ContactView>,
}

/// A contact as the volunteer saves it: what she recorded, and the caller's number when she
/// typed one (kept only as its hash).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct ContactInput {
    /// What was recorded.
    pub entry: ContactEntry,
    /// The caller's number as typed (empty: none, or keep the one already recorded).
    pub caller_number: String,
}

impl Vault {
    /// Logs a new contact (and its data key); see [`Batch::add_contact`](super::Batch::add_contact).
    ///
    /// Fails when locked, with [`VaultError::InvalidInput`] for impossible times, an unknown
    /// category, a callback number without consent or a malformed number, or when the write
    /// fails.
    pub fn add_contact(&mut self, input: &ContactInput) -> Result<ContactId, VaultError> {
        let categories = self.contact_categories()?;
        self.batch(|b| b.add_contact(input, &categories))
    }

    /// Saves changes to a contact (only changed fields are written).
    ///
    /// Fails like [`Vault::add_contact`], or for an unknown contact.
    pub fn update_contact(
        &mut self,
        id: ContactId,
        input: &ContactInput,
    ) -> Result<(), VaultError> {
        let categories = self.contact_categories()?;
        self.batch(|b| b.update_contact(id, input, &categories))
    }

    /// One contact.
    ///
    /// Fails when locked, for an unknown contact, or with [`VaultError::Integrity`].
    pub fn contact(&mut self, id: ContactId) -> Result<ContactView, VaultError> {
        self.reader()?.contact(id)
    }

    /// The contact list, newest first, narrowed by `filter`. Runs over an in-memory list built
    /// at the first call after unlock and kept current, so it is fast enough per keystroke.
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn contacts(&mut self, filter: &ContactFilter) -> Result<ContactList, VaultError> {
        self.reader()?.list_contacts(filter)
    }

    /// Earlier contacts from the same number (newest first), leaving out `except` (the contact
    /// being written). The number is compared by its hash only.
    ///
    /// Fails when locked, or with [`VaultError::InvalidInput`] for a malformed number.
    pub fn previous_contacts(
        &mut self,
        number: &str,
        except: Option<ContactId>,
    ) -> Result<Vec<ContactView>, VaultError> {
        self.reader()?.previous_contacts(number, except)
    }

    /// The contacts in a client's timeline (copied in when she became a client), oldest first.
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn client_contacts(&mut self, client: ClientId) -> Result<Vec<ContactView>, VaultError> {
        self.reader()?.client_contacts(client)
    }

    /// "Jadikan klien": makes a client of the caller of `contacts`, records the consent given
    /// at that moment (checked like any consent: a child's through a parent or guardian), opens
    /// her case and copies every contact into the client's timeline; see
    /// [`Batch::convert_contacts`](super::Batch::convert_contacts).
    ///
    /// Fails when locked, for an unknown or already converted contact, or like
    /// [`Vault::add_client`] and [`Vault::record_consent`].
    pub fn convert_contacts(
        &mut self,
        contacts: &[ContactId],
        profile: &ClientProfile,
        consent: &Consent,
    ) -> Result<ClientId, VaultError> {
        self.batch(|b| b.convert_contacts(contacts, profile, consent))
    }

    /// Red-flagged contacts that no supervisor has marked seen, newest first: the
    /// supervisor's queue shows them above the notes.
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn contact_queue(&mut self) -> Result<Vec<ContactView>, VaultError> {
        self.reader()?.contact_queue()
    }

    /// A supervisor marks a contact seen (with an optional comment): it leaves the queue.
    ///
    /// Fails when locked, for an unknown contact, or with [`VaultError::NotPermitted`] when
    /// this member is not a supervisor or admin.
    pub fn review_contact(
        &mut self,
        contact: ContactId,
        draft: &ReviewDraft,
    ) -> Result<ReviewId, VaultError> {
        self.batch(|b| b.review_contact(contact, draft))
    }

    /// The dashboard's contact figures for the seven days to `today`, and overdue callbacks
    /// at `now`.
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn contact_stats(
        &mut self,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<ContactStats, VaultError> {
        self.reader()?.contact_stats(today, now)
    }

    /// The line this member's newest contact came in on (the contact form's default: a
    /// volunteer on shift takes one line's calls).
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn my_last_line(&mut self) -> Result<Option<crate::contact::ContactLine>, VaultError> {
        self.reader()?.my_last_line()
    }

    /// The issue categories a contact may carry: the organisation's taxonomy, or the
    /// default one before the organisation set any.
    ///
    /// Fails when the database cannot be read.
    pub fn contact_categories(&self) -> Result<Vec<crate::team::settings::Category>, VaultError> {
        Ok(self
            .org_settings()?
            .unwrap_or_else(|| crate::team::settings::OrgSettings::initial(""))
            .taxonomies
            .contact_categories)
    }
}

#[cfg(test)]
mod tests;
