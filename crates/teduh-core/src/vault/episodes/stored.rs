//! An episode's stored fields (a leaf module: the receive rules read it too).

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::episode::{Decision, RiskAssessment, SafetyPlan, Subject, Trigger};

/// The client or contact (also the key it is sealed under: checked on receipt).
pub(in crate::vault) const SUBJECT: &str = "subject";
/// What opened it.
pub(in crate::vault) const TRIGGER: &str = "trigger";
/// When it opened.
pub(in crate::vault) const OPENED_AT: &str = "opened_at";
/// The workers' assessment.
pub(in crate::vault) const ASSESSMENT: &str = "assessment";
/// The safety plan.
pub(in crate::vault) const SAFETY_PLAN: &str = "safety_plan";
/// Actions taken.
pub(in crate::vault) const ACTIONS: &str = "actions";
/// A supervisor's acknowledgement.
pub(in crate::vault) const ACKNOWLEDGED: &str = "acknowledged";
/// A supervisor's closure.
pub(in crate::vault) const CLOSED: &str = "closed";
/// Why it was closed.
pub(in crate::vault) const CLOSE_REASON: &str = "close_reason";

/// The fields that only their creation sets.
pub(in crate::vault) const SET_AT_OPENING: [&str; 3] = [SUBJECT, TRIGGER, OPENED_AT];
/// The fields only a supervisor or admin writes, each naming her.
pub(in crate::vault) const DECISIONS: [&str; 2] = [ACKNOWLEDGED, CLOSED];

/// Every field of an episode as stored, or those of one record (a receiver parses each record
/// to check its fields' types; what only the creation sets is absent from an update).
#[derive(Debug, Deserialize)]
pub(in crate::vault) struct StoredEpisode {
    #[serde(default)]
    pub subject: Option<Subject>,
    #[serde(default)]
    pub trigger: Option<Trigger>,
    #[serde(default)]
    pub opened_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub assessment: RiskAssessment,
    #[serde(default)]
    pub safety_plan: SafetyPlan,
    #[serde(default)]
    pub actions: String,
    #[serde(default)]
    pub acknowledged: Option<Decision>,
    #[serde(default)]
    pub closed: Option<Decision>,
    #[serde(default)]
    pub close_reason: String,
}
