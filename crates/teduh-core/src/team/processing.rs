//! What the organisation says about its processing (UU PDP No. 27/2022 Ps 31: the controller
//! keeps a record of every processing activity): who the controller is and whom to ask, each
//! activity with its purpose, lawful bases, kinds of data, whose data, who receives it and how
//! long it is kept. It lives in the signed organisation settings ([`super::settings`]), so every
//! device reads the same record and the server cannot change it; the record of processing
//! activities (`teduh_report::processing`) and the retention check are made from it.
//!
//! [`Processing::initial`] describes what Teduh itself does; the administrator completes the
//! controller's details and adjusts the rest to her organisation's rules.

use serde::{Deserialize, Serialize};

use crate::breach::DataCategory;
use crate::domain::{purpose, LawfulBasis};

/// The longest retention period a setting may hold: 100 years, in days.
pub const MAX_RETENTION_DAYS: u32 = 36_525;

/// Whose data an activity processes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum DataSubject {
    /// Adult clients.
    Clients,
    /// Children (clients under 18).
    Children,
    /// Parents and guardians who act for a child.
    ParentsGuardians,
    /// Callers and chat users of the hotline, often anonymous.
    Callers,
    /// People a client speaks about (family, a perpetrator, witnesses).
    ThirdParties,
    /// The service's own workers and volunteers.
    Workers,
}

/// Who receives the data of an activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum RecipientGroup {
    /// The workers assigned to the client.
    AssignedWorkers,
    /// The team's supervisors.
    Supervisors,
    /// Referral partners (social services, UPTD PPA, schools, health services, civil registry,
    /// labour offices), each time with what the referral letter carries.
    ReferralPartners,
    /// Public authorities where a law obliges it (police, courts).
    PublicAuthorities,
    /// Funders and ministries, as counts without names only.
    AggregatesOnly,
}

/// A class of records with its own retention period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum RecordClass {
    /// A client's case from the day it is closed: profile, notes, screenings, referrals.
    ClosedCases,
    /// Hotline and chat contacts of callers who did not become clients.
    Contacts,
    /// Notes never finalised.
    Drafts,
}

impl RecordClass {
    /// Every class, in the order the settings list them.
    pub const ALL: [RecordClass; 3] = [Self::ClosedCases, Self::Contacts, Self::Drafts];
}

/// How long each class of records is kept, in days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Retention {
    /// A closed case, counted from its closing.
    pub closed_case_days: u32,
    /// A contact that did not lead to a client, counted from the contact.
    pub contact_days: u32,
    /// A draft never finalised, counted from its last change.
    pub draft_days: u32,
    /// How long the server's backups are kept: what an erasure leaves in a backup taken before
    /// it is gone after this many days (`docs/operations.md`), as the notice to the person says.
    /// Settings signed before it existed read as [`DEFAULT_BACKUP_DAYS`].
    #[serde(default = "default_backup_days")]
    pub backup_days: u32,
}

/// The backup period a setting starts with: 30 days, as `docs/operations.md` recommends.
pub const DEFAULT_BACKUP_DAYS: u32 = 30;

/// The longest backup period a setting may hold: a year, so an erasure completes within one.
pub const MAX_BACKUP_DAYS: u32 = 365;

fn default_backup_days() -> u32 {
    DEFAULT_BACKUP_DAYS
}

impl Retention {
    /// The period of `class`, in days.
    pub fn days(&self, class: RecordClass) -> u32 {
        match class {
            RecordClass::ClosedCases => self.closed_case_days,
            RecordClass::Contacts => self.contact_days,
            RecordClass::Drafts => self.draft_days,
        }
    }

    /// The period of `class`, to change it.
    pub fn days_mut(&mut self, class: RecordClass) -> &mut u32 {
        match class {
            RecordClass::ClosedCases => &mut self.closed_case_days,
            RecordClass::Contacts => &mut self.contact_days,
            RecordClass::Drafts => &mut self.draft_days,
        }
    }
}

impl Default for Retention {
    /// Five years for a closed case, two for a contact, ninety days for a draft: a starting
    /// point for the administrator to set to her organisation's rules, not a legal rule.
    fn default() -> Self {
        Self {
            closed_case_days: 5 * 365,
            contact_days: 2 * 365,
            draft_days: 90,
            backup_days: DEFAULT_BACKUP_DAYS,
        }
    }
}

/// The controller (the organisation) and whom people ask about their data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct Controller {
    /// Its address.
    pub address: String,
    /// How to reach it (telephone, e-mail).
    pub contact: String,
    /// The data protection officer (Ps 53), name and how to reach her; empty when none is
    /// appointed.
    pub protection_officer: String,
}

