//! Consent (UU PDP: specific personal data needs explicit consent, a child's from a parent or
//! guardian) and its withdrawal: who gave it, on which lawful basis, for which purposes, and the
//! rules on those values alone ([`Consent::check_for`], [`ConsentWithdrawal::check_against`],
//! [`purpose_stopped`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::ConsentId;

#[cfg(doc)]
use super::ClientProfile;

/// Who gave consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ConsentGiver {
    /// The client (an adult).
    #[default]
    SelfGiven,
    /// A parent of a child.
    Parent,
    /// A legal guardian.
    Guardian,
    /// Nobody: the client is a child and no parent or guardian can be asked (an unaccompanied
    /// or street child). The record then rests on [`Consent::lawful_basis`] (not consent),
    /// with the reason in [`Consent::basis_reason`], and the child's assent beside it.
    NoGuardian,
}

/// Lawful basis for processing (UU 27/2022 on personal data protection, article 20).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum LawfulBasis {
    /// Explicit consent.
    #[default]
    Consent,
    /// Vital interests of the data subject.
    VitalInterest,
    /// A legal obligation of the controller.
    LegalObligation,
    /// A task in the public interest or public authority.
    PublicTask,
    /// Performance of a contract.
    Contract,
    /// Legitimate interests.
    LegitimateInterest,
}

/// How consent was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ConsentChannel {
    /// Signed form.
    #[default]
    Written,
    /// Spoken, noted by the worker.
    Verbal,
    /// Digital (message, form).
    Digital,
}

/// A consent record. Consent is append-only: it is never edited, only withdrawn by a
/// [`ConsentWithdrawal`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct Consent {
    /// Who gave it.
    pub given_by: ConsentGiver,
    /// Name of the person who gave it (the client, parent or guardian).
    pub giver_name: String,
    /// For children: whether the child also assented.
    pub child_assent: Option<bool>,
    /// Purposes consented to (e.g. `"counseling"`, `"referral"`, `"data_sharing_with_partner"`).
    pub purposes: Vec<String>,
    /// Lawful basis.
    pub lawful_basis: LawfulBasis,
    /// Channel.
    pub channel: ConsentChannel,
    /// When it was given.
    pub given_at: Option<DateTime<Utc>>,
    /// Why the record rests on a lawful basis other than consent (required when nobody could
    /// give consent, [`ConsentGiver::NoGuardian`]): who was looked for, why it cannot wait.
    pub basis_reason: String,
}

/// Why a consent cannot be recorded for this client (UU PDP article 25: a child's personal
/// data is processed with the consent of a parent or guardian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConsentProblem {
    /// The client's age is not recorded, so who may consent is not known.
    #[error("record the client's birth date or estimated age first: a child cannot consent alone")]
    AgeUnknown,
    /// A child gave consent alone.
    #[error("a client under 18 cannot consent alone: a parent or guardian consents, or, when none can be asked, record the lawful basis and the reason")]
    ChildAlone,
    /// The parent's or guardian's name is missing.
    #[error("write the name of the parent or guardian who consented")]
    GiverNameMissing,
    /// The child's own agreement (assent) was not recorded, yes or no.
    #[error("record whether the child agrees (assent) beside the consent")]
    AssentMissing,
    /// Nobody could consent, but the basis given is consent.
    #[error("when no parent or guardian can be asked, choose the lawful basis the record rests on (e.g. vital interest)")]
    BasisNeeded,
    /// Nobody could consent, and the reason is missing.
    #[error("when no parent or guardian can be asked, write why")]
    ReasonNeeded,
    /// "No guardian" for an adult, who consents herself or through a legal guardian.
    #[error("an adult consents herself or through a legal guardian")]
    NotAChild,
}

