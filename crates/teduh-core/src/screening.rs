//! Screening instruments (SRQ-20, PHQ-9, GAD-7, K10): items with stable ids and Indonesian and English
//! wording, computed scoring, severity bands and red flags.
//!
//! Scores are always computed from the item answers by [`score`]; a total is never typed in.
//! Item ids (`"phq9.09"`) are stable forever: stored answers refer to them. The instruments'
//! owners are credited by [`Instrument::attribution`], which the UI shows with every form.
//!
//! The Indonesian wording follows the translations in common use in Indonesian primary care
//! (SRQ-20 as used by Kemenkes; PHQ-9/GAD-7 Indonesian versions; K10 translated here); have a
//! clinician check it against the official published versions before field use. The wording
//! itself is in `screening/wording.rs`, the tests in `screening/tests.rs`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{MemberId, ScreeningId};

mod wording;
use wording::{FREQUENCY, GAD7, HOW_OFTEN, K10, PHQ9, SRQ20, YES_NO};

/// A screening instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Instrument {
    /// WHO Self-Reporting Questionnaire, 20 yes/no items.
    Srq20,
    /// Patient Health Questionnaire (depression), 9 items scored 0-3.
    Phq9,
    /// Generalised Anxiety Disorder scale, 7 items scored 0-3.
    Gad7,
    /// Kessler Psychological Distress Scale, 10 items scored 1-5 (total 10-50).
    K10,
}

/// One item of an instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Item {
    /// Stable id, e.g. `"srq20.17"`.
    pub id: &'static str,
    /// Wording in Bahasa Indonesia.
    pub text_id: &'static str,
    /// Wording in English.
    pub text_en: &'static str,
}

/// One answer option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AnswerOption {
    /// Stored value.
    pub value: u8,
    /// Label in Bahasa Indonesia.
    pub label_id: &'static str,
    /// Label in English.
    pub label_en: &'static str,
}

/// The SRQ-20 item that is a red flag whatever the total.
pub const SRQ20_SUICIDAL_THOUGHTS: &str = "srq20.17";
/// The PHQ-9 item that is a red flag when answered above zero.
pub const PHQ9_SELF_HARM: &str = "phq9.09";

impl Instrument {
    /// Every instrument, for menus.
    pub const ALL: [Instrument; 4] = [
        Instrument::Srq20,
        Instrument::Phq9,
        Instrument::Gad7,
        Instrument::K10,
    ];

    /// Short code used by the CLI and in stored data (`"srq20"`, `"phq9"`, `"gad7"`, `"k10"`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Srq20 => "srq20",
            Self::Phq9 => "phq9",
            Self::Gad7 => "gad7",
            Self::K10 => "k10",
        }
    }

    /// Parses [`Instrument::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.code() == code)
    }

    /// The items, in the order they are asked.
    pub fn items(self) -> &'static [Item] {
        match self {
            Self::Srq20 => SRQ20,
            Self::Phq9 => PHQ9,
            Self::Gad7 => GAD7,
            Self::K10 => K10,
        }
    }

    /// The answer options shared by all items.
    pub fn options(self) -> &'static [AnswerOption] {
        match self {
            Self::Srq20 => YES_NO,
            Self::Phq9 | Self::Gad7 => FREQUENCY,
            Self::K10 => HOW_OFTEN,
        }
    }

    /// The question stem in Indonesian and English (PHQ-9 and GAD-7 ask about two weeks, K10
    /// about four).
    pub fn stem(self) -> (&'static str, &'static str) {
        match self {
            Self::Srq20 => (
                "Dalam 30 hari terakhir:",
                "In the past 30 days:",
            ),
            Self::Phq9 | Self::Gad7 => (
                "Dalam 2 minggu terakhir, seberapa sering Anda terganggu oleh masalah berikut?",
                "Over the last 2 weeks, how often have you been bothered by the following problems?",
            ),
            Self::K10 => (
                "Dalam 4 minggu terakhir, seberapa sering Anda:",
                "In the past 4 weeks, about how often did you:",
            ),
        }
    }

    /// Who owns the instrument and on what terms it is used; shown with every form and result.
    pub fn attribution(self) -> &'static str {
        match self {
            Self::Srq20 => {
                "SRQ-20: Self-Reporting Questionnaire, World Health Organization (WHO). \
                 A user's guide to the Self Reporting Questionnaire (SRQ), WHO, Geneva, 1994."
            }
            Self::Phq9 => {
                "PHQ-9: developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and \
                 colleagues, with an educational grant from Pfizer Inc. No permission required to \
                 reproduce, translate, display or distribute."
            }
            Self::Gad7 => {
                "GAD-7: developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and \
                 colleagues, with an educational grant from Pfizer Inc. No permission required to \
                 reproduce, translate, display or distribute."
            }
            Self::K10 => {
                "K10: Kessler Psychological Distress Scale, Professor Ronald C. Kessler, Harvard \
                 Medical School (Kessler et al., Psychological Medicine 32, 2002). Free to use; \
                 bands after Andrews & Slade (2001)."
            }
        }
    }
}

/// Scoring settings an organisation may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoringConfig {
    /// SRQ-20 totals at or above this are flagged for further assessment (WHO suggests 6-8
    /// depending on the population; 6 is common in Indonesia).
    pub srq20_cutoff: u32,
}

impl Default for ScoringConfig {
    fn default() -> Self {
        Self { srq20_cutoff: 6 }
    }
}

