//! The contact log's writers: log a contact under its own data key, change it, copy contacts
//! into a new client's timeline, and a supervisor's "seen" on a red-flagged contact.

use chrono::Utc;
use serde_json::{json, Map, Value};

use super::caller::caller_hash;
use super::stored::{CALLER, CONVERTED_TO, FROM_CONTACT, VOLUNTEER};
use super::ContactInput;
use crate::contact::{ContactEntry, ContactPerson, SelfHarm};
use crate::domain::{CaseDetails, ClientProfile, Consent};
use crate::episode::{Subject, Trigger};
use crate::ids::{ClientId, ContactId, EntityId, ReviewId};
use crate::records::{Op, RecordKind};
use crate::team::settings::Category;
use crate::vault::batch::Batch;
use crate::vault::error::VaultError;
use crate::vault::review::{ReviewAction, ReviewDraft};
use crate::vault::sealed::{to_fields, AUTHOR};

impl Batch<'_> {
    fn checked_fields(
        &mut self,
        input: &ContactInput,
        categories: &[Category],
    ) -> Result<Map<String, Value>, VaultError> {
        input
            .entry
            .check(Utc::now(), categories)
            .map_err(|e| VaultError::InvalidInput(e.to_string()))?;
        let mut fields = to_fields(&input.entry)?;
        if !input.caller_number.trim().is_empty() {
            let hash = caller_hash(self.ident, self.u, &input.caller_number)?;
            fields.insert(CALLER.into(), json!(hash));
        }
        Ok(fields)
    }

    /// Logs a contact: a fresh data key for it (wrapped under the team key, its creator proven
    /// like a client's) and the contact, naming this member as its volunteer. The caller's
    /// number, if given, is stored only as its hash.
    ///
    /// Fails with [`VaultError::InvalidInput`] (see [`ContactEntry::check`], a malformed number).
    pub fn add_contact(
        &mut self,
        input: &ContactInput,
        categories: &[Category],
    ) -> Result<ContactId, VaultError> {
        let mut fields = self.checked_fields(input, categories)?;
        fields.insert(AUTHOR.into(), json!(self.ident.member));
        let id = self.new_data_key()?;
        self.append(
            RecordKind::Contact,
            Op::Create,
            id.into(),
            id,
            None,
            &fields,
        )?;
        let id = ContactId(id.0);
        self.open_episode_if_self_harm(id, &input.entry)?;
        Ok(id)
    }

    /// A contact whose self-harm question is answered yes opens an episode on it (if none is
    /// open).
    fn open_episode_if_self_harm(
        &mut self,
        id: ContactId,
        entry: &ContactEntry,
    ) -> Result<(), VaultError> {
        if entry.self_harm == SelfHarm::Yes {
            self.open_episode(
                Subject::Contact(id),
                &Trigger::ContactSelfHarm { contact: id },
            )?;
        }
        Ok(())
    }

    /// Saves the fields of a contact that changed. Categories it already carries stay valid
    /// after the organisation drops them from its taxonomy.
    ///
    /// Fails for an unknown contact or like [`Batch::add_contact`].
    pub fn update_contact(
        &mut self,
        id: ContactId,
        input: &ContactInput,
        categories: &[Category],
    ) -> Result<(), VaultError> {
        let stored = self.reader().stored_contact(id)?;
        if let Some(client) = stored.converted_to {
            // Her words belong in the client's record now, under the client's key; the
            // original keeps only what statistics need (a colleague's form left open must not
            // write them back).
            return Err(VaultError::InvalidInput(format!(
                "this contact became a client ({client}); write in her profile instead"
            )));
        }
        let mut allowed = categories.to_vec();
        for code in &stored.entry.categories {
            allowed.push(Category {
                code: code.clone(),
                id: code.clone(),
                en: code.clone(),
            });
        }
        let fields = self.checked_fields(input, &allowed)?;
        let current = to_fields(&stored.entry)?;
        let mut changed: Map<String, Value> = fields
            .into_iter()
            .filter(|(k, v)| current.get(k) != Some(v))
            .collect();
        if changed
            .get(CALLER)
            .is_some_and(|h| stored.caller.as_ref().map(|c| json!(c)).as_ref() == Some(h))
        {
            changed.remove(CALLER);
        }
        if !changed.is_empty() {
            self.change_contact(id, &changed)?;
        }
        self.open_episode_if_self_harm(id, &input.entry)
    }

    /// "Jadikan klien": adds the client, records the consent given now, opens her case (at
    /// intake, assigned to this member), copies each contact
    /// (every field, its volunteer and caller hash, and where it came from) into the client's
    /// timeline sealed under the client's key, and marks each original as converted, emptying
    /// its personal fields (name, city, summary, callback number): what stays readable to the
    /// whole team is what statistics need. The emptied values remain in the original's history
    /// until trust 3/3 makes record bodies erasable (decision 0006).
    ///
    /// Fails for no contacts, an unknown contact or one converted before, or like
    /// [`Batch::add_client`] and [`Batch::record_consent`].
    pub fn convert_contacts(
        &mut self,
        contacts: &[ContactId],
        profile: &ClientProfile,
        consent: &Consent,
    ) -> Result<ClientId, VaultError> {
        if contacts.is_empty() {
            return Err(VaultError::InvalidInput(
                "choose the contacts that become the client's".into(),
            ));
        }
        let mut originals: Vec<(ContactId, _)> = Vec::with_capacity(contacts.len());
        for id in contacts {
            if originals.iter().any(|(o, _)| o == id) {
                continue;
            }
            let stored = self.reader().stored_contact(*id)?;
            if stored.from_contact.is_some() || stored.converted_to.is_some() {
                return Err(VaultError::InvalidInput(format!(
                    "contact {id} already belongs to a client"
                )));
            }
            originals.push((*id, stored));
        }
        let client = self.add_client(profile)?;
        self.record_consent(client, consent)?;
        // Her case opens at intake with the converting worker assigned, the presenting problem
        // in the words of the newest contact's summary.
        let newest = originals
            .iter()
            .max_by_key(|(_, s)| s.entry.started_at)
            .map(|(_, s)| s.entry.summary.trim().to_owned())
            .unwrap_or_default();
        self.open_case(
            client,
            &CaseDetails {
                presenting_problem: newest,
                assigned_worker: Some(self.ident.member),
                ..CaseDetails::default()
            },
        )?;
        for (id, stored) in originals {
            let mut copy = to_fields(&stored.entry)?;
            copy.insert(AUTHOR.into(), json!(self.ident.member));
            copy.insert(VOLUNTEER.into(), json!(stored.volunteer()));
            copy.insert(FROM_CONTACT.into(), json!(id));
            if let Some(hash) = &stored.caller {
                copy.insert(CALLER.into(), json!(hash));
            }
            self.create_child(client, RecordKind::Contact, None, &copy)?;
            let kept = ContactEntry {
                person: ContactPerson {
                    name: String::new(),
                    city: String::new(),
                    ..stored.entry.person.clone()
                },
                summary: String::new(),
                // The callback goes with her (on the copy, number and all).
                callback: None,
                ..stored.entry.clone()
            };
            let mut marked: Map<String, Value> = to_fields(&kept)?
                .into_iter()
                .filter(|(k, _)| matches!(k.as_str(), "person" | "summary" | "callback"))
                .collect();
            marked.insert(CONVERTED_TO.into(), json!(client));
            self.change_contact(id, &marked)?;
        }
        Ok(client)
    }

    /// Appends a change of `fields` to a contact, under the key it is sealed with.
    fn change_contact(
        &mut self,
        id: ContactId,
        fields: &Map<String, Value>,
    ) -> Result<(), VaultError> {
        let meta = self
            .reader()
            .expect(id.into(), RecordKind::Contact, "contact")?;
        self.append(
            RecordKind::Contact,
            Op::Update,
            id.into(),
            meta.client,
            None,
            fields,
        )
    }

    /// A supervisor's or admin's "seen" on a contact (approve, with an optional comment), or
    /// anyone's comment: a review record whose parent is the contact.
    ///
    /// Fails for an unknown contact, with [`VaultError::NotPermitted`] for an approval by
    /// someone else, or [`VaultError::InvalidInput`] for a return (contacts are not returned)
    /// or an empty comment.
    pub fn review_contact(
        &mut self,
        contact: ContactId,
        draft: &ReviewDraft,
    ) -> Result<ReviewId, VaultError> {
        let supervises = self
            .reader()
            .may(crate::permissions::Action::MarkContactSeen)?;
        match draft.action {
            ReviewAction::Approve if !supervises => {
                return Err(VaultError::NotPermitted(
                    "only a team's supervisor or admin marks a contact seen".into(),
                ))
            }
            ReviewAction::Return => {
                return Err(VaultError::InvalidInput(
                    "a contact is marked seen or commented on, not returned".into(),
                ))
            }
            ReviewAction::Comment if draft.comment.trim().is_empty() => {
                return Err(VaultError::InvalidInput("write a comment".into()))
            }
            _ => {}
        }
        let meta = self
            .reader()
            .expect(contact.into(), RecordKind::Contact, "contact")?;
        let mut fields = Map::new();
        fields.insert("action".into(), json!(draft.action));
        fields.insert("comment".into(), json!(draft.comment.trim()));
        fields.insert("reviewer".into(), json!(self.ident.member));
        fields.insert("at".into(), json!(Utc::now()));
        let id = EntityId::random();
        self.append(
            RecordKind::Review,
            Op::Create,
            id,
            meta.client,
            Some(contact.into()),
            &fields,
        )?;
        Ok(ReviewId(id.0))
    }
}
