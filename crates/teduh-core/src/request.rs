//! Data-subject requests under UU PDP No. 27/2022 (issue 25): a person (or her parent or
//! guardian) asks to see, correct, erase, restrict or object to the processing of her data,
//! withdraws a consent, or asks for it in a portable form. The organisation must answer within
//! 3×24 hours of receiving the request (Ps 30, 32, 40, 41) and record it (Ps 14); it must refuse
//! access where access would endanger someone or reveal other people's data (Ps 33).
//!
//! The clock runs from the moment the request was *received*, as the handler enters it (a
//! letter read on Monday and entered on Wednesday is due on Thursday, not Saturday); the
//! moment it was entered is kept beside it, so a late entry shows. The rules here are pure:
//! the vault stores a request as a signed record under the client's key
//! (`vault/requests/`) and computes each view with its device's corrected clock.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::MemberId;

/// Hours the organisation has to answer a request: 3×24 (UU PDP Ps 30, 32, 40, 41).
pub const ANSWER_HOURS: i64 = 72;

/// How far ahead of this device's (corrected) clock a receipt time may lie: a request cannot
/// be received in the future, but two clocks a few minutes apart must not refuse a true time.
pub const FUTURE_TOLERANCE_MINUTES: i64 = 10;

/// What the person asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// To see her data and how it was processed (Ps 32).
    #[default]
    Access,
    /// To correct it (Ps 30).
    Correction,
    /// To erase it (Ps 43).
    Erasure,
    /// To withdraw a consent she gave (Ps 40).
    ConsentWithdrawal,
    /// To restrict its processing (Ps 41).
    Restriction,
    /// To object to a decision made by automated processing alone (Ps 10).
    Objection,
    /// To receive it in a form another service can read (Ps 13).
    Portability,
}

impl RequestKind {
    /// Every kind, in the order forms list them.
    pub const ALL: [RequestKind; 7] = [
        Self::Access,
        Self::Correction,
        Self::Erasure,
        Self::ConsentWithdrawal,
        Self::Restriction,
        Self::Objection,
        Self::Portability,
    ];

    /// Stored and command-line name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Correction => "correction",
            Self::Erasure => "erasure",
            Self::ConsentWithdrawal => "consent_withdrawal",
            Self::Restriction => "restriction",
            Self::Objection => "objection",
            Self::Portability => "portability",
        }
    }

    /// Parses [`RequestKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Who made the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Requester {
    /// The person herself.
    #[default]
    Person,
    /// A parent of a child.
    Parent,
    /// A legal guardian.
    Guardian,
}

/// How the request reached the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ReceivedVia {
    /// Said in person at the service.
    #[default]
    InPerson,
    /// A telephone call.
    Phone,
    /// A WhatsApp message.
    WhatsApp,
    /// A letter.
    Letter,
    /// An e-mail.
    Email,
}

/// How the requester's identity was checked before anything is disclosed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum IdentityCheck {
    /// Not checked yet: nothing may be disclosed until it is.
    #[default]
    NotYet,
    /// An identity card (KTP, KIA for a child) was seen.
    IdentityCard,
    /// The worker knows the person from her sessions.
    KnownToWorker,
    /// A parent's or guardian's document (family card, court order) was seen.
    GuardianDocument,
    /// Another way, said in the note.
    Other,
}

/// What the answer was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Done as asked.
    #[default]
    Granted,
    /// Done in part; the rest refused on the grounds given.
    PartlyGranted,
    /// Refused on the grounds given.
    Refused,
}

/// Why access is refused (UU PDP Ps 33).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum RefusalGround {
    /// It would endanger the safety or the physical or mental health of the person or others
    /// (Ps 33 a).
    EndangersSafetyOrHealth,
    /// It would reveal other people's personal data (Ps 33 b).
    RevealsOthersData,
    /// It would go against national defence and security (Ps 33 c).
    NationalDefence,
}

/// The answer given to a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct RequestAnswer {
    /// When it was answered (given to the person).
    pub answered_at: Option<DateTime<Utc>>,
    /// What was decided.
    pub outcome: Outcome,
    /// What was done or said, in words the person was given.
    pub text: String,
    /// Ps 33 grounds, where access was refused in whole or in part.
    pub grounds: Vec<RefusalGround>,
}