/// A severity band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// PHQ-9 0-4, GAD-7 0-4.
    Minimal,
    /// PHQ-9 5-9, GAD-7 5-9.
    Mild,
    /// PHQ-9 10-14, GAD-7 10-14, K10 16-21.
    Moderate,
    /// PHQ-9 15-19.
    ModeratelySevere,
    /// PHQ-9 20-27, GAD-7 15-21.
    Severe,
    /// SRQ-20 below the cut-off.
    BelowCutoff,
    /// SRQ-20 at or above the cut-off.
    AboveCutoff,
    /// K10 10-15: likely well.
    Low,
    /// K10 22-29 (K10 16-21 is [`Band::Moderate`]).
    High,
    /// K10 30-50.
    VeryHigh,
}

/// The answers given for one administration of an instrument (what is stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ScreeningAnswers {
    /// Which instrument.
    pub instrument: Instrument,
    /// Item id -> chosen option value.
    pub answers: BTreeMap<String, u8>,
    /// When it was administered.
    pub administered_at: Option<DateTime<Utc>>,
    /// By whom.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub administered_by: Option<MemberId>,
    /// Language the items were read in (`"id"` or `"en"`).
    pub language: String,
}

/// Computed result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ScreeningResult {
    /// Sum of the item values.
    pub total: u32,
    /// Severity band.
    pub band: Band,
    /// Whether the result calls for further assessment (SRQ-20 cut-off, PHQ-9/GAD-7 >= 10) or
    /// has a red flag.
    pub flagged: bool,
    /// Item ids that are red flags (suicidal thoughts, self-harm), whatever the total.
    pub red_flags: Vec<String>,
    /// The instrument's attribution.
    pub attribution: &'static str,
}

/// A stored screening as read from the vault, with its computed result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Screening {
    /// The screening's id.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub id: ScreeningId,
    /// The answers.
    pub answers: ScreeningAnswers,
    /// The computed result.
    pub result: ScreeningResult,
}

/// Why a set of answers is not a complete, valid administration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScreeningError {
    /// An item of the instrument has no answer.
    #[error("item {0} is not answered")]
    Missing(String),
    /// An answer names an item the instrument does not have.
    #[error("{0} is not an item of this instrument")]
    UnknownItem(String),
    /// An answer value is not one of the options.
    #[error("answer {value} to item {item} is not one of the options")]
    OutOfRange {
        /// The item.
        item: String,
        /// The value given.
        value: u8,
    },
}

/// Checks the answers and computes the result.
///
/// Fails when an item is missing, unknown, or answered out of range.
pub fn score(
    answers: &ScreeningAnswers,
    config: &ScoringConfig,
) -> Result<ScreeningResult, ScreeningError> {
    let inst = answers.instrument;
    let min = inst.options().iter().map(|o| o.value).min().unwrap_or(0);
    let max = inst.options().iter().map(|o| o.value).max().unwrap_or(0);
    for id in answers.answers.keys() {
        if !inst.items().iter().any(|i| i.id == id) {
            return Err(ScreeningError::UnknownItem(id.clone()));
        }
    }
    let mut total = 0u32;
    for it in inst.items() {
        let v = *answers
            .answers
            .get(it.id)
            .ok_or_else(|| ScreeningError::Missing(it.id.to_owned()))?;
        if v < min || v > max {
            return Err(ScreeningError::OutOfRange {
                item: it.id.to_owned(),
                value: v,
            });
        }
        total += u32::from(v);
    }
    let answered = |id: &str| answers.answers.get(id).copied().unwrap_or(0) > 0;
    let mut red_flags = Vec::new();
    let (band, over) = match inst {
        Instrument::Srq20 => {
            if answered(SRQ20_SUICIDAL_THOUGHTS) {
                red_flags.push(SRQ20_SUICIDAL_THOUGHTS.to_owned());
            }
            if total >= config.srq20_cutoff {
                (Band::AboveCutoff, true)
            } else {
                (Band::BelowCutoff, false)
            }
        }
        Instrument::Phq9 => {
            if answered(PHQ9_SELF_HARM) {
                red_flags.push(PHQ9_SELF_HARM.to_owned());
            }
            let band = match total {
                0..=4 => Band::Minimal,
                5..=9 => Band::Mild,
                10..=14 => Band::Moderate,
                15..=19 => Band::ModeratelySevere,
                _ => Band::Severe,
            };
            (band, total >= 10)
        }
        Instrument::Gad7 => {
            let band = match total {
                0..=4 => Band::Minimal,
                5..=9 => Band::Mild,
                10..=14 => Band::Moderate,
                _ => Band::Severe,
            };
            (band, total >= 10)
        }
        // K10 has no self-harm item: a high total is flagged for assessment, not a red flag.
        Instrument::K10 => {
            let band = match total {
                0..=15 => Band::Low,
                16..=21 => Band::Moderate,
                22..=29 => Band::High,
                _ => Band::VeryHigh,
            };
            (band, total >= 22)
        }
    };
    Ok(ScreeningResult {
        total,
        band,
        flagged: over || !red_flags.is_empty(),
        red_flags,
        attribution: inst.attribution(),
    })
}

/// Builds answers from values in item order (convenient for the CLI: `1,0,2,...`).
///
/// Fails when the number of values differs from the number of items.
pub fn answers_in_order(
    instrument: Instrument,
    values: &[u8],
) -> Result<BTreeMap<String, u8>, ScreeningError> {
    let items = instrument.items();
    if values.len() < items.len() {
        return Err(ScreeningError::Missing(items[values.len()].id.to_owned()));
    }
    if values.len() > items.len() {
        return Err(ScreeningError::UnknownItem(format!(
            "answer #{} (the instrument has {} items)",
            items.len() + 1,
            items.len()
        )));
    }
    Ok(items
        .iter()
        .zip(values)
        .map(|(i, v)| (i.id.to_owned(), *v))
        .collect())
}

#[cfg(test)]
mod tests;