/// One processing activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Activity {
    /// Its purpose's stable code (`a-z`, `0-9`, `-`): one of [`purpose`]'s, which consent
    /// records name, or the organisation's own.
    pub purpose: String,
    /// Its name in Bahasa Indonesia.
    pub id: String,
    /// Its name in English.
    pub en: String,
    /// The lawful bases it rests on (Ps 20).
    pub lawful_bases: Vec<LawfulBasis>,
    /// The kinds of data it processes.
    pub categories: Vec<DataCategory>,
    /// Whose data.
    pub subjects: Vec<DataSubject>,
    /// Who receives the data.
    pub recipients: Vec<RecipientGroup>,
    /// Which retention period applies.
    pub retention: RecordClass,
    /// Anything else the record should say, in the organisation's words.
    #[serde(default)]
    pub notes: String,
}

/// What the organisation says about its processing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct Processing {
    /// The controller's details.
    pub controller: Controller,
    /// Each activity.
    pub activities: Vec<Activity>,
    /// How long each class of records is kept.
    pub retention: Retention,
}

impl Default for Processing {
    /// Settings signed before this section existed read as [`Processing::initial`].
    fn default() -> Self {
        Self::initial()
    }
}

struct Described<'a> {
    purpose: &'a str,
    id: &'a str,
    en: &'a str,
    bases: &'a [LawfulBasis],
    categories: &'a [DataCategory],
    subjects: &'a [DataSubject],
    recipients: &'a [RecipientGroup],
    retention: RecordClass,
}

impl From<Described<'_>> for Activity {
    fn from(d: Described<'_>) -> Self {
        Activity {
            purpose: d.purpose.into(),
            id: d.id.into(),
            en: d.en.into(),
            lawful_bases: d.bases.to_vec(),
            categories: d.categories.to_vec(),
            subjects: d.subjects.to_vec(),
            recipients: d.recipients.to_vec(),
            retention: d.retention,
            notes: String::new(),
        }
    }
}

impl Processing {
    /// What Teduh does: counselling and support, referral, supervision, the hotline's contact
    /// log and statistics, each with the purposes the consent form names; no controller details
    /// yet (the administrator fills them in) and [`Retention::default`].
    pub fn initial() -> Self {
        use DataCategory as C;
        use DataSubject as S;
        use LawfulBasis as B;
        use RecipientGroup as R;
        let case_data = [C::Identity, C::ContactDetails, C::MentalHealth, C::Children];
        let case_people = [
            S::Clients,
            S::Children,
            S::ParentsGuardians,
            S::ThirdParties,
        ];
        let activities = [
            Described {
                purpose: purpose::SERVICE,
                id: "Konseling dan pendampingan",
                en: "Counselling and support",
                bases: &[B::Consent, B::VitalInterest, B::PublicTask],
                categories: &case_data,
                subjects: &case_people,
                recipients: &[R::AssignedWorkers, R::Supervisors],
                retention: RecordClass::ClosedCases,
            },
            Described {
                purpose: purpose::REFERRAL,
                id: "Rujukan ke layanan lain",
                en: "Referral to other services",
                bases: &[B::Consent, B::VitalInterest, B::LegalObligation],
                categories: &case_data,
                subjects: &[S::Clients, S::Children, S::ParentsGuardians],
                recipients: &[R::ReferralPartners, R::PublicAuthorities],
                retention: RecordClass::ClosedCases,
            },
            Described {
                purpose: purpose::SUPERVISION,
                id: "Supervisi catatan layanan",
                en: "Supervision of case notes",
                bases: &[B::Consent, B::PublicTask],
                categories: &[C::MentalHealth, C::Children],
                subjects: &[S::Clients, S::Children, S::Workers],
                recipients: &[R::Supervisors],
                retention: RecordClass::ClosedCases,
            },
            Described {
                purpose: "hotline",
                id: "Layanan hotline dan pesan",
                en: "Hotline and chat contacts",
                bases: &[B::VitalInterest, B::PublicTask, B::Consent],
                categories: &[C::HotlineContacts, C::ContactDetails, C::MentalHealth],
                subjects: &[S::Callers, S::Children, S::ThirdParties],
                recipients: &[R::AssignedWorkers, R::Supervisors],
                retention: RecordClass::Contacts,
            },
            Described {
                purpose: purpose::STATISTICS,
                id: "Statistik layanan tanpa nama",
                en: "Service statistics without names",
                bases: &[B::PublicTask, B::Consent],
                categories: &[C::MentalHealth, C::HotlineContacts],
                subjects: &[S::Clients, S::Children, S::Callers],
                recipients: &[R::AggregatesOnly],
                retention: RecordClass::ClosedCases,
            },
        ];
        Self {
            controller: Controller::default(),
            activities: activities.into_iter().map(Activity::from).collect(),
            retention: Retention::default(),
        }
    }

