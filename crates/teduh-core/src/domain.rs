//! The counseling record: clients, cases, consent, session notes, tasks (ARCHITECTURE section 2).
//!
//! One concept, the record's value types and the rules on their values alone (a child's
//! consent, possible dates, referral statuses), with nothing stored or sealed; consent and its
//! withdrawal are in `domain/consent.rs`, the tests of these rules in `domain/tests.rs`.
//!
//! These are plain values. The vault stores each top-level field of a value as its own encrypted
//! field (so two devices editing different fields never conflict), which is why every struct here
//! has `#[serde(default)]`: a field a newer version adds reads as its default in older data.
//!
//! Main types: [`ClientProfile`] (with [`ClientProfile::is_child`]), [`CaseDetails`] and
//! [`RiskEntry`], [`Consent`] (checked by [`Consent::check_for`]: who may consent for a child)
//! and [`ConsentWithdrawal`], [`NoteDraft`] (finalised into an
//! immutable [`Note`] that only takes [`Addendum`]s), [`Task`].

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{AddendumId, CaseId, ClientId, MemberId, NoteId, ReferralId, TaskId};

mod consent;
pub use consent::{
    purpose, purpose_stopped, Consent, ConsentChannel, ConsentGiver, ConsentProblem, ConsentRecord,
    ConsentWithdrawal, LawfulBasis, WithdrawalProblem,
};

/// Age below which a client is a child (UU Perlindungan Anak: under 18).
pub const CHILD_AGE_LIMIT: u32 = 18;

/// The oldest age the record accepts, from a birth date or an estimate: anything above is a
/// typing mistake (150 for 15), not a client.
pub const MAX_AGE_YEARS: u32 = 120;

/// Why a birth date or an estimated age cannot be stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AgeProblem {
    /// The birth date is after today.
    #[error("the birth date {0} is in the future")]
    BirthDateInFuture(NaiveDate),
    /// The birth date makes the client older than [`MAX_AGE_YEARS`].
    #[error("the birth date {0} would make the client older than {MAX_AGE_YEARS}")]
    BirthDateTooOld(NaiveDate),
    /// The estimated age is above [`MAX_AGE_YEARS`].
    #[error("an estimated age of {0} is not possible (at most {MAX_AGE_YEARS})")]
    EstimatedAgeImpossible(u32),
    /// The day an age was estimated is after today.
    #[error("an age cannot be estimated on {0}, a day still to come")]
    EstimateDateInFuture(NaiveDate),
}

/// Sex as recorded at intake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Perempuan.
    Female,
    /// Laki-laki.
    Male,
    /// Not recorded or not disclosed.
    #[default]
    Unspecified,
}

/// How to reach someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    /// A phone number (calls, SMS).
    #[default]
    Phone,
    /// A WhatsApp number.
    WhatsApp,
    /// An e-mail address.
    Email,
    /// Anything else (a neighbour's number, a social media handle...).
    Other,
}

/// One contact point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct Contact {
    /// The kind of contact.
    pub kind: ContactKind,
    /// The number, address or handle.
    pub value: String,
    /// Whether it is safe to contact the client there (e.g. a shared phone in a violent home).
    pub safe_to_contact: bool,
}

/// A child's parent or guardian.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct Guardian {
    /// Name.
    pub name: String,
    /// Relationship to the client (ibu, ayah, wali...).
    pub relationship: String,
    /// How to reach the guardian.
    pub contacts: Vec<Contact>,
}

/// A client's identifying and intake data. Every field is encrypted at rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct ClientProfile {
    /// Pseudonymous code shown in lists (e.g. `"JKT-0042"`); unique per team.
    pub code: String,
    /// Full name.
    pub name: String,
    /// Nickname or what the client likes to be called.
    pub nickname: String,
    /// Sex.
    pub sex: Sex,
    /// Birth date, when known.
    pub birth_date: Option<NaiveDate>,
    /// Estimated age in years, when the birth date is unknown.
    pub estimated_age: Option<u32>,
    /// The day the age was estimated: the age grows from it. The vault sets it to the team's
    /// day when an estimate is written without one.
    pub estimated_age_on: Option<NaiveDate>,
    /// Phone, WhatsApp...
    pub contacts: Vec<Contact>,
    /// Address or area.
    pub address: String,
    /// Regency or city (kabupaten/kota) where the client lives, as the monthly statistics
    /// count it (empty: not recorded).
    pub regency: String,
    /// Parent or guardian (required for children, unless `no_guardian_reason` says why none
    /// can be named or asked).
    pub guardian: Option<Guardian>,
    /// For a child without a parent or guardian to name or ask (an unaccompanied or street
    /// child): why. Empty otherwise.
    pub no_guardian_reason: String,
    /// Preferred language (e.g. `"id"`, `"jv"`, `"su"`).
    pub language: String,
    /// Disability or communication needs (interpreter, sign language, easy-read...).
    pub communication_needs: String,
    /// PPKS categories (Pemerlu Pelayanan Kesejahteraan Sosial) that apply.
    pub ppks_categories: Vec<String>,
    /// AMPK categories (anak yang memerlukan perlindungan khusus) that apply.
    pub ampk_categories: Vec<String>,
}

