//! The public directory: what the directory screen asks for, an entry as its card shows it
//! (numbers to dial, open now, the weekly rota), the emergency panel, and what a refresh did.

use serde::Serialize;
use ts_rs::TS;

/// What the directory screen asks for.
#[derive(Debug, Clone, Default, serde::Deserialize, TS)]
#[ts(export)]
#[serde(default)]
pub struct DirectoryQuery {
    /// Free text (name, service, place).
    pub text: String,
    /// Category codes, e.g. `"child_protection"`; empty = all.
    pub categories: Vec<String>,
    /// Province name; national services always match.
    pub province: Option<String>,
    /// Only services answering now.
    pub open_now: bool,
}

/// A phone number ready to show and dial.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PhoneView {
    /// As published, e.g. `"1500-567"`.
    pub number: String,
    /// Extension to choose after connecting.
    pub extension: Option<String>,
    /// `tel:` link.
    pub tel_url: String,
}

/// Whether a service answers now, in its own zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum OpenView {
    /// 24 hours.
    AlwaysOpen,
    /// Open until `closes` (`HH.mm` in the service's zone).
    Open {
        /// Closing time.
        closes: String,
    },
    /// Closed; opens next on `weekday` (0 = Monday) at `opens` (`HH.mm`), if known.
    Closed {
        /// Weekday of the next opening.
        weekday: Option<u8>,
        /// Time of the next opening.
        opens: Option<String>,
    },
    /// Closed for a national holiday or cuti bersama (the entry closes on them).
    Holiday {
        /// The holiday's name.
        name: String,
        /// True for cuti bersama, false for a national holiday.
        cuti_bersama: bool,
        /// Weekday of the next opening.
        weekday: Option<u8>,
        /// Time of the next opening.
        opens: Option<String>,
    },
    /// Hours not known.
    Unknown,
}

/// One day of a weekday rota, as the card shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RotaDayView {
    /// 0 = Monday.
    pub weekday: u8,
    /// The number for that day, if the rota names one.
    pub number: Option<String>,
    /// `tel:` link of the number.
    pub tel_url: Option<String>,
}

/// One key of the emergency panel and its entries, best first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SituationView {
    /// `suicide_risk`, `child_in_danger`, `violence_against_woman`, `medical_emergency` or
    /// `general_emergency`.
    pub situation: String,
    /// Its entries.
    pub entries: Vec<DirectoryEntryView>,
}

impl From<teduh_directory::index::SituationHits> for SituationView {
    fn from(g: teduh_directory::index::SituationHits) -> Self {
        Self {
            situation: g.situation.code().to_owned(),
            entries: g.hits.into_iter().map(DirectoryEntryView::from).collect(),
        }
    }
}

fn tel_url(number: &str) -> String {
    format!("tel:{}", number.replace(['-', ' '], ""))
}

/// One directory entry as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DirectoryEntryView {
    /// Stable id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Category code.
    pub category: String,
    /// What it does.
    pub services: String,
    /// Numbers.
    pub phones: Vec<PhoneView>,
    /// The number to call today (rota-aware).
    pub number_today: Option<String>,
    /// The weekday rota, today first (empty without a rota).
    pub rota: Vec<RotaDayView>,
    /// From 20.00 in the service's zone: show tomorrow's rota number beside today's.
    pub rota_show_tomorrow: bool,
    /// `https://wa.me/...` link.
    pub whatsapp_url: Option<String>,
    /// WhatsApp number as published.
    pub whatsapp: Option<String>,
    /// Web address.
    pub web: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Coverage area ("" for national).
    pub area: String,
    /// Coverage level code.
    pub coverage: String,
    /// `WIB`, `WITA` or `WIT`.
    pub zone: String,
    /// Opening hours as text (`mon-fri 08:00-16:00`, `24h`, `unknown`).
    pub hours: String,
    /// Open now?
    pub open: OpenView,
    /// Not re-verified for 12 months (or never).
    pub possibly_outdated: bool,
    /// `verified`, `unverified` or `to_be_verified`.
    pub contact_status: String,
    /// Notes.
    pub notes: String,
    /// Where it was published.
    pub source: String,
    /// When it was last verified (`YYYY-MM-DD`).
    pub verified_at: Option<String>,
}