    /// The first broken rule, in words: every activity has a purpose code of `a-z0-9-` used
    /// once, a name in both languages and at least one lawful basis, kind of data, subject and
    /// recipient; retention periods are 1 day to 100 years, backups kept 1 day to a year; texts
    /// stay short.
    pub fn problem(&self) -> Option<String> {
        for (class, days) in RecordClass::ALL.map(|c| (c, self.retention.days(c))) {
            if days == 0 || days > MAX_RETENTION_DAYS {
                return Some(format!(
                    "the retention of {class:?} must be 1-{MAX_RETENTION_DAYS} days, not {days}"
                ));
            }
        }
        let backups = self.retention.backup_days;
        if backups == 0 || backups > MAX_BACKUP_DAYS {
            return Some(format!(
                "backups must be kept 1-{MAX_BACKUP_DAYS} days, not {backups}"
            ));
        }
        let c = &self.controller;
        if [&c.address, &c.contact, &c.protection_officer]
            .iter()
            .any(|t| t.chars().count() > 300)
        {
            return Some("the controller's details must be at most 300 characters each".into());
        }
        let mut seen = std::collections::HashSet::new();
        for a in &self.activities {
            let code_ok = !a.purpose.is_empty()
                && a.purpose.len() <= 40
                && a.purpose
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !code_ok {
                return Some(format!(
                    "activity {:?} needs a purpose code of a-z, 0-9 and -",
                    a.purpose
                ));
            }
            if !seen.insert(a.purpose.as_str()) {
                return Some(format!("activity {:?} is listed twice", a.purpose));
            }
            let named = |t: &str| !t.trim().is_empty() && t.chars().count() <= 120;
            if !named(&a.id) || !named(&a.en) {
                return Some(format!(
                    "activity {:?} needs a name of 1-120 characters in both languages",
                    a.purpose
                ));
            }
            if a.lawful_bases.is_empty()
                || a.categories.is_empty()
                || a.subjects.is_empty()
                || a.recipients.is_empty()
            {
                return Some(format!(
                    "activity {:?} needs at least one lawful basis, kind of data, subject and \
                     recipient",
                    a.purpose
                ));
            }
            if a.notes.chars().count() > 1000 {
                return Some(format!(
                    "activity {:?} has notes of more than 1000 characters",
                    a.purpose
                ));
            }
        }
        None
    }

    /// What the record of processing still lacks, for the administrator: the controller's
    /// address, contact or data protection officer left empty. (An empty field is allowed;
    /// the document says it is missing rather than hiding it.)
    pub fn missing(&self) -> Vec<&'static str> {
        let c = &self.controller;
        [
            ("address", &c.address),
            ("contact", &c.contact),
            ("protection_officer", &c.protection_officer),
        ]
        .into_iter()
        .filter(|(_, v)| v.trim().is_empty())
        .map(|(k, _)| k)
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_initial_record_keeps_the_rules_and_names_the_consent_purposes() {
        let p = Processing::initial();
        assert_eq!(p.problem(), None);
        for named in [
            purpose::SERVICE,
            purpose::REFERRAL,
            purpose::SUPERVISION,
            purpose::STATISTICS,
        ] {
            assert!(
                p.activities.iter().any(|a| a.purpose == named),
                "{named} is an activity"
            );
        }
        assert_eq!(
            p.missing(),
            ["address", "contact", "protection_officer"],
            "the controller's details are left to the administrator"
        );
    }

    #[test]
    fn broken_rules_are_named() {
        let broken = |change: fn(&mut Processing)| {
            let mut p = Processing::initial();
            change(&mut p);
            p.problem().expect("refused")
        };
        assert!(broken(|p| p.retention.draft_days = 0).contains("Drafts"));
        assert!(
            broken(|p| p.retention.closed_case_days = MAX_RETENTION_DAYS + 1)
                .contains("ClosedCases")
        );
        assert!(broken(|p| {
            let again = p.activities[0].clone();
            p.activities.push(again);
        })
        .contains("twice"));
        assert!(broken(|p| p.activities[1].lawful_bases.clear()).contains("lawful basis"));
        assert!(broken(|p| p.activities[2].purpose = "Supervisi!".into()).contains("code"));
        assert!(broken(|p| p.activities[0].en = " ".into()).contains("both languages"));
        assert!(broken(|p| p.controller.address = "x".repeat(301)).contains("300"));
        assert!(broken(|p| p.retention.backup_days = 0).contains("backups"));
        assert!(broken(|p| p.retention.backup_days = MAX_BACKUP_DAYS + 1).contains("backups"));
    }

    #[test]
    fn a_record_without_the_section_reads_as_the_initial_one() {
        let p: Processing = serde_json::from_str("{}").expect("reads");
        assert_eq!(p, Processing::initial());
        let partial: Processing =
            serde_json::from_str(r#"{"controller":{"address":"Jl. Contoh 1"}}"#).expect("reads");
        assert_eq!(partial.controller.address, "Jl. Contoh 1");
        assert_eq!(partial.controller.contact, "");
        assert_eq!(partial.retention, Retention::default());
        // Periods signed before the backup period existed keep theirs and read it as 30 days.
        let older: Retention =
            serde_json::from_str(r#"{"closed_case_days":10,"contact_days":20,"draft_days":30}"#)
                .expect("reads");
        assert_eq!(
            (older.closed_case_days, older.backup_days),
            (10, DEFAULT_BACKUP_DAYS)
        );
    }
}