/// Whole years from `from` to `to` (a birthday counts on its day); `None` when `to` is earlier.
fn whole_years(from: NaiveDate, to: NaiveDate) -> Option<u32> {
    let mut years = to.year() - from.year();
    if (to.month(), to.day()) < (from.month(), from.day()) {
        years -= 1;
    }
    u32::try_from(years).ok()
}

impl ClientProfile {
    /// Age in whole years on `today`: from the birth date if known, else the estimate grown
    /// by the whole years since the day it was given (a child estimated at 17 is an adult a
    /// year later). An estimate without its day counts as given today.
    pub fn age_on(&self, today: NaiveDate) -> Option<u32> {
        match (self.birth_date, self.estimated_age) {
            (Some(b), _) => whole_years(b, today),
            (None, Some(estimate)) => {
                let since = self
                    .estimated_age_on
                    .and_then(|given| whole_years(given, today))
                    .unwrap_or(0);
                Some(estimate.saturating_add(since))
            }
            (None, None) => None,
        }
    }

    /// Checks that the birth date and the estimated age are possible on `today`: no birth date
    /// after today, nobody older than [`MAX_AGE_YEARS`]. (A date that does not exist, such as
    /// 31/02/2026, cannot be a [`NaiveDate`]: it is refused where the text is parsed.)
    ///
    /// Fails with the first [`AgeProblem`] found.
    pub fn check_age(&self, today: NaiveDate) -> Result<(), AgeProblem> {
        if let Some(b) = self.birth_date {
            if b > today {
                return Err(AgeProblem::BirthDateInFuture(b));
            }
            if self.age_on(today).is_none_or(|a| a > MAX_AGE_YEARS) {
                return Err(AgeProblem::BirthDateTooOld(b));
            }
        }
        if let Some(a) = self.estimated_age.filter(|a| *a > MAX_AGE_YEARS) {
            return Err(AgeProblem::EstimatedAgeImpossible(a));
        }
        match self.estimated_age_on {
            Some(d) if d > today => Err(AgeProblem::EstimateDateInFuture(d)),
            _ => Ok(()),
        }
    }

    /// Whether the client is a child on `today`; `None` when neither birth date nor estimate
    /// is known (the UI then asks, because child protection rules depend on it).
    pub fn is_child(&self, today: NaiveDate) -> Option<bool> {
        self.age_on(today).map(|a| a < CHILD_AGE_LIMIT)
    }
}

/// A client as read from the vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Client {
    /// The client's id.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub id: ClientId,
    /// The profile.
    pub profile: ClientProfile,
    /// Computed from the profile for today (UTC date).
    pub is_child: Option<bool>,
}

/// Stage of a case (case-management cycle).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum CaseStage {
    /// First contact and registration.
    #[default]
    Intake,
    /// Assessment of needs and risks.
    Assessment,
    /// Planning the intervention.
    Planning,
    /// Carrying out the plan.
    Intervention,
    /// Evaluating the results.
    Evaluation,
    /// Closed or referred on.
    ClosureOrReferral,
    /// Follow-up after closure.
    FollowUp,
}

/// Risk level of a case or a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    /// No current risk identified.
    #[default]
    Low,
    /// Some risk: monitor.
    Medium,
    /// High risk: safety plan, supervisor informed.
    High,
    /// Immediate danger: act now.
    Imminent,
}

/// The editable details of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct CaseDetails {
    /// Short description of the presenting problem.
    pub presenting_problem: String,
    /// Current stage.
    pub stage: CaseStage,
    /// The worker assigned (a member id), if any.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub assigned_worker: Option<MemberId>,
    /// PPKS / AMPK categories of this case.
    pub categories: Vec<String>,
    /// Why the case was closed, once closed.
    pub closure_reason: Option<String>,
}

/// One entry in a case's risk history (append-only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct RiskEntry {
    /// The assessed level.
    pub level: RiskLevel,
    /// Why (what was observed or said).
    pub reason: String,
    /// When it was assessed.
    pub assessed_at: Option<DateTime<Utc>>,
    /// Who assessed it.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub assessed_by: Option<MemberId>,
}

