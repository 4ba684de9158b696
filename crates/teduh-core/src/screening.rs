//! Screening instruments (SRQ-20, PHQ-9, GAD-7, K10): items with stable ids and Indonesian and English
//! wording, computed scoring, severity bands and red flags.
//!
//! Scores are always computed from the item answers by [`score`]; a total is never typed in.
//! Item ids (`"phq9.09"`) are stable forever: stored answers refer to them. The instruments'
//! owners are credited by [`Instrument::attribution`], which the UI shows with every form.
//!
//! The Indonesian wording follows the translations in common use in Indonesian primary care
//! (SRQ-20 as used by Kemenkes; PHQ-9/GAD-7 Indonesian versions); have a clinician check it
//! against the official published versions before field use.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{MemberId, ScreeningId};

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

const YES_NO: &[AnswerOption] = &[
    AnswerOption {
        value: 0,
        label_id: "Tidak",
        label_en: "No",
    },
    AnswerOption {
        value: 1,
        label_id: "Ya",
        label_en: "Yes",
    },
];

const FREQUENCY: &[AnswerOption] = &[
    AnswerOption {
        value: 0,
        label_id: "Tidak sama sekali",
        label_en: "Not at all",
    },
    AnswerOption {
        value: 1,
        label_id: "Beberapa hari",
        label_en: "Several days",
    },
    AnswerOption {
        value: 2,
        label_id: "Lebih dari separuh waktu",
        label_en: "More than half the days",
    },
    AnswerOption {
        value: 3,
        label_id: "Hampir setiap hari",
        label_en: "Nearly every day",
    },
];

const HOW_OFTEN: &[AnswerOption] = &[
    AnswerOption {
        value: 1,
        label_id: "Tidak pernah",
        label_en: "None of the time",
    },
    AnswerOption {
        value: 2,
        label_id: "Jarang",
        label_en: "A little of the time",
    },
    AnswerOption {
        value: 3,
        label_id: "Kadang-kadang",
        label_en: "Some of the time",
    },
    AnswerOption {
        value: 4,
        label_id: "Sering",
        label_en: "Most of the time",
    },
    AnswerOption {
        value: 5,
        label_id: "Selalu",
        label_en: "All of the time",
    },
];

const fn item(id: &'static str, text_id: &'static str, text_en: &'static str) -> Item {
    Item {
        id,
        text_id,
        text_en,
    }
}

const SRQ20: &[Item] = &[
    item(
        "srq20.01",
        "Apakah Anda sering sakit kepala?",
        "Do you often have headaches?",
    ),
    item(
        "srq20.02",
        "Apakah Anda kehilangan nafsu makan?",
        "Is your appetite poor?",
    ),
    item(
        "srq20.03",
        "Apakah tidur Anda tidak nyenyak?",
        "Do you sleep badly?",
    ),
    item(
        "srq20.04",
        "Apakah Anda mudah merasa takut?",
        "Are you easily frightened?",
    ),
    item(
        "srq20.05",
        "Apakah tangan Anda gemetar?",
        "Do your hands shake?",
    ),
    item(
        "srq20.06",
        "Apakah Anda merasa cemas, tegang, atau khawatir?",
        "Do you feel nervous, tense or worried?",
    ),
    item(
        "srq20.07",
        "Apakah pencernaan Anda terganggu atau buruk?",
        "Is your digestion poor?",
    ),
    item(
        "srq20.08",
        "Apakah Anda sulit berpikir jernih?",
        "Do you have trouble thinking clearly?",
    ),
    item(
        "srq20.09",
        "Apakah Anda merasa tidak bahagia?",
        "Do you feel unhappy?",
    ),
    item(
        "srq20.10",
        "Apakah Anda menangis lebih sering dari biasanya?",
        "Do you cry more than usual?",
    ),
    item(
        "srq20.11",
        "Apakah Anda sulit menikmati kegiatan sehari-hari?",
        "Do you find it difficult to enjoy your daily activities?",
    ),
    item(
        "srq20.12",
        "Apakah Anda sulit mengambil keputusan?",
        "Do you find it difficult to make decisions?",
    ),
    item(
        "srq20.13",
        "Apakah pekerjaan sehari-hari Anda terganggu?",
        "Is your daily work suffering?",
    ),
    item(
        "srq20.14",
        "Apakah Anda merasa tidak mampu berperan dengan baik dalam kehidupan?",
        "Are you unable to play a useful part in life?",
    ),
    item(
        "srq20.15",
        "Apakah Anda kehilangan minat terhadap banyak hal?",
        "Have you lost interest in things?",
    ),
    item(
        "srq20.16",
        "Apakah Anda merasa tidak berharga?",
        "Do you feel that you are a worthless person?",
    ),
    item(
        "srq20.17",
        "Apakah Anda mempunyai pikiran untuk mengakhiri hidup?",
        "Has the thought of ending your life been on your mind?",
    ),
    item(
        "srq20.18",
        "Apakah Anda merasa lelah sepanjang waktu?",
        "Do you feel tired all the time?",
    ),
    item(
        "srq20.19",
        "Apakah Anda merasa tidak enak di perut?",
        "Do you have uncomfortable feelings in your stomach?",
    ),
    item(
        "srq20.20",
        "Apakah Anda mudah lelah?",
        "Are you easily tired?",
    ),
];