impl Consent {
    /// Checks who consented against the client's age: an adult herself (or a legal guardian);
    /// a child through a parent or guardian (named) with the child's assent recorded beside
    /// it; a child no guardian can be asked for on a lawful basis other than consent, with the
    /// reason and the assent. `child` is [`ClientProfile::is_child`] (`None`: age unknown).
    ///
    /// Fails with the first [`ConsentProblem`].
    pub fn check_for(&self, child: Option<bool>) -> Result<(), ConsentProblem> {
        let Some(child) = child else {
            return match self.given_by {
                ConsentGiver::SelfGiven => Err(ConsentProblem::AgeUnknown),
                _ => self.check_for(Some(true)),
            };
        };
        let named = !self.giver_name.trim().is_empty();
        match (child, self.given_by) {
            (false, ConsentGiver::NoGuardian) => Err(ConsentProblem::NotAChild),
            (false, ConsentGiver::SelfGiven) => Ok(()),
            (_, ConsentGiver::Parent | ConsentGiver::Guardian) if !named => {
                Err(ConsentProblem::GiverNameMissing)
            }
            (false, _) => Ok(()),
            (true, ConsentGiver::SelfGiven) => Err(ConsentProblem::ChildAlone),
            (true, _) if self.child_assent.is_none() => Err(ConsentProblem::AssentMissing),
            (true, ConsentGiver::NoGuardian) if self.lawful_basis == LawfulBasis::Consent => {
                Err(ConsentProblem::BasisNeeded)
            }
            (true, ConsentGiver::NoGuardian) if self.basis_reason.trim().is_empty() => {
                Err(ConsentProblem::ReasonNeeded)
            }
            (true, _) => Ok(()),
        }
    }
}

/// Why a withdrawal cannot be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WithdrawalProblem {
    /// No date and time of the withdrawal.
    #[error("a withdrawal needs the date it was made")]
    WhenMissing,
    /// No reason written.
    #[error("write why consent was withdrawn (what the client or guardian said)")]
    ReasonMissing,
    /// The consent is already withdrawn.
    #[error("this consent is already withdrawn")]
    AlreadyWithdrawn,
}

impl ConsentWithdrawal {
    /// Checks that the withdrawal says when and why, and that `record` is still in force.
    ///
    /// Fails with the first [`WithdrawalProblem`].
    pub fn check_against(&self, record: &ConsentRecord) -> Result<(), WithdrawalProblem> {
        if self.withdrawn_at.is_none() {
            return Err(WithdrawalProblem::WhenMissing);
        }
        if self.reason.trim().is_empty() {
            return Err(WithdrawalProblem::ReasonMissing);
        }
        if !record.withdrawals.is_empty() {
            return Err(WithdrawalProblem::AlreadyWithdrawn);
        }
        Ok(())
    }
}

/// Withdrawal of a consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct ConsentWithdrawal {
    /// When it was withdrawn.
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// Reason given, if any.
    pub reason: String,
}

/// A consent as read from the vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ConsentRecord {
    /// The consent's id.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub id: ConsentId,
    /// What was consented.
    pub consent: Consent,
    /// Withdrawals (normally zero or one).
    pub withdrawals: Vec<ConsentWithdrawal>,
}

/// The purposes a consent names (the form's choices); a record may name others.
pub mod purpose {
    /// Counselling and support.
    pub const SERVICE: &str = "service";
    /// Referral to other services.
    pub const REFERRAL: &str = "referral";
    /// Review of her notes by a supervisor.
    pub const SUPERVISION: &str = "supervision";
    /// Counting her in the service's statistics (without her name).
    pub const STATISTICS: &str = "statistics";
}

/// Whether `purpose` is stopped by a withdrawal (UU PDP Ps 40): a consent naming it was
/// withdrawn and no record in force names it. A record in force may rest on consent given again
/// or on another lawful basis (a vital interest, a legal obligation) written down for that
/// purpose. A purpose never consented to and never withdrawn is not stopped here: the action's
/// own rule decides (a referral needs consent or a basis; a review does not).
pub fn purpose_stopped(consents: &[ConsentRecord], purpose: &str) -> bool {
    let mut naming = consents
        .iter()
        .filter(|c| c.consent.purposes.iter().any(|p| p == purpose))
        .peekable();
    naming.peek().is_some() && naming.all(|c| !c.withdrawals.is_empty())
}
