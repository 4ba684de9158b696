//! The facts of a month for the monthly statistics ([`crate::report::monthly`]), gathered on a
//! supervisor's or an administrator's device from what it can read: one plain fact per
//! session, contact, screening, red flag and referral of the month, and the clients served.
//!
//! A session counts in the month of its day where it took place, a contact likewise; a
//! screening, a red flag and a referral in the month of their time in the team's zone.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::super::read::Reader;
use super::super::{Vault, VaultError};
use crate::domain::{purpose, Modality};
use crate::episode::{Subject, Trigger};
use crate::ids::{ClientId, EntityId, MemberId};
use crate::permissions::Action;
use crate::records::RecordKind;
use crate::report::monthly::{
    code_of, ClientFact, ContactFact, Month, MonthFacts, ReferralFact, ScreeningFact, SessionFact,
};

/// A member id as the reports key it (hex), empty when unknown.
fn worker_key(member: Option<MemberId>) -> String {
    member.map(|m| m.to_string()).unwrap_or_default()
}

impl Reader<'_> {
    /// The month's sessions, and the clients they were with, leaving out the `excluded` clients.
    fn month_sessions(
        &mut self,
        month: Month,
        excluded: &HashSet<ClientId>,
    ) -> Result<(Vec<SessionFact>, BTreeSet<ClientId>), VaultError> {
        let mut held = Vec::new();
        self.scan_note_summaries(
            |_| true,
            |note, client, summary| {
                if summary.day().is_some_and(|d| month.contains(d)) && !excluded.contains(&client) {
                    held.push((EntityId::from(note), client, summary.author));
                }
            },
        )?;
        let modality = self.note_values("modality")?;
        let minutes = self.note_values("duration_minutes")?;
        let mut sessions = Vec::with_capacity(held.len());
        let mut clients = BTreeSet::new();
        for (note, client, author) in held {
            let mut open = |field: &str, stored: &super::queue::Stored| {
                let (device, seq, value) = stored;
                self.open_field::<serde_json::Value>(
                    note,
                    RecordKind::Note,
                    client,
                    field,
                    device,
                    *seq,
                    value,
                )
            };
            let modality: Modality = match modality.get(&note) {
                Some(s) => open("modality", s)?
                    .and_then(|v| serde_json::from_value(v).ok())
                    .unwrap_or_default(),
                None => Modality::default(),
            };
            let minutes: u32 = match minutes.get(&note) {
                Some(s) => open("duration_minutes", s)?
                    .and_then(|v| serde_json::from_value(v).ok())
                    .unwrap_or(0),
                None => 0,
            };
            sessions.push(SessionFact {
                modality,
                worker: worker_key(author),
                minutes,
            });
            clients.insert(client);
        }
        Ok((sessions, clients))
    }

    /// Every note's current value of `field`, sealed, by note: one pass over the fields
    /// rather than a lookup per note.
    fn note_values(
        &self,
        field: &str,
    ) -> Result<HashMap<EntityId, super::queue::Stored>, VaultError> {
        self.stored_by(
            "SELECT f.entity_id, f.device_id, f.seq, f.value FROM entity_fields f
             JOIN entities e ON e.entity_id = f.entity_id
             WHERE f.field = ?1 AND e.kind = 'note'",
            field,
        )
    }

    /// A served client's fact: her profile's reported fields, her age on the month's last day.
    fn client_fact(&mut self, client: ClientId, month: Month) -> Result<ClientFact, VaultError> {
        let last = month.last_day().unwrap_or_default();
        let profile = self.client(client, last)?.profile;
        Ok(ClientFact {
            sex: profile.sex,
            age: profile.age_on(last),
            regency: profile.regency.clone(),
            ppks: profile.ppks_categories.clone(),
            ampk: profile.ampk_categories.clone(),
        })
    }
}