/// A case as read from the vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Case {
    /// The case's id.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub id: CaseId,
    /// Details.
    pub details: CaseDetails,
    /// Risk history, oldest first.
    pub risk_history: Vec<RiskEntry>,
    /// The latest risk level, if any was recorded.
    pub current_risk: Option<RiskLevel>,
}

/// How a session took place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    /// Face to face.
    #[default]
    InPerson,
    /// Phone call.
    Phone,
    /// WhatsApp (chat or call).
    WhatsApp,
    /// Video call.
    Video,
    /// Home visit.
    HomeVisit,
    /// Outreach (field).
    Outreach,
}

/// Layer of the IASC MHPSS intervention pyramid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum MhpssLayer {
    /// 1: basic services and security.
    BasicServices,
    /// 2: community and family supports.
    CommunitySupports,
    /// 3: focused, non-specialised supports.
    FocusedSupports,
    /// 4: specialised services.
    SpecialisedServices,
}

/// The editable content of a session note (while it is a draft).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct NoteDraft {
    /// When the session started (UTC).
    pub occurred_at: Option<DateTime<Utc>>,
    /// IANA zone where it happened (`Asia/Jakarta`, `Asia/Makassar`, `Asia/Jayapura`...).
    pub zone: String,
    /// Duration in minutes.
    pub duration_minutes: u32,
    /// Modality.
    pub modality: Modality,
    /// Where (office, the client's home, a school...).
    pub location: String,
    /// Who took part besides the client and the worker.
    pub participants: Vec<String>,
    /// PFA "look" actions (safety, urgent needs observed).
    pub pfa_look: Vec<String>,
    /// PFA "listen" actions.
    pub pfa_listen: Vec<String>,
    /// PFA "link" actions (information, services, loved ones).
    pub pfa_link: Vec<String>,
    /// MHPSS layer of the intervention.
    pub mhpss_layer: Option<MhpssLayer>,
    /// The narrative.
    pub narrative: String,
    /// Risk observed in this session.
    pub risk: Option<RiskLevel>,
    /// Plan agreed.
    pub plan: String,
    /// Next follow-up date.
    pub next_follow_up: Option<NaiveDate>,
}

/// The latest calendar date anywhere in Indonesia at `now` (WIT, UTC+9): a birth date after it
/// is in the future wherever the counselor is.
pub fn latest_day_in_indonesia(now: DateTime<Utc>) -> NaiveDate {
    local_day(now, "Asia/Jayapura")
}

/// The zone label shown to Indonesian users for an IANA zone, if it is one of the three.
pub fn zone_label(zone: &str) -> Option<&'static str> {
    match zone {
        "Asia/Jakarta" | "Asia/Pontianak" => Some("WIB"),
        "Asia/Makassar" => Some("WITA"),
        "Asia/Jayapura" => Some("WIT"),
        _ => None,
    }
}

/// The calendar day an instant falls on where it happened. The core has no time-zone database:
/// Indonesia's three zones have fixed offsets (no daylight saving), `UTC` is UTC, and anything
/// else (unrecorded or foreign) counts as WIB, where most of the work happens.
pub fn local_day(at: DateTime<Utc>, zone: &str) -> NaiveDate {
    let hours = match zone {
        "UTC" => 0,
        "Asia/Makassar" => 8,
        "Asia/Jayapura" => 9,
        _ => 7,
    };
    (at + chrono::Duration::hours(hours)).date_naive()
}

/// Whether `zone` looks like an IANA zone name (`UTC`, `Asia/Jakarta`, `America/Argentina/Salta`).
/// The core has no time-zone database; this catches typos such as `WITA` or `+8` before they
/// are stored. An empty zone means "not recorded".
pub fn is_plausible_iana_zone(zone: &str) -> bool {
    if zone.is_empty() || zone == "UTC" {
        return true;
    }
    let mut parts = zone.split('/');
    let area_ok = parts
        .next()
        .is_some_and(|a| a.len() > 1 && a.chars().next().is_some_and(|c| c.is_ascii_uppercase()));
    let rest: Vec<&str> = parts.collect();
    area_ok
        && !rest.is_empty()
        && rest.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
        })
}

/// Whether a note can still be edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum NoteStatus {
    /// Editable by its author.
    Draft,
    /// Immutable; only addenda may follow.
    Finalised {
        /// When it was finalised.
        at: DateTime<Utc>,
        /// Who finalised it.
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        by: MemberId,
    },
}

