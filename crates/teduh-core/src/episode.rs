//! Risk episodes (issue 22, decision 0007): what a red flag opens and a supervisor must answer.
//!
//! A red flag (a screening's self-harm item, a note's risk "imminent", a contact's self-harm
//! answer) opens an [`Episode`] on the client or the contact unless one is open already. The
//! workers fill in a structured [`RiskAssessment`], a [`SafetyPlan`] and the actions taken; the
//! on-call supervisor of the day it opened (the team's [`OnCallRota`]) must acknowledge it within
//! the organisation's deadline, after which it is shown to every key manager of the team as
//! overdue; only a supervisor or admin closes it, with a reason. While a client has an open
//! episode, her notes cannot be finalised with the risk not assessed.
//!
//! The types here are what is stored and shown; the rules that need the vault (who may
//! acknowledge, what the deadline is) live in `vault/episodes`.

use chrono::{DateTime, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::domain::RiskLevel;
use crate::ids::{ClientId, ContactId, MemberId, NoteId, ScreeningId};

/// What an episode is about: a client, or a contact not (yet) a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(export, rename = "EpisodeSubject")
)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Subject {
    /// A client.
    Client(#[cfg_attr(feature = "ts", ts(type = "string"))] ClientId),
    /// A hotline or chat contact (an original, under its own data key).
    Contact(#[cfg_attr(feature = "ts", ts(type = "string"))] ContactId),
}

impl Subject {
    /// The data key the episode is sealed under: the client's, or the contact's own.
    pub fn key(self) -> ClientId {
        match self {
            Self::Client(c) => c,
            Self::Contact(c) => ClientId(c.0),
        }
    }
}

/// What opened an episode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(export, rename = "EpisodeTrigger")
)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Trigger {
    /// A screening with red-flag items (e.g. PHQ-9 item 9 above 0).
    Screening {
        /// The screening.
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        screening: ScreeningId,
        /// Its red-flag item ids.
        items: Vec<String>,
    },
    /// A session note whose risk is "imminent".
    NoteRisk {
        /// The note.
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        note: NoteId,
    },
    /// A contact whose self-harm question was answered yes.
    ContactSelfHarm {
        /// The contact.
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        contact: ContactId,
    },
    /// A worker opened it herself.
    Worker,
}

/// One finding of the assessment: asked and answered yes or no (`None`: not asked yet), with
/// what was said.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct Finding {
    /// Yes, no, or not asked yet.
    pub present: Option<bool>,
    /// What the person said, in the worker's words.
    pub detail: String,
}

/// The structured risk assessment (the usual questions of a suicide-risk assessment).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct RiskAssessment {
    /// Thoughts of suicide or self-harm.
    pub ideation: Finding,
    /// A plan (how, when, where).
    pub plan: Finding,
    /// Access to the means of the plan.
    pub means: Finding,
    /// Earlier attempts.
    pub past_attempts: Finding,
    /// What keeps the person safe (people, reasons, beliefs, care).
    pub protective_factors: String,
    /// The worker's judgement of the risk now (`None`: not judged yet).
    pub judgement: Option<RiskLevel>,
}

/// A service or professional to call, picked from the directory (or typed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct PlanService {
    /// The directory entry's id; empty when typed by hand.
    pub entry: String,
    /// Its name.
    pub name: String,
    /// The number to call.
    pub number: String,
}

/// A safety plan with the usual sections (Stanley & Brown's safety planning intervention).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct SafetyPlan {
    /// Warning signs that a crisis may be coming.
    pub warning_signs: String,
    /// What the person can do alone to cope.
    pub coping: String,
    /// People and places that help, and whom to ask for help.
    pub people_places: String,
    /// Professionals and services to call.
    pub services: Vec<PlanService>,
    /// Making the surroundings safer (means put away, who keeps them).
    pub safer_surroundings: String,
}

/// What the workers write on an episode (every field may change while it is open).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct EpisodeWork {
    /// The assessment.
    pub assessment: RiskAssessment,
    /// The safety plan.
    pub safety_plan: SafetyPlan,
    /// Actions taken (calls made, people told, referrals), in the worker's words.
    pub actions: String,
}

/// A supervisor's acknowledgement or closure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Decision {
    /// The supervisor or admin.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub by: MemberId,
    /// When (her device's clock, corrected to the server's).
    pub at: DateTime<Utc>,
}

/// An episode as stored (and shown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Episode {
    /// The episode.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub id: crate::ids::EpisodeId,
    /// The client or contact.
    pub subject: Subject,
    /// The member whose record (or whose own choice) opened it.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub opened_by: Option<MemberId>,
    /// When it opened (the opener's clock, corrected to the server's at her last sync).
    pub opened_at: DateTime<Utc>,
    /// What opened it.
    pub trigger: Trigger,
    /// What the workers wrote.
    pub work: EpisodeWork,
    /// The supervisor's acknowledgement.
    pub acknowledged: Option<Decision>,
    /// The closure.
    pub closed: Option<Decision>,
    /// Why it was closed.
    pub close_reason: String,
}

impl Episode {
    /// Still open (not closed).
    pub fn is_open(&self) -> bool {
        self.closed.is_none()
    }
}

/// The supervisors' phone and WhatsApp numbers, for the workers to call (team-readable only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SupervisorNumbers {
    /// The supervisor.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub member: MemberId,
    /// Phone.
    #[serde(default)]
    pub phone: String,
    /// WhatsApp.
    #[serde(default)]
    pub whatsapp: String,
}

/// The on-call rota: which supervisors are on call on each weekday (the first of a day is
/// the one an episode goes to; the others back her up), and their numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct OnCallRota {
    /// Monday to Sunday.
    #[cfg_attr(feature = "ts", ts(type = "Array<Array<string>>"))]
    pub days: [Vec<MemberId>; 7],
    /// The supervisors' numbers.
    pub numbers: Vec<SupervisorNumbers>,
}

impl OnCallRota {
    /// Who is on call on `day`, first the one episodes go to.
    pub fn on(&self, day: Weekday) -> &[MemberId] {
        &self.days[day.num_days_from_monday() as usize]
    }

    /// The numbers of `member`, if given.
    pub fn numbers_of(&self, member: MemberId) -> Option<&SupervisorNumbers> {
        self.numbers.iter().find(|n| n.member == member)
    }
}

/// The default time a supervisor has to acknowledge an episode, in hours (an organisation
/// setting may change it: `Deadlines::episode_ack_hours`).
pub const DEFAULT_ACK_HOURS: u32 = 24;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rota_names_each_weekdays_supervisors_first_the_one_on_call() {
        let (a, b) = (MemberId([1; 16]), MemberId([2; 16]));
        let mut rota = OnCallRota::default();
        rota.days[0] = vec![a, b];
        rota.days[6] = vec![b];
        rota.numbers.push(SupervisorNumbers {
            member: b,
            phone: "0800-0000-0002".into(),
            whatsapp: String::new(),
        });
        assert_eq!(rota.on(Weekday::Mon), &[a, b]);
        assert_eq!(rota.on(Weekday::Sun), &[b]);
        assert!(rota.on(Weekday::Wed).is_empty());
        assert_eq!(
            rota.numbers_of(b).map(|n| n.phone.as_str()),
            Some("0800-0000-0002")
        );
        assert!(rota.numbers_of(a).is_none());
    }

    #[test]
    fn a_subject_is_sealed_under_the_clients_or_the_contacts_own_key() {
        let c = ClientId([7; 16]);
        assert_eq!(Subject::Client(c).key(), c);
        assert_eq!(Subject::Contact(ContactId([7; 16])).key(), c);
    }
}