impl From<teduh_directory::index::Hit> for DirectoryEntryView {
    fn from(h: teduh_directory::index::Hit) -> Self {
        use teduh_directory::holidays::HolidayKind;
        use teduh_directory::hours::OpenState;
        use teduh_directory::model::{clock, ContactStatus};
        let e = h.entry;
        let open = match h.open {
            OpenState::AlwaysOpen => OpenView::AlwaysOpen,
            OpenState::Open { closes } => OpenView::Open {
                closes: clock(closes),
            },
            OpenState::Closed { next } => OpenView::Closed {
                weekday: next.map(|n| n.weekday),
                opens: next.map(|n| clock(n.opens)),
            },
            OpenState::Holiday { name, kind, next } => OpenView::Holiday {
                name,
                cuti_bersama: kind == HolidayKind::CutiBersama,
                weekday: next.map(|n| n.weekday),
                opens: next.map(|n| clock(n.opens)),
            },
            OpenState::Unknown => OpenView::Unknown,
        };
        let rota_show_tomorrow = h.rota.as_ref().is_some_and(|r| r.show_tomorrow);
        let rota = h
            .rota
            .map(|r| {
                r.days
                    .into_iter()
                    .map(|d| RotaDayView {
                        weekday: d.weekday,
                        tel_url: d.number.as_deref().map(tel_url),
                        number: d.number,
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            phones: e
                .phones
                .iter()
                .map(|p| PhoneView {
                    number: p.number.clone(),
                    extension: p.extension.clone(),
                    tel_url: tel_url(&p.number),
                })
                .collect(),
            whatsapp_url: e.whatsapp.as_ref().map(|w| format!("https://wa.me/{w}")),
            whatsapp: e.whatsapp.clone(),
            number_today: h.number_today,
            rota,
            rota_show_tomorrow,
            id: e.id,
            name: e.name,
            category: e.category.code().to_owned(),
            services: e.services,
            web: e.web,
            address: e.address,
            area: e.coverage.area,
            coverage: e.coverage.level.code().to_owned(),
            zone: e.zone.label().to_owned(),
            hours: teduh_directory::io::hours_to_text(&e.hours),
            open,
            possibly_outdated: h.possibly_outdated,
            contact_status: match e.contact_status {
                ContactStatus::Verified => "verified",
                ContactStatus::Unverified => "unverified",
                ContactStatus::ToBeVerified => "to_be_verified",
            }
            .to_owned(),
            notes: e.notes,
            source: e.source,
            verified_at: e.verified_at.map(|d| d.to_string()),
        }
    }
}

/// What a directory refresh did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum DirectoryRefresh {
    /// No server configured: the directory on this device stays as it is.
    NoServer,
    /// No organisation directory key configured: bundles cannot be verified, none is applied.
    NoKey,
    /// Nothing published yet.
    NotPublished {
        /// Version in use.
        #[ts(type = "number | null")]
        version: Option<u64>,
    },
    /// The device already has the newest bundle.
    Current {
        /// Version in use.
        #[ts(type = "number | null")]
        version: Option<u64>,
    },
    /// A newer bundle was verified and applied.
    Updated {
        /// The new version.
        #[ts(type = "number")]
        version: u64,
    },
}

impl From<teduh_directory::refresh::Refreshed> for DirectoryRefresh {
    fn from(r: teduh_directory::refresh::Refreshed) -> Self {
        use teduh_directory::refresh::Refreshed as R;
        match r {
            R::NotPublished { version } => DirectoryRefresh::NotPublished { version },
            R::Current { version } => DirectoryRefresh::Current { version },
            R::Updated { version } => DirectoryRefresh::Updated { version },
        }
    }
}