/// A request as the handler registers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct DataRequest {
    /// What is asked.
    pub kind: RequestKind,
    /// Who asked.
    pub requester: Requester,
    /// The parent's or guardian's name (empty when the person asked herself).
    pub requester_name: String,
    /// How it came.
    pub received_via: ReceivedVia,
    /// When it was received: the 3×24 h run from here.
    pub received_at: Option<DateTime<Utc>>,
    /// How the identity was checked.
    pub identity: IdentityCheck,
    /// What was asked, in the person's words or the handler's summary.
    pub details: String,
    /// Who handles it (the registering member unless she names another).
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub handler: Option<MemberId>,
}

/// Why a request or an answer cannot be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RequestProblem {
    /// No receipt time.
    #[error("a request needs the time it was received")]
    NoReceiptTime,
    /// A receipt time later than now.
    #[error("a request cannot be received in the future")]
    ReceivedInFuture,
    /// A parent or guardian without a name.
    #[error("a request by a parent or guardian needs their name")]
    RequesterUnnamed,
    /// An answer without a time, or before the request came.
    #[error("an answer needs its time, not before the request was received")]
    AnswerTime,
    /// An answer later than now.
    #[error("an answer cannot be given in the future")]
    AnsweredInFuture,
    /// An answer without words.
    #[error("an answer needs what was done or said")]
    AnswerEmpty,
    /// A refusal without Ps 33 grounds, or grounds on a request granted in full.
    #[error("a refusal names its grounds (Ps 33), and a request granted in full names none")]
    Grounds,
    /// Granting something before the identity was checked.
    #[error("nothing is disclosed or changed before the requester's identity is checked")]
    IdentityNotChecked,
    /// A second answer.
    #[error("this request has been answered")]
    AnsweredAlready,
}

impl DataRequest {
    /// Checks a request before it is recorded at `now` (this device's corrected clock).
    pub fn check(&self, now: DateTime<Utc>) -> Result<(), RequestProblem> {
        let received = self.received_at.ok_or(RequestProblem::NoReceiptTime)?;
        if received > now + Duration::minutes(FUTURE_TOLERANCE_MINUTES) {
            return Err(RequestProblem::ReceivedInFuture);
        }
        if self.requester != Requester::Person && self.requester_name.trim().is_empty() {
            return Err(RequestProblem::RequesterUnnamed);
        }
        Ok(())
    }

    /// The moment the answer is due: 3×24 h after receipt.
    pub fn deadline(&self) -> Option<DateTime<Utc>> {
        self.received_at.map(|r| r + Duration::hours(ANSWER_HOURS))
    }
}

impl RequestAnswer {
    /// Checks an answer to `request` given at `now` (this device's corrected clock).
    pub fn check(&self, request: &DataRequest, now: DateTime<Utc>) -> Result<(), RequestProblem> {
        let at = self.answered_at.ok_or(RequestProblem::AnswerTime)?;
        if request.received_at.is_some_and(|r| at < r) {
            return Err(RequestProblem::AnswerTime);
        }
        if at > now + Duration::minutes(FUTURE_TOLERANCE_MINUTES) {
            return Err(RequestProblem::AnsweredInFuture);
        }
        if self.text.trim().is_empty() {
            return Err(RequestProblem::AnswerEmpty);
        }
        let grounds_expected = self.outcome != Outcome::Granted;
        if grounds_expected == self.grounds.is_empty() {
            return Err(RequestProblem::Grounds);
        }
        if self.outcome != Outcome::Refused && request.identity == IdentityCheck::NotYet {
            return Err(RequestProblem::IdentityNotChecked);
        }
        Ok(())
    }
}

/// Where a request stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Open, within its 3×24 h.
    Open,
    /// Open past its deadline.
    Overdue,
    /// Answered within its deadline.
    AnsweredInTime,
    /// Answered after its deadline.
    AnsweredLate,
}

