//! The directory's data model.

use chrono::{FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

/// What kind of service an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Police, fire, ambulance, search and rescue, 112.
    Emergency,
    /// Mental health and crisis lines.
    MentalHealth,
    /// Child protection.
    ChildProtection,
    /// Violence against women (and children).
    WomenAndViolence,
    /// Social welfare offices and services.
    SocialWelfare,
    /// Health services and information.
    Health,
    /// Schools and education offices.
    Education,
    /// Civil registry (birth certificates, identity cards).
    CivilRegistry,
    /// Legal aid.
    LegalAid,
}

impl Category {
    /// Every category, in display order.
    pub const ALL: [Category; 9] = [
        Category::Emergency,
        Category::MentalHealth,
        Category::ChildProtection,
        Category::WomenAndViolence,
        Category::SocialWelfare,
        Category::Health,
        Category::Education,
        Category::CivilRegistry,
        Category::LegalAid,
    ];

    /// The code used in CSV files and the UI (`"child_protection"`).
    pub fn code(self) -> &'static str {
        match self {
            Category::Emergency => "emergency",
            Category::MentalHealth => "mental_health",
            Category::ChildProtection => "child_protection",
            Category::WomenAndViolence => "women_and_violence",
            Category::SocialWelfare => "social_welfare",
            Category::Health => "health",
            Category::Education => "education",
            Category::CivilRegistry => "civil_registry",
            Category::LegalAid => "legal_aid",
        }
    }

    /// Parses [`Category::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    /// Search words for the category in Indonesian and English, so "anak" finds child protection
    /// and "darurat" finds emergency services.
    pub fn search_terms(self) -> &'static str {
        match self {
            Category::Emergency => "darurat gawat emergency",
            Category::MentalHealth => {
                "kesehatan jiwa mental krisis bunuh diri mental health crisis suicide"
            }
            Category::ChildProtection => "perlindungan anak child protection children",
            Category::WomenAndViolence => "perempuan kekerasan women violence",
            Category::SocialWelfare => "sosial kesejahteraan social welfare",
            Category::Health => "kesehatan health",
            Category::Education => "pendidikan sekolah education school",
            Category::CivilRegistry => "kependudukan catatan sipil akta civil registry",
            Category::LegalAid => "bantuan hukum legal aid",
        }
    }
}

/// The situations of the emergency panel, in the order a counselor meets them: one key each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Situation {
    /// Someone may take their own life: crisis and mental-health lines first.
    SuicideRisk,
    /// A child is in danger: SAPA 129 and child-protection units.
    ChildInDanger,
    /// Violence against a woman: SAPA 129.
    ViolenceAgainstWoman,
    /// A medical emergency: ambulances (119, 118).
    MedicalEmergency,
    /// Any other emergency: 112, police, fire, search and rescue.
    GeneralEmergency,
}

impl Situation {
    /// Every situation, in the panel's order.
    pub const ALL: [Situation; 5] = [
        Situation::SuicideRisk,
        Situation::ChildInDanger,
        Situation::ViolenceAgainstWoman,
        Situation::MedicalEmergency,
        Situation::GeneralEmergency,
    ];

    /// The code used in CSV files and the UI (`"suicide_risk"`).
    pub fn code(self) -> &'static str {
        match self {
            Situation::SuicideRisk => "suicide_risk",
            Situation::ChildInDanger => "child_in_danger",
            Situation::ViolenceAgainstWoman => "violence_against_woman",
            Situation::MedicalEmergency => "medical_emergency",
            Situation::GeneralEmergency => "general_emergency",
        }
    }

    /// Parses [`Situation::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code.trim())
    }

    /// Whether `category` holds this situation's own services (crisis lines for suicide risk,
    /// SAPA and child protection for a child): they come before other services that also
    /// help, such as the police for violence.
    pub fn is_own(self, category: Category) -> bool {
        matches!(
            (self, category),
            (Situation::SuicideRisk, Category::MentalHealth)
                | (
                    Situation::ChildInDanger,
                    Category::WomenAndViolence | Category::ChildProtection
                )
                | (Situation::ViolenceAgainstWoman, Category::WomenAndViolence)
                | (
                    Situation::MedicalEmergency,
                    Category::Emergency | Category::Health
                )
                | (Situation::GeneralEmergency, Category::Emergency)
        )
    }

    /// The situations an entry that names none belongs to, from its category, so a bundle
    /// published before entries named their situations still fills the panel.
    pub fn defaults_for(category: Category) -> &'static [Situation] {
        match category {
            Category::Emergency => &[Situation::GeneralEmergency],
            Category::MentalHealth => &[Situation::SuicideRisk],
            Category::ChildProtection => &[Situation::ChildInDanger],
            Category::WomenAndViolence => {
                &[Situation::ViolenceAgainstWoman, Situation::ChildInDanger]
            }
            _ => &[],
        }
    }
}