impl Vault {
    /// What the month's records on this device hold, for the monthly statistics: the clients
    /// served, sessions, contacts, screenings, red flags and referrals of `month`, with the
    /// roster's names for the workers. Counts what this device can read (a supervisor's device
    /// reads the whole team; an administrator's reads no casework, decision 0008).
    ///
    /// Fails with [`VaultError::NotPermitted`] on a team device whose member does not read
    /// the whole team (her figures would count only her own clients), when locked, or with
    /// [`VaultError::Integrity`].
    pub fn month_facts(&mut self, month: Month) -> Result<MonthFacts, VaultError> {
        if self.binding()?.is_some() && !self.reader()?.may(Action::ReadTeamClients)? {
            return Err(VaultError::NotPermitted(
                "the monthly statistics are made on a supervisor's device: \
                 this device reads only the clients assigned to its member"
                    .into(),
            ));
        }
        let settings = self.org_settings()?;
        let zone = self.team_zone_in(settings.as_ref())?;
        let in_month =
            |t: DateTime<Utc>| month.contains(t.with_timezone(&zone.offset()).date_naive());
        let (first, last) = (
            month.first_day().unwrap_or_default(),
            month.last_day().unwrap_or_default(),
        );
        let now = self.corrected_now();
        let mut r = self.reader()?;
        // She withdrew her consent to statistics, or restricted her data: she is not counted.
        let excluded = r.paused_for(purpose::STATISTICS, now)?;
        let (sessions, served) = r.month_sessions(month, &excluded)?;
        let mut clients = Vec::with_capacity(served.len());
        for client in &served {
            clients.push(r.client_fact(*client, month)?);
        }
        let contacts = r
            .contacts_between(first, last)?
            .into_iter()
            .map(|(_, c)| {
                let e = &c.entry;
                let minutes = match (e.started_at, e.ended_at) {
                    (Some(s), Some(t)) if t > s => {
                        u32::try_from((t - s).num_minutes()).unwrap_or(0)
                    }
                    _ => 0,
                };
                ContactFact {
                    line: e.line.as_ref().map(|l| l.name.clone()).unwrap_or_default(),
                    channel: code_of(&e.channel),
                    categories: e.categories.clone(),
                    worker: worker_key(c.volunteer),
                    minutes,
                }
            })
            .collect();
        let mut screenings = Vec::new();
        let mut referrals = Vec::new();
        for client in r.u.index.all().into_iter().map(|c| c.id) {
            if excluded.contains(&client) {
                continue;
            }
            for s in r.screenings(client)? {
                if s.answers.administered_at.is_some_and(in_month) {
                    screenings.push(ScreeningFact {
                        instrument: code_of(&s.answers.instrument),
                        flagged: s.result.flagged,
                    });
                }
            }
            for referral in r.referrals(client)? {
                let made = r.written_at(EntityId(referral.id.0), "partner_name")?;
                if made.is_some_and(in_month) {
                    referrals.push(ReferralFact {
                        partner: if referral.referral.partner_outside_directory {
                            String::new()
                        } else {
                            referral.referral.partner_id.clone()
                        },
                        status: referral.status,
                    });
                }
            }
        }
        let red_flags = r
            .all_episodes()?
            .into_iter()
            .filter(|e| in_month(e.opened_at))
            .filter(|e| !matches!(e.subject, Subject::Client(c) if excluded.contains(&c)))
            .map(|e| {
                match e.trigger {
                    Trigger::Screening { .. } => "screening",
                    Trigger::NoteRisk { .. } => "note_risk",
                    Trigger::ContactSelfHarm { .. } => "contact_self_harm",
                    Trigger::Worker => "worker",
                }
                .to_string()
            })
            .collect();
        let workers: BTreeMap<String, String> = r
            .team()?
            .0
            .map(|roster| {
                roster
                    .members
                    .iter()
                    .map(|m| {
                        (
                            MemberId::from_server(m.member).to_string(),
                            m.username.clone(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(MonthFacts {
            month,
            organisation: settings.map(|s| s.name).unwrap_or_default(),
            clients,
            sessions,
            contacts,
            screenings,
            red_flags,
            referrals,
            workers,
        })
    }
}

/// The dashboard's trends: sessions, contacts and red flags in each of twelve months, and the
/// contacts of those months by category. For the team's own screens, so not protected (the
/// figures a report sends out are, [`crate::report::disclosure`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Trends {
    /// The months, oldest first.
    pub months: Vec<Month>,
    /// Sessions held in each month.
    pub sessions: Vec<u32>,
    /// Contacts taken in each month.
    pub contacts: Vec<u32>,
    /// Red flags raised (risk episodes opened) in each month.
    pub red_flags: Vec<u32>,
    /// The twelve months' contacts by issue category code, most first (a contact may carry
    /// several).
    pub contact_categories: Vec<(String, u32)>,
}

impl Vault {
    /// The twelve months up to and including `last`: sessions, contacts and red flags in each,
    /// and the contacts by category. Reads each kind of record once.
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn trends(&mut self, last: Month) -> Result<Trends, VaultError> {
        let mut months = vec![last];
        while months.len() < 12 {
            let earliest = months[months.len() - 1];
            months.push(earliest.previous());
        }
        months.reverse();
        let slot = |day: chrono::NaiveDate| months.iter().position(|m| m.contains(day));
        let zone = self.team_zone()?;
        let mut sessions = vec![0u32; 12];
        let mut contacts = vec![0u32; 12];
        let mut red_flags = vec![0u32; 12];
        let mut r = self.reader()?;
        r.scan_note_summaries(
            |_| true,
            |_, _, summary| {
                if let Some(i) = summary.day().and_then(slot) {
                    sessions[i] += 1;
                }
            },
        )?;
        let (first, end) = (
            months[0].first_day().unwrap_or_default(),
            last.last_day().unwrap_or_default(),
        );
        let mut categories: BTreeMap<String, u32> = BTreeMap::new();
        for (day, c) in r.contacts_between(first, end)? {
            if let Some(i) = slot(day) {
                contacts[i] += 1;
                for k in &c.entry.categories {
                    *categories.entry(k.clone()).or_default() += 1;
                }
            }
        }
        for e in r.all_episodes()? {
            if let Some(i) = slot(e.opened_at.with_timezone(&zone.offset()).date_naive()) {
                red_flags[i] += 1;
            }
        }
        let mut contact_categories: Vec<(String, u32)> = categories.into_iter().collect();
        contact_categories.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(Trends {
            months,
            sessions,
            contacts,
            red_flags,
            contact_categories,
        })
    }
}
