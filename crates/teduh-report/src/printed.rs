//! Who printed a document and when, as every page's footer says it, in the team's zone; and file
//! names made from a client's code. Shared by the monthly report, the case file and the letter.

use chrono::{DateTime, Utc};
use teduh_core::team::settings::Zone;
use teduh_core::vault::Vault;

use crate::model::Document;
use crate::monthly::ReportError;

/// A time as printed in the team's zone: "06/12/2026 10.15 WIB".
pub fn local_time(at: DateTime<Utc>, zone: Zone) -> String {
    format!(
        "{} {}",
        at.with_timezone(&zone.offset()).format("%d/%m/%Y %H.%M"),
        zone.label()
    )
}

/// Who printed and when, for the footer.
#[derive(Debug, Clone)]
pub struct Printed {
    /// The member's name.
    pub by: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The team's zone.
    pub zone: Zone,
    /// The organisation's name.
    pub organisation: String,
}

impl Printed {
    /// An unmarked document titled `title` with the footer `Dibuat oleh <who>, <when>` and the
    /// page numbers in Indonesian, nothing else yet: the frame of the UU PDP notices and the
    /// record of processing (`Document { subtitle, blocks, ..printed.document(title) }`).
    pub fn document(&self, title: &str) -> Document {
        Document {
            title: title.into(),
            subtitle: Vec::new(),
            mark: None,
            footer: format!(
                "Dibuat oleh {}, {}",
                self.by,
                local_time(self.at, self.zone)
            ),
            page_label: "Halaman {page} dari {pages}".into(),
            blocks: Vec::new(),
        }
    }
}

/// The printer's name and the organisation from the vault: the roster's username, else "perangkat
/// ini"; the organisation's name, else empty.
pub fn printed_now(vault: &Vault, now: DateTime<Utc>) -> Result<Printed, ReportError> {
    Ok(Printed {
        by: vault
            .binding()?
            .map_or_else(|| "perangkat ini".to_string(), |b| b.username),
        at: now,
        zone: vault.team_zone()?,
        organisation: vault.org_settings()?.map(|s| s.name).unwrap_or_default(),
    })
}

/// A file name part from a client code: letters, digits and `-` only.
pub fn file_safe(code: &str) -> String {
    code.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}