/// Indonesia's three time zones. None has daylight saving time, so fixed offsets are exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Zone {
    /// Waktu Indonesia Barat, UTC+7 (Sumatra, Java, West and Central Kalimantan).
    #[serde(rename = "WIB")]
    Wib,
    /// Waktu Indonesia Tengah, UTC+8 (Bali, Nusa Tenggara, Sulawesi, East/South/North Kalimantan).
    #[serde(rename = "WITA")]
    Wita,
    /// Waktu Indonesia Timur, UTC+9 (Maluku, Papua).
    #[serde(rename = "WIT")]
    Wit,
}

impl Zone {
    /// The label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Zone::Wib => "WIB",
            Zone::Wita => "WITA",
            Zone::Wit => "WIT",
        }
    }

    /// Parses [`Zone::label`].
    pub fn from_label(label: &str) -> Option<Self> {
        match label {
            "WIB" => Some(Zone::Wib),
            "WITA" => Some(Zone::Wita),
            "WIT" => Some(Zone::Wit),
            _ => None,
        }
    }

    /// The zone's offset from UTC.
    pub fn offset(self) -> FixedOffset {
        let hours = match self {
            Zone::Wib => 7,
            Zone::Wita => 8,
            Zone::Wit => 9,
        };
        FixedOffset::east_opt(hours * 3600).expect("offsets of 7 to 9 hours are valid")
    }
}

/// How far a service reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageLevel {
    /// The whole country.
    National,
    /// One province.
    Province,
    /// One regency (kabupaten).
    Regency,
    /// One city (kota).
    City,
}

impl CoverageLevel {
    /// Code used in CSV files.
    pub fn code(self) -> &'static str {
        match self {
            CoverageLevel::National => "national",
            CoverageLevel::Province => "province",
            CoverageLevel::Regency => "regency",
            CoverageLevel::City => "city",
        }
    }

    /// Parses [`CoverageLevel::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::National, Self::Province, Self::Regency, Self::City]
            .into_iter()
            .find(|c| c.code() == code)
    }
}

/// Where a service works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// National, province, regency or city.
    pub level: CoverageLevel,
    /// The area's name, e.g. "Sumatera Barat" or "Kota Padang"; empty for national services.
    #[serde(default)]
    pub area: String,
    /// The province the area lies in (for filtering by region); empty for national services.
    #[serde(default)]
    pub province: String,
    /// Further provinces the service works in (a ministry unit in Riau that also takes children
    /// from West Sumatra); the region filter finds the entry under each of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_provinces: Vec<String>,
}

impl Coverage {
    /// Every province the service works in: [`Coverage::province`] first, then the others.
    /// Empty for national services.
    pub fn provinces(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.province.as_str())
            .chain(self.other_provinces.iter().map(String::as_str))
            .filter(|p| !p.trim().is_empty())
    }
}

/// A time span on one day, in minutes after local midnight. `close <= open` means the span runs
/// past midnight into the next day; `close = 1440` means until midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// Opening minute, 0..1440.
    pub open: u16,
    /// Closing minute, 0..=1440.
    pub close: u16,
}

impl Span {
    /// Parses `"08:00-16:00"` (or `"08.00-16.00"`); `"20:00-02:00"` runs past midnight.
    pub fn parse(text: &str) -> Option<Self> {
        let (a, b) = text.trim().split_once('-')?;
        let open = parse_clock(a)?;
        let close = parse_clock(b)?;
        (open < 1440).then_some(Span { open, close })
    }

