//! Clients and screenings: a client in a list, a screening instrument as a form, and a recorded
//! screening with its result.

use serde::Serialize;
use ts_rs::TS;

/// A client in a list: the pseudonymous code first; the name only on the profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ClientRow {
    /// Client id.
    pub id: String,
    /// Pseudonymous code.
    pub code: String,
    /// Name (shown on demand).
    pub name: String,
    /// Nickname.
    pub nickname: String,
    /// What the list filters on (risk, case stage, child, her caseload).
    pub facets: teduh_core::vault::ClientFacets,
}

impl From<teduh_core::index::ClientSummary> for ClientRow {
    fn from(c: teduh_core::index::ClientSummary) -> Self {
        Self {
            id: c.id.to_string(),
            code: c.code,
            name: c.name,
            nickname: c.nickname,
            facets: teduh_core::vault::ClientFacets::default(),
        }
    }
}

/// One screening item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ItemView {
    /// Stable id, e.g. `srq20.17`.
    pub id: String,
    /// Indonesian wording.
    pub text_id: String,
    /// English wording.
    pub text_en: String,
}

/// One answer option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OptionView {
    /// Stored value.
    pub value: u8,
    /// Indonesian label.
    pub label_id: String,
    /// English label.
    pub label_en: String,
}

/// A screening instrument as a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct InstrumentView {
    /// `srq20`, `phq9`, `gad7`.
    pub code: String,
    /// The question stem in Indonesian.
    pub stem_id: String,
    /// The question stem in English.
    pub stem_en: String,
    /// Attribution that must be shown.
    pub attribution: String,
    /// Items in order.
    pub items: Vec<ItemView>,
    /// Answer options.
    pub options: Vec<OptionView>,
}

impl From<teduh_core::screening::Instrument> for InstrumentView {
    fn from(i: teduh_core::screening::Instrument) -> Self {
        let (stem_id, stem_en) = i.stem();
        Self {
            code: i.code().to_owned(),
            stem_id: stem_id.to_owned(),
            stem_en: stem_en.to_owned(),
            attribution: i.attribution().to_owned(),
            items: i
                .items()
                .iter()
                .map(|it| ItemView {
                    id: it.id.to_owned(),
                    text_id: it.text_id.to_owned(),
                    text_en: it.text_en.to_owned(),
                })
                .collect(),
            options: i
                .options()
                .iter()
                .map(|o| OptionView {
                    value: o.value,
                    label_id: o.label_id.to_owned(),
                    label_en: o.label_en.to_owned(),
                })
                .collect(),
        }
    }
}

/// A recorded screening with its computed result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ScreeningView {
    /// Screening id.
    pub id: String,
    /// Instrument code.
    pub instrument: String,
    /// Computed total.
    pub total: u32,
    /// Band code (`minimal`, `mild`, ..., `above_cutoff`).
    pub band: String,
    /// Above the instrument's threshold.
    pub flagged: bool,
    /// Item ids that are red flags whatever the total (e.g. thoughts of ending one's life).
    pub red_flags: Vec<String>,
    /// When it was administered (RFC 3339).
    pub administered_at: Option<String>,
    /// Attribution of the instrument.
    pub attribution: String,
}

impl From<teduh_core::screening::Screening> for ScreeningView {
    fn from(s: teduh_core::screening::Screening) -> Self {
        Self {
            id: s.id.to_string(),
            instrument: s.answers.instrument.code().to_owned(),
            total: s.result.total,
            band: serde_json::to_value(s.result.band)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            flagged: s.result.flagged,
            red_flags: s.result.red_flags,
            administered_at: s.answers.administered_at.map(|t| t.to_rfc3339()),
            attribution: s.result.attribution.to_owned(),
        }
    }
}