/// The SRQ-20 item that is a red flag whatever the total.
pub const SRQ20_SUICIDAL_THOUGHTS: &str = "srq20.17";
/// The PHQ-9 item that is a red flag when answered above zero.
pub const PHQ9_SELF_HARM: &str = "phq9.09";

const PHQ9: &[Item] = &[
    item("phq9.01", "Kurang tertarik atau bergairah dalam melakukan apa pun", "Little interest or pleasure in doing things"),
    item("phq9.02", "Merasa murung, muram, atau putus asa", "Feeling down, depressed, or hopeless"),
    item("phq9.03", "Sulit tidur atau mudah terbangun, atau terlalu banyak tidur", "Trouble falling or staying asleep, or sleeping too much"),
    item("phq9.04", "Merasa lelah atau kurang bertenaga", "Feeling tired or having little energy"),
    item("phq9.05", "Kurang nafsu makan atau terlalu banyak makan", "Poor appetite or overeating"),
    item("phq9.06", "Merasa buruk tentang diri sendiri, merasa gagal, atau telah mengecewakan diri sendiri atau keluarga", "Feeling bad about yourself, or that you are a failure or have let yourself or your family down"),
    item("phq9.07", "Sulit berkonsentrasi, misalnya saat membaca koran atau menonton televisi", "Trouble concentrating on things, such as reading the newspaper or watching television"),
    item("phq9.08", "Bergerak atau berbicara sangat lambat sehingga orang lain memperhatikannya, atau sebaliknya sangat gelisah sehingga lebih banyak bergerak dari biasanya", "Moving or speaking so slowly that other people could have noticed, or the opposite: being so fidgety or restless that you have been moving around a lot more than usual"),
    item("phq9.09", "Pikiran bahwa lebih baik mati atau ingin melukai diri sendiri dengan cara apa pun", "Thoughts that you would be better off dead, or of hurting yourself in some way"),
];

const GAD7: &[Item] = &[
    item(
        "gad7.01",
        "Merasa gugup, cemas, atau tegang",
        "Feeling nervous, anxious, or on edge",
    ),
    item(
        "gad7.02",
        "Tidak mampu menghentikan atau mengendalikan rasa khawatir",
        "Not being able to stop or control worrying",
    ),
    item(
        "gad7.03",
        "Terlalu mengkhawatirkan berbagai hal",
        "Worrying too much about different things",
    ),
    item("gad7.04", "Sulit untuk merasa santai", "Trouble relaxing"),
    item(
        "gad7.05",
        "Sangat gelisah sehingga sulit untuk duduk diam",
        "Being so restless that it is hard to sit still",
    ),
    item(
        "gad7.06",
        "Menjadi mudah kesal atau mudah tersinggung",
        "Becoming easily annoyed or irritable",
    ),
    item(
        "gad7.07",
        "Merasa takut seolah-olah sesuatu yang buruk akan terjadi",
        "Feeling afraid, as if something awful might happen",
    ),
];