    /// `"08.00-16.00"`, the Indonesian way of writing times.
    pub fn display(self) -> String {
        format!("{}-{}", clock(self.open), clock(self.close))
    }
}

fn parse_clock(text: &str) -> Option<u16> {
    let text = text.trim();
    let (h, m) = text.split_once(':').or_else(|| text.split_once('.'))?;
    let h: u16 = h.parse().ok()?;
    let m: u16 = m.parse().ok()?;
    (h <= 24 && m < 60 && h * 60 + m <= 1440).then_some(h * 60 + m)
}

/// `HH.mm`.
pub fn clock(minute: u16) -> String {
    format!("{:02}.{:02}", minute / 60, minute % 60)
}

/// Opening hours of a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Hours {
    /// Answers 24 hours a day, every day.
    AlwaysOpen,
    /// Open on the listed spans; index 0 is Monday (Indonesian weeks start on Monday).
    Weekly {
        /// Spans per weekday, Monday first.
        days: [Vec<Span>; 7],
    },
    /// Hours have not been published or verified.
    Unknown,
}

/// A phone number with an optional label ("ext. 8", "SMS").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    /// The number as dialled, e.g. "119" or "0811-1129-129".
    pub number: String,
    /// Extension to choose after connecting, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
}

/// How much the contact details can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactStatus {
    /// Checked against the named source on `verified_at`.
    Verified,
    /// Published once, but not confirmed recently (show a warning).
    Unverified,
    /// The organisation is named in public reports but no contact has been published; someone
    /// must find and verify the contact before it is used.
    ToBeVerified,
}

/// One service in the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Stable identifier (a slug), unique in a bundle.
    pub id: String,
    /// The service's name.
    pub name: String,
    /// Its category.
    pub category: Category,
    /// What it does, in Bahasa Indonesia (searchable).
    pub services: String,
    /// Phone numbers.
    #[serde(default)]
    pub phones: Vec<Phone>,
    /// WhatsApp number in international form without "+" (e.g. "628111129129").
    #[serde(default)]
    pub whatsapp: Option<String>,
    /// Web address.
    #[serde(default)]
    pub web: Option<String>,
    /// Postal address.
    #[serde(default)]
    pub address: Option<String>,
    /// Where it works.
    pub coverage: Coverage,
    /// The zone its hours are given in.
    pub zone: Zone,
    /// Opening hours.
    pub hours: Hours,
    /// A different number per weekday (Monday first), for services that publish a rota. An
    /// entry may have a rota and no fixed number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rota: Option<[Option<String>; 7]>,
    /// Closed on national holidays and cuti bersama (see [`crate::holidays`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub closed_on_holidays: bool,
    /// The emergency-panel situations it serves; empty means [`Situation::defaults_for`] its
    /// category.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub situations: Vec<Situation>,
    /// Languages served (ISO 639-1 codes).
    #[serde(default)]
    pub languages: Vec<String>,
    /// Notes for the counselor (e.g. "information line, not a crisis line").
    #[serde(default)]
    pub notes: String,
    /// Where the details were published (URL or document).
    pub source: String,
    /// When the details were last checked against the source.
    #[serde(default)]
    pub verified_at: Option<NaiveDate>,
    /// How far the contact can be trusted.
    pub contact_status: ContactStatus,
}

/// Entries not re-verified for this many days are flagged as possibly outdated.
pub const STALE_AFTER_DAYS: i64 = 365;

impl Entry {
    /// The situations this entry serves: its own list, else its category's defaults.
    pub fn situations(&self) -> &[Situation] {
        if self.situations.is_empty() {
            Situation::defaults_for(self.category)
        } else {
            &self.situations
        }
    }

    /// Whether the entry gives a way to reach someone now: a phone, a rota number or WhatsApp.
    pub fn has_direct_contact(&self) -> bool {
        !self.phones.is_empty()
            || self.whatsapp.is_some()
            || self
                .rota
                .as_ref()
                .is_some_and(|r| r.iter().any(Option::is_some))
    }

    /// True when the entry was never verified or not re-verified for 12 months.
    pub fn is_possibly_outdated(&self, today: NaiveDate) -> bool {
        match self.verified_at {
            Some(d) => (today - d).num_days() > STALE_AFTER_DAYS,
            None => true,
        }
    }
}
