//! Reading contacts: the sealed summary of each (a projection of the sealed store, one envelope
//! per contact in `contact_summaries`), the in-memory list the filter runs over (built at the
//! first read after unlock, then refreshed per changed contact), repeat callers, a client's
//! timeline, the supervisor's queue and the dashboard's figures.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::caller::caller_hash;
use super::stored::{stored_from, StoredContact};
use super::{ContactCount, ContactFilter, ContactList, ContactStats, ContactView};
use crate::contact::ContactLine;
use crate::ids::{ClientId, ContactId, DeviceId, EntityId};
use crate::records::RecordKind;
use crate::screening::ScoringConfig;
use crate::vault::error::VaultError;
use crate::vault::identity::Identity;
use crate::vault::projection::{Current, Projection};
use crate::vault::read::{EntityMeta, Reader};
use crate::vault::review::state::{review_step, ReviewAction, ReviewStep};
use crate::vault::sealed::{client_key, id16};
use crate::vault::Unlocked;

/// What `contact_summaries` seals per contact.
#[derive(Serialize, Deserialize)]
struct Summary {
    contact: StoredContact,
    logged_at: DateTime<Utc>,
}

fn summary_context(contact: &[u8; 16]) -> Vec<u8> {
    let mut c = b"teduh/contact-summary/v1".to_vec();
    c.extend_from_slice(contact);
    c
}

/// The contact summaries as a projection: refreshed whenever a contact record is applied.
pub(in crate::vault) const PROJECTION: Projection = Projection {
    kind: RecordKind::Contact,
    table: "contact_summaries",
    column: "contact_id",
    refresh: refresh_summary,
};