#[rustfmt::skip]
const K10: &[Item] = &[
    item("k10.01", "Merasa lelah tanpa alasan yang jelas", "Feel tired out for no good reason"),
    item("k10.02", "Merasa gugup", "Feel nervous"),
    item("k10.03", "Merasa begitu gugup sehingga tidak ada yang dapat menenangkan Anda", "Feel so nervous that nothing could calm you down"),
    item("k10.04", "Merasa putus asa", "Feel hopeless"),
    item("k10.05", "Merasa gelisah atau tidak bisa tenang", "Feel restless or fidgety"),
    item("k10.06", "Merasa begitu gelisah sehingga tidak bisa duduk diam", "Feel so restless you could not sit still"),
    item("k10.07", "Merasa tertekan (depresi)", "Feel depressed"),
    item("k10.08", "Merasa bahwa segala sesuatu membutuhkan usaha keras", "Feel that everything was an effort"),
    item("k10.09", "Merasa begitu sedih sehingga tidak ada yang dapat menghibur Anda", "Feel so sad that nothing could cheer you up"),
    item("k10.10", "Merasa tidak berharga", "Feel worthless"),
];

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
mod tests {
    use super::*;

    fn answers(inst: Instrument, values: &[u8]) -> ScreeningAnswers {
        ScreeningAnswers {
            instrument: inst,
            answers: answers_in_order(inst, values).expect("right number of answers"),
            administered_at: None,
            administered_by: None,
            language: "id".into(),
        }
    }