/// Where `request` (with its answer, if any) stands at `now`.
pub fn standing(
    request: &DataRequest,
    answer: Option<&RequestAnswer>,
    now: DateTime<Utc>,
) -> Standing {
    let deadline = request.deadline();
    let late = |at: DateTime<Utc>| deadline.is_some_and(|d| at > d);
    match answer.and_then(|a| a.answered_at) {
        Some(at) if late(at) => Standing::AnsweredLate,
        Some(_) => Standing::AnsweredInTime,
        None if late(now) => Standing::Overdue,
        None => Standing::Open,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0)
            .single()
            .expect("a time")
    }

    fn request(received: DateTime<Utc>) -> DataRequest {
        DataRequest {
            received_at: Some(received),
            identity: IdentityCheck::IdentityCard,
            ..DataRequest::default()
        }
    }

    fn answer(at: DateTime<Utc>, outcome: Outcome, grounds: Vec<RefusalGround>) -> RequestAnswer {
        RequestAnswer {
            answered_at: Some(at),
            outcome,
            text: "Salinan data diberikan.".into(),
            grounds,
        }
    }

    #[test]
    fn the_deadline_is_three_times_twenty_four_hours_after_receipt() {
        let r = request(at(1, 9));
        assert_eq!(r.deadline(), Some(at(4, 9)));
        assert_eq!(standing(&r, None, at(4, 9)), Standing::Open);
        assert_eq!(standing(&r, None, at(4, 10)), Standing::Overdue);
    }

    #[test]
    fn a_request_entered_late_keeps_the_receipt_time_as_its_start() {
        // Received Monday 09.00, entered Wednesday 15.00: due Thursday 09.00, 18 h left.
        let r = request(at(7, 9));
        let entered = at(9, 15);
        r.check(entered).expect("taken");
        assert_eq!(r.deadline(), Some(at(10, 9)));
        assert_eq!(standing(&r, None, entered), Standing::Open);
        // Entered four days late, it is overdue the moment it is entered.
        assert_eq!(standing(&r, None, at(11, 9)), Standing::Overdue);
    }

    #[test]
    fn an_answer_after_the_deadline_stays_late_and_one_before_it_in_time() {
        let r = request(at(1, 9));
        let late = answer(at(4, 10), Outcome::Granted, vec![]);
        let on_time = answer(at(3, 10), Outcome::Granted, vec![]);
        assert_eq!(standing(&r, Some(&late), at(20, 0)), Standing::AnsweredLate);
        assert_eq!(
            standing(&r, Some(&on_time), at(20, 0)),
            Standing::AnsweredInTime
        );
    }

    #[test]
    fn impossible_requests_and_answers_are_refused_with_the_reason() {
        let now = at(5, 12);
        assert_eq!(
            DataRequest::default().check(now),
            Err(RequestProblem::NoReceiptTime)
        );
        assert_eq!(
            request(at(6, 12)).check(now),
            Err(RequestProblem::ReceivedInFuture)
        );
        let by_guardian = DataRequest {
            requester: Requester::Guardian,
            ..request(at(5, 9))
        };
        assert_eq!(
            by_guardian.check(now),
            Err(RequestProblem::RequesterUnnamed)
        );
        let r = request(at(5, 9));
        let checks = [
            (
                answer(at(5, 8), Outcome::Granted, vec![]),
                RequestProblem::AnswerTime,
            ),
            (
                answer(at(6, 8), Outcome::Granted, vec![]),
                RequestProblem::AnsweredInFuture,
            ),
            (
                answer(at(5, 10), Outcome::Refused, vec![]),
                RequestProblem::Grounds,
            ),
            (
                answer(
                    at(5, 10),
                    Outcome::Granted,
                    vec![RefusalGround::RevealsOthersData],
                ),
                RequestProblem::Grounds,
            ),
            (
                RequestAnswer {
                    text: " ".into(),
                    ..answer(at(5, 10), Outcome::Granted, vec![])
                },
                RequestProblem::AnswerEmpty,
            ),
        ];
        for (a, problem) in checks {
            assert_eq!(a.check(&r, now), Err(problem), "{a:?}");
        }
        let unchecked = DataRequest {
            identity: IdentityCheck::NotYet,
            ..r.clone()
        };
        assert_eq!(
            answer(at(5, 10), Outcome::Granted, vec![]).check(&unchecked, now),
            Err(RequestProblem::IdentityNotChecked)
        );
        // Refusing needs no identity: nothing is disclosed.
        answer(
            at(5, 10),
            Outcome::Refused,
            vec![RefusalGround::EndangersSafetyOrHealth],
        )
        .check(&unchecked, now)
        .expect("taken");
    }

    #[test]
    fn a_clock_a_few_minutes_behind_still_takes_a_true_receipt_time() {
        let now = at(5, 12);
        request(now + Duration::minutes(FUTURE_TOLERANCE_MINUTES - 1))
            .check(now)
            .expect("taken");
    }
}