/// Text added to a finalised note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct Addendum {
    /// What is added.
    pub text: String,
    /// When.
    pub written_at: Option<DateTime<Utc>>,
    /// By whom.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub author: Option<MemberId>,
}

/// An addendum as read from the vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AddendumRecord {
    /// The addendum's id.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub id: AddendumId,
    /// Its content.
    pub addendum: Addendum,
}

/// A session note as read from the vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Note {
    /// The note's id.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub id: NoteId,
    /// The client it is about.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub client: ClientId,
    /// Its author.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub author: Option<MemberId>,
    /// Content.
    pub content: NoteDraft,
    /// Draft or finalised.
    pub status: NoteStatus,
    /// Addenda, oldest first.
    pub addenda: Vec<AddendumRecord>,
}

/// A follow-up task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct Task {
    /// What to do.
    pub title: String,
    /// By when.
    pub due: Option<NaiveDate>,
    /// Who should do it.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub assigned_to: Option<MemberId>,
    /// When it was done, once done.
    pub done_at: Option<DateTime<Utc>>,
}

/// A task as read from the vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct TaskRecord {
    /// The task's id.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub id: TaskId,
    /// The task.
    pub task: Task,
}

/// How soon the partner should act on a referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Within the partner's normal time.
    #[default]
    Routine,
    /// Within days.
    Soon,
    /// Today: the client is at risk.
    Urgent,
}

/// Where a referral stands: sent -> accepted -> completed, or declined; on the way the client
/// may not come ("tidak datang") or the partner may not be reachable ("mitra tidak dapat
/// dihubungi"), which both still need the counselor's follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    /// Sent to the partner.
    #[default]
    Sent,
    /// The partner accepted the client.
    Accepted,
    /// The partner confirmed it was handled.
    Completed,
    /// The partner (or the client) declined.
    Declined,
    /// The client did not come to the partner ("tidak datang").
    NoShow,
    /// The partner could not be reached ("mitra tidak dapat dihubungi").
    PartnerUnreachable,
}

impl ReferralStatus {
    /// Whether a referral in this status may move to `next`. A client who did not come may
    /// still be accepted later; a partner reached after all may take the referral again.
    pub fn can_become(self, next: ReferralStatus) -> bool {
        use ReferralStatus::{Accepted, Completed, Declined, NoShow, PartnerUnreachable, Sent};
        matches!(
            (self, next),
            (Sent, Accepted | Declined | NoShow | PartnerUnreachable)
                | (Accepted, Completed | Declined | NoShow)
                | (NoShow, Accepted | Completed | Declined)
                | (PartnerUnreachable, Sent | Accepted | Declined)
        )
    }

    /// Completed and declined referrals need nothing more.
    pub fn is_closed(self) -> bool {
        matches!(self, ReferralStatus::Completed | ReferralStatus::Declined)
    }
}

/// A referral of a client to a directory partner, or to a partner outside the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct Referral {
    /// The directory entry's id (empty for a partner outside the directory).
    pub partner_id: String,
    /// The partner's name at the time of the referral.
    pub partner_name: String,
    /// How to reach a partner outside the directory, as the counselor wrote it (phone,
    /// address); empty for directory partners, whose contact is in the directory.
    pub partner_contact: String,
    /// The partner is not in the directory: flagged for an admin to add it.
    pub partner_outside_directory: bool,
    /// Why the client is referred.
    pub reason: String,
    /// How soon.
    pub urgency: Urgency,
    /// The minimum data shared with the partner (e.g. "name", "contact", "summary").
    pub shared_data: Vec<String>,
    /// Lawful basis when the client's consent does not cover referral (e.g. vital interest);
    /// `None` means the client's consent for referral is relied on.
    pub lawful_basis: Option<LawfulBasis>,
    /// When to check that the referral was handled.
    pub follow_up_due: Option<NaiveDate>,
    /// The follow-up task created with the referral (set by the vault).
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub follow_up_task: Option<TaskId>,
}

/// One status change of a referral, with its date and note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct ReferralUpdate {
    /// The new status.
    pub status: ReferralStatus,
    /// When it changed.
    pub at: Option<DateTime<Utc>>,
    /// What happened (who confirmed, why declined...).
    pub note: String,
}

/// A referral with its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ReferralRecord {
    /// Its id.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub id: ReferralId,
    /// The referral.
    pub referral: Referral,
    /// Status changes, oldest first (the first is `sent`).
    pub updates: Vec<ReferralUpdate>,
    /// The current status.
    pub status: ReferralStatus,
}

#[cfg(test)]
mod tests;