    #[test]
    fn item_ids_are_unique_and_counts_match_the_instruments() {
        for (inst, n) in [
            (Instrument::Srq20, 20),
            (Instrument::Phq9, 9),
            (Instrument::Gad7, 7),
            (Instrument::K10, 10),
        ] {
            let items = inst.items();
            assert_eq!(items.len(), n, "{inst:?} has {n} items");
            let mut ids: Vec<_> = items.iter().map(|i| i.id).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), n, "{inst:?} item ids must be unique");
            assert!(
                items
                    .iter()
                    .all(|i| !i.text_id.is_empty() && !i.text_en.is_empty()),
                "{inst:?} items need both languages"
            );
        }
    }

    #[test]
    fn phq9_bands_follow_the_published_cut_points() {
        let cases = [
            (0, Band::Minimal),
            (4, Band::Minimal),
            (5, Band::Mild),
            (9, Band::Mild),
            (10, Band::Moderate),
            (14, Band::Moderate),
            (15, Band::ModeratelySevere),
            (19, Band::ModeratelySevere),
            (20, Band::Severe),
            (24, Band::Severe),
        ];
        for (total, band) in cases {
            // Spread the total over items 1-8 only, so item 9 (a red flag) stays 0.
            let mut v = [0u8; 9];
            let mut left = total;
            for x in v.iter_mut().take(8) {
                *x = left.min(3);
                left -= *x;
            }
            let r = score(&answers(Instrument::Phq9, &v), &ScoringConfig::default())
                .expect("valid answers");
            assert_eq!(
                (r.total, r.band),
                (u32::from(total), band),
                "PHQ-9 total {total}"
            );
            assert!(r.red_flags.is_empty(), "no red flag without item 9");
        }
    }

    #[test]
    fn phq9_item_nine_is_a_red_flag_even_with_a_low_total() {
        let r = score(
            &answers(Instrument::Phq9, &[0, 0, 0, 0, 0, 0, 0, 0, 1]),
            &ScoringConfig::default(),
        )
        .expect("valid answers");
        assert_eq!(r.band, Band::Minimal, "total 1 is minimal");
        assert_eq!(
            r.red_flags,
            vec![PHQ9_SELF_HARM.to_owned()],
            "item 9 > 0 flags"
        );
        assert!(r.flagged, "a red flag always flags the result");
    }

    #[test]
    fn gad7_bands_change_at_five_ten_and_fifteen() {
        for (v, band) in [
            ([0u8, 0, 0, 0, 0, 0, 4 - 4], Band::Minimal),
            ([3, 2, 0, 0, 0, 0, 0], Band::Mild),
            ([3, 3, 3, 1, 0, 0, 0], Band::Moderate),
            ([3, 3, 3, 3, 3, 0, 0], Band::Severe),
        ] {
            let r = score(&answers(Instrument::Gad7, &v), &ScoringConfig::default())
                .expect("valid answers");
            assert_eq!(r.band, band, "GAD-7 answers {v:?}");
        }
    }

    #[test]
    fn k10_scores_one_to_five_and_bands_change_at_sixteen_twenty_two_and_thirty() {
        for (total, band, flagged) in [
            (10u8, Band::Low, false),
            (15, Band::Low, false),
            (16, Band::Moderate, false),
            (21, Band::Moderate, false),
            (22, Band::High, true),
            (29, Band::High, true),
            (30, Band::VeryHigh, true),
            (50, Band::VeryHigh, true),
        ] {
            // Every item at least 1 ("none of the time"), the rest spread from the first item.
            let mut v = [1u8; 10];
            let mut left = total - 10;
            for x in &mut v {
                let more = left.min(4);
                *x += more;
                left -= more;
            }
            let r = score(&answers(Instrument::K10, &v), &ScoringConfig::default())
                .expect("valid answers");
            assert_eq!(
                (r.total, r.band, r.flagged),
                (u32::from(total), band, flagged),
                "K10 total {total}"
            );
            assert!(r.red_flags.is_empty(), "K10 has no red-flag item");
        }
        assert!(
            !Instrument::K10.attribution().is_empty()
                && Instrument::K10.attribution().contains("Kessler"),
            "K10 is credited to its author"
        );
    }

    #[test]
    fn a_k10_answer_of_zero_is_not_an_option() {
        let r = score(
            &answers(Instrument::K10, &[0, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
            &ScoringConfig::default(),
        );
        assert_eq!(
            r,
            Err(ScreeningError::OutOfRange {
                item: "k10.01".into(),
                value: 0
            }),
            "K10 answers run from 1 (none of the time) to 5"
        );
    }

    #[test]
    fn srq20_flags_at_the_configurable_cutoff_and_on_suicidal_thoughts() {
        let mut v = [0u8; 20];
        v[..6].fill(1);
        let six = answers(Instrument::Srq20, &v);
        assert!(
            score(&six, &ScoringConfig::default())
                .expect("valid")
                .flagged,
            "6 yes answers reach the default cut-off"
        );
        assert!(
            !score(&six, &ScoringConfig { srq20_cutoff: 8 })
                .expect("valid")
                .flagged,
            "with a cut-off of 8, six answers do not flag"
        );
        let mut only17 = [0u8; 20];
        only17[16] = 1;
        let r = score(
            &answers(Instrument::Srq20, &only17),
            &ScoringConfig::default(),
        )
        .expect("valid");
        assert_eq!(r.total, 1, "one yes");
        assert_eq!(
            r.red_flags,
            vec![SRQ20_SUICIDAL_THOUGHTS.to_owned()],
            "item 17 is a red flag"
        );
        assert!(
            r.flagged,
            "thoughts of ending one's life flag whatever the total"
        );
    }

    #[test]
    fn incomplete_or_out_of_range_answers_are_refused() {
        assert!(
            answers_in_order(Instrument::Gad7, &[0; 6]).is_err(),
            "six answers for seven items"
        );
        let bad = answers(Instrument::Srq20, &[2; 20]);
        assert!(
            matches!(
                score(&bad, &ScoringConfig::default()),
                Err(ScreeningError::OutOfRange { .. })
            ),
            "SRQ-20 is yes/no only"
        );
        let mut unknown = answers(Instrument::Gad7, &[0; 7]);
        unknown.answers.insert("gad7.99".into(), 0);
        assert!(
            matches!(
                score(&unknown, &ScoringConfig::default()),
                Err(ScreeningError::UnknownItem(_))
            ),
            "unknown item ids are refused"
        );
    }
}