fn refresh_summary(
    conn: &Connection,
    ident: &Identity,
    u: &mut Unlocked,
    entity: EntityId,
    client: ClientId,
    _current: &Current<'_>,
) -> Result<(), VaultError> {
    // The list is refreshed from the committed table at its next read: a batch that rolls
    // back leaves nothing stale behind.
    u.contacts.stale.push(entity);
    // A change that arrived before the contact's creation (another device's, relayed out of
    // order) waits for it: the creation refreshes the summary.
    let created: Option<i64> = conn
        .prepare_cached("SELECT created_hlc FROM entities WHERE entity_id = ?1")?
        .query_row([&entity.0[..]], |row| row.get(0))
        .optional()?;
    let Some(hlc) = created else {
        return Ok(());
    };
    let scoring = ScoringConfig::default();
    let mut r = Reader {
        conn,
        ident,
        u,
        scoring: &scoring,
    };
    let contact = match read_contact(&mut r, entity, client) {
        Ok(c) => c,
        // A contact that cannot be read stays out of the lists (named among the damaged
        // records) rather than stopping every later record from being applied.
        Err(VaultError::Integrity { record }) => {
            if !r.u.damaged.contains(&record) {
                r.u.damaged.push(record);
            }
            conn.prepare_cached("DELETE FROM contact_summaries WHERE contact_id = ?1")?
                .execute([&entity.0[..]])?;
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    let millis = i64::try_from(crate::hlc::Hlc::from_i64(hlc).millis()).unwrap_or(0);
    let summary = Summary {
        contact,
        logged_at: DateTime::from_timestamp_millis(millis).unwrap_or_default(),
    };
    let json = Zeroizing::new(
        serde_json::to_vec(&summary).map_err(|e| VaultError::InvalidInput(e.to_string()))?,
    );
    let sealed = client_key(conn, ident, r.u, client)?.seal(&summary_context(&entity.0), &json);
    conn.prepare_cached(
        "INSERT INTO contact_summaries (contact_id, client_id, sealed) VALUES (?1, ?2, ?3)
         ON CONFLICT (contact_id) DO UPDATE SET sealed = excluded.sealed",
    )?
    .execute(params![&entity.0[..], &client.0[..], sealed])?;
    Ok(())
}

/// A contact's current fields, with `red_flag_raised` set when any version ever written of its
/// triage raised a red flag (a later "no" does not take it out of the supervisor's queue).
fn read_contact(
    r: &mut Reader<'_>,
    entity: EntityId,
    client: ClientId,
) -> Result<StoredContact, VaultError> {
    let meta = EntityMeta {
        kind: RecordKind::Contact,
        client,
        parent: None,
    };
    let mut contact = stored_from(r.fields(entity, &meta)?)?;
    let mut raised = contact.entry.red_flag();
    let earlier: Vec<(String, Vec<u8>, i64, Vec<u8>)> = r
        .conn
        .prepare_cached(
            "SELECT field, device_id, seq, value FROM field_versions
             WHERE entity_id = ?1 AND field IN ('self_harm', 'risk')",
        )?
        .query_map([&entity.0[..]], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?
        .collect::<Result<_, _>>()?;
    for (field, device, seq, value) in earlier {
        let v: Option<serde_json::Value> = r.open_field(
            entity,
            RecordKind::Contact,
            client,
            &field,
            &device,
            seq,
            &value,
        )?;
        raised |= matches!(
            (field.as_str(), v.as_ref().and_then(|v| v.as_str())),
            ("self_harm", Some("yes")) | ("risk", Some("high" | "imminent"))
        );
    }
    contact.red_flag_raised = raised;
    Ok(contact)
}

/// One contact of the in-memory list.
struct Listed {
    view: ContactView,
    caller: Option<String>,
    /// Lower-case text the filter searches.
    haystack: String,
    day: Option<NaiveDate>,
}

/// Decrypted words are wiped when an entry leaves the list (a change, a lock): the list holds
/// every contact's name, city and summary while unlocked.
impl Drop for Listed {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.haystack.zeroize();
        let e = &mut self.view.entry;
        e.summary.zeroize();
        e.person.name.zeroize();
        e.person.city.zeroize();
        if let Some(cb) = e.callback.as_mut() {
            cb.number.zeroize();
        }
    }
}

/// The contact list while unlocked: every contact's view, newest first, with what the filter
/// and the repeat-caller lookup need.
#[derive(Default)]
pub(in crate::vault) struct ContactCache {
    loaded: bool,
    listed: Vec<Listed>,
    /// Contacts changed since the list was read.
    stale: Vec<EntityId>,
}

impl ContactCache {
    /// Forgets everything (after a rebuild of the tables).
    pub(in crate::vault) fn clear(&mut self) {
        *self = Self::default();
    }

    fn insert(&mut self, item: Listed) {
        let key = |l: &Listed| std::cmp::Reverse((l.view.entry.started_at, l.view.logged_at));
        let at = self.listed.partition_point(|l| key(l) < key(&item));
        self.listed.insert(at, item);
    }
}

fn listed(id: EntityId, client: ClientId, summary: Summary) -> Listed {
    let Summary { contact, logged_at } = summary;
    let entry = &contact.entry;
    let mut haystack = String::new();
    for part in [
        entry.person.name.as_str(),
        entry.person.city.as_str(),
        entry.summary.as_str(),
        entry.line.as_ref().map_or("", |l| l.name.as_str()),
    ] {
        haystack.push_str(&part.to_lowercase());
        haystack.push('\n');
    }
    for c in &entry.categories {
        haystack.push_str(c);
        haystack.push('\n');
    }
    let day = entry.started_at.map(|t| {
        t.with_timezone(&entry.zone.unwrap_or_default().offset())
            .date_naive()
    });
    // A copy in a client's timeline is sealed under the client's key (its own id differs from
    // the key's); an original under its own.
    let is_copy = id.0 != client.0;
    let red_flag = entry.red_flag() || contact.red_flag_raised;
    let volunteer = contact.volunteer();
    let StoredContact {
        entry,
        caller,
        converted_to,
        ..
    } = contact;
    Listed {
        view: ContactView {
            id: ContactId(id.0),
            red_flag,
            has_number: caller.is_some(),
            volunteer,
            seen_by_supervisor: false,
            converted_to,
            client: is_copy.then_some(client),
            logged_at,
            entry,
        },
        caller,
        haystack,
        day,
    }
}

impl Reader<'_> {
    pub(super) fn stored_contact(&mut self, id: ContactId) -> Result<StoredContact, VaultError> {
        let meta = self.expect(id.into(), RecordKind::Contact, "contact")?;
        stored_from(self.fields(id.into(), &meta)?)
    }

    fn open_summary(
        &mut self,
        id: &[u8; 16],
        client: ClientId,
        sealed: &[u8],
    ) -> Result<Summary, VaultError> {
        let key = client_key(self.conn, self.ident, self.u, client)?;
        let damaged = || VaultError::Integrity {
            record: format!("the summary of contact {}", crate::ids::hex(id)),
        };
        let pt = key
            .open(&summary_context(id), sealed)
            .map_err(|_| damaged())?;
        serde_json::from_slice(&pt).map_err(|_| damaged())
    }

    /// The contacts taken on the days `first..=last` (where they were taken), with their day,
    /// originals only:
    /// the copy a contact leaves on the client it became is the same contact (as the
    /// dashboard's figures count it).
    pub(in crate::vault) fn contacts_between(
        &mut self,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<Vec<(NaiveDate, ContactView)>, VaultError> {
        self.current_contacts()?;
        Ok(self
            .u
            .contacts
            .listed
            .iter()
            .filter(|l| l.view.client.is_none())
            .filter_map(|l| {
                Some((
                    l.day.filter(|d| (first..=last).contains(d))?,
                    l.view.clone(),
                ))
            })
            .collect())
    }

    /// The original contacts that did not become a client, with their day (where they were
    /// taken): what the contacts' retention period counts ([`crate::vault::RetentionDue`]).
    pub(in crate::vault) fn unconverted_contacts(
        &mut self,
    ) -> Result<Vec<(Option<NaiveDate>, ContactView)>, VaultError> {
        self.current_contacts()?;
        Ok(self
            .u
            .contacts
            .listed
            .iter()
            .filter(|l| l.view.client.is_none() && l.view.converted_to.is_none())
            .map(|l| (l.day, l.view.clone()))
            .collect())
    }

    /// Brings the in-memory list up to date: reads every summary the first time, afterwards
    /// only the contacts changed since.
    fn current_contacts(&mut self) -> Result<(), VaultError> {
        if !self.u.contacts.loaded {
            self.u.contacts.clear();
            let rows: Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> = {
                let mut st = self.conn.prepare_cached(
                    "SELECT contact_id, client_id, sealed FROM contact_summaries",
                )?;
                let rows = st
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect::<Result<_, _>>()?;
                rows
            };
            let mut items = Vec::with_capacity(rows.len());
            for (id, client, sealed) in rows {
                let (id, client) = (id16(&id)?, ClientId(id16(&client)?));
                if let Some(summary) = self.open_listed(&id, client, &sealed)? {
                    items.push(listed(EntityId(id), client, summary));
                }
            }
            items.sort_by_key(|l| std::cmp::Reverse((l.view.entry.started_at, l.view.logged_at)));
            self.u.contacts.listed = items;
            self.u.contacts.loaded = true;
            self.u.contacts.stale.clear();
            return Ok(());
        }
        while let Some(id) = self.u.contacts.stale.last().copied() {
            let row: Option<(Vec<u8>, Vec<u8>)> = self
                .conn
                .prepare_cached(
                    "SELECT client_id, sealed FROM contact_summaries WHERE contact_id = ?1",
                )?
                .query_row([&id.0[..]], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let fresh = match row {
                Some((client, sealed)) => {
                    let client = ClientId(id16(&client)?);
                    self.open_listed(&id.0, client, &sealed)?
                        .map(|summary| listed(id, client, summary))
                }
                None => None,
            };
            // Only once it was read again does it leave the stale list (a failed read is
            // retried at the next one, the old entry still shown).
            self.u.contacts.stale.pop();
            self.u.contacts.listed.retain(|l| l.view.id.0 != id.0);
            if let Some(item) = fresh {
                self.u.contacts.insert(item);
            }
        }
        Ok(())
    }

    /// A summary as the list needs it; `None` (the record named among the damaged ones) when
    /// it does not open, so one damaged contact never hides the others.
    fn open_listed(
        &mut self,
        id: &[u8; 16],
        client: ClientId,
        sealed: &[u8],
    ) -> Result<Option<Summary>, VaultError> {
        match self.open_summary(id, client, sealed) {
            Ok(s) => Ok(Some(s)),
            Err(VaultError::Integrity { record })
            | Err(VaultError::NotFound { id: record, .. }) => {
                if !self.u.damaged.contains(&record) {
                    self.u.damaged.push(record);
                }
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// The contacts a supervisor or admin of the roster marked seen.
    fn seen_contacts(&mut self) -> Result<HashSet<ContactId>, VaultError> {
        self.seen_among(None)
    }

    /// [`Self::seen_contacts`], of one contact only when `only` names it (the form's every
    /// autosave reads its contact back: it need not open every review of the team).
    fn seen_among(&mut self, only: Option<ContactId>) -> Result<HashSet<ContactId>, VaultError> {
        /// (review, client, contact, signing device) of each review of a contact.
        type ReviewRow = (Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>);
        let rows: Vec<ReviewRow> = self
            .conn
            .prepare_cached(
                "SELECT r.entity_id, r.client_id, r.parent_id, r.created_device
                 FROM entities r JOIN entities c ON c.entity_id = r.parent_id
                 WHERE r.kind = 'review' AND c.kind = 'contact'
                   AND (?1 IS NULL OR r.parent_id = ?1)",
            )?
            .query_map([only.map(|c| c.0.to_vec())], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<Result<_, _>>()?;
        if rows.is_empty() {
            return Ok(HashSet::new());
        }
        let reviewers = self.reviewing_devices()?;
        let mut seen = HashSet::new();
        for (review, client, contact, device) in rows {
            let meta = EntityMeta {
                kind: RecordKind::Review,
                client: ClientId(id16(&client)?),
                parent: None,
            };
            // An unreadable review counts as no decision: the contact keeps waiting.
            let action: Option<ReviewAction> =
                match self.field(EntityId(id16(&review)?), &meta, "action") {
                    Ok(a) => a,
                    Err(VaultError::Integrity { .. }) => None,
                    Err(e) => return Err(e),
                };
            if let Some(ReviewStep::Review(ReviewAction::Approve)) =
                review_step(action, &reviewers, DeviceId(id16(&device)?))
            {
                seen.insert(ContactId(id16(&contact)?));
            }
        }
        Ok(seen)
    }

    fn views<'l>(
        &mut self,
        chosen: impl Iterator<Item = &'l ContactView>,
        seen: &HashSet<ContactId>,
    ) -> Vec<ContactView> {
        chosen
            .map(|v| ContactView {
                seen_by_supervisor: seen.contains(&v.id),
                ..v.clone()
            })
            .collect()
    }

    pub(super) fn contact(&mut self, id: ContactId) -> Result<ContactView, VaultError> {
        self.expect(id.into(), RecordKind::Contact, "contact")?;
        self.current_contacts()?;
        let seen = self.seen_among(Some(id))?;
        let found = self
            .u
            .contacts
            .listed
            .iter()
            .find(|l| l.view.id == id)
            .map(|l| ContactView {
                seen_by_supervisor: seen.contains(&id),
                ..l.view.clone()
            });
        found.ok_or_else(|| VaultError::Integrity {
            record: format!("the summary of contact {id}"),
        })
    }

    pub(super) fn list_contacts(&mut self, f: &ContactFilter) -> Result<ContactList, VaultError> {
        self.current_contacts()?;
        let words: Vec<String> = f.text.split_whitespace().map(str::to_lowercase).collect();
        let limit = if f.limit == 0 { 200 } else { f.limit as usize };
        let mut total = 0u32;
        let mut page: Vec<ContactView> = Vec::new();
        for l in &self.u.contacts.listed {
            let e = &l.view.entry;
            let keep = l.view.client.is_none()
                && f.channel.is_none_or(|c| c == e.channel)
                && f.category.as_ref().is_none_or(|c| e.categories.contains(c))
                && (!f.red_flag_only || l.view.red_flag)
                && f.from.is_none_or(|d| l.day.is_some_and(|x| x >= d))
                && f.to.is_none_or(|d| l.day.is_some_and(|x| x <= d))
                && words.iter().all(|w| l.haystack.contains(w.as_str()));
            if keep {
                total += 1;
                if page.len() < limit {
                    page.push(l.view.clone());
                }
            }
        }
        let seen = if page.iter().any(|v| v.red_flag) {
            self.seen_contacts()?
        } else {
            HashSet::new()
        };
        Ok(ContactList {
            total,
            contacts: self.views(page.iter(), &seen),
        })
    }

    pub(super) fn previous_contacts(
        &mut self,
        number: &str,
        except: Option<ContactId>,
    ) -> Result<Vec<ContactView>, VaultError> {
        let hash = caller_hash(self.ident, self.u, number)?;
        self.current_contacts()?;
        let same: Vec<ContactView> = self
            .u
            .contacts
            .listed
            .iter()
            .filter(|l| {
                l.caller.as_deref() == Some(hash.as_str())
                    && l.view.client.is_none()
                    && Some(l.view.id) != except
            })
            .map(|l| l.view.clone())
            .collect();
        let seen = self.seen_contacts()?;
        Ok(self.views(same.iter(), &seen))
    }

    pub(super) fn client_contacts(
        &mut self,
        client: ClientId,
    ) -> Result<Vec<ContactView>, VaultError> {
        self.current_contacts()?;
        let mut mine: Vec<ContactView> = self
            .u
            .contacts
            .listed
            .iter()
            .filter(|l| l.view.client == Some(client))
            .map(|l| l.view.clone())
            .collect();
        mine.reverse();
        let seen = self.seen_contacts()?;
        Ok(self.views(mine.iter(), &seen))
    }

    pub(super) fn contact_queue(&mut self) -> Result<Vec<ContactView>, VaultError> {
        self.current_contacts()?;
        let seen = self.seen_contacts()?;
        let waiting: Vec<ContactView> = self
            .u
            .contacts
            .listed
            .iter()
            .filter(|l| l.view.red_flag && l.view.client.is_none() && !seen.contains(&l.view.id))
            .map(|l| l.view.clone())
            .collect();
        Ok(waiting)
    }

    pub(super) fn my_last_line(&mut self) -> Result<Option<ContactLine>, VaultError> {
        self.current_contacts()?;
        let me = self.ident.member;
        Ok(self
            .u
            .contacts
            .listed
            .iter()
            .filter(|l| l.view.client.is_none() && l.view.volunteer == Some(me))
            .find_map(|l| l.view.entry.line.clone()))
    }

    pub(super) fn contact_stats(
        &mut self,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<ContactStats, VaultError> {
        self.current_contacts()?;
        let first = today - Duration::days(6);
        let mut per_day: BTreeMap<NaiveDate, u32> =
            (0..7).map(|i| (first + Duration::days(i), 0)).collect();
        let mut per_line: HashMap<String, u32> = HashMap::new();
        let mut per_category: HashMap<String, u32> = HashMap::new();
        let mut overdue = Vec::new();
        for l in &self.u.contacts.listed {
            let e = &l.view.entry;
            // A callback agreed before the caller became a client is kept on her copy.
            if e.callback_overdue(now) {
                overdue.push(l.view.clone());
            }
            if l.view.client.is_some() {
                continue;
            }
            let Some(day) = l.day.filter(|d| (first..=today).contains(d)) else {
                continue;
            };
            *per_day.entry(day).or_default() += 1;
            let line = e.line.as_ref().map_or(String::new(), |x| x.name.clone());
            *per_line.entry(line).or_default() += 1;
            for c in &e.categories {
                *per_category.entry(c.clone()).or_default() += 1;
            }
        }
        let ranked = |m: HashMap<String, u32>| {
            let mut v: Vec<ContactCount> = m
                .into_iter()
                .map(|(key, count)| ContactCount { key, count })
                .collect();
            v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
            v
        };
        let seen = self.seen_contacts()?;
        Ok(ContactStats {
            per_day: per_day
                .into_iter()
                .map(|(d, count)| ContactCount {
                    key: d.to_string(),
                    count,
                })
                .collect(),
            per_line: ranked(per_line),
            per_category: ranked(per_category),
            callbacks_overdue: self.views(overdue.iter(), &seen),
        })
    }
}

/// How many contact summaries are stored (tests check a rebuild refills them).
#[cfg(test)]
pub(super) fn summary_rows(conn: &Connection) -> rusqlite::Result<usize> {
    conn.query_row("SELECT count(*) FROM contact_summaries", [], |r| {
        r.get::<_, i64>(0)
    })
    .map(|n| usize::try_from(n).unwrap_or(0))
}
