//! The directory shipped with the app: national emergency and crisis lines and named local
//! partners, from published information only, each entry with its source.
//!
//! Version 1; any bundle published by the organisation (version >= 2) replaces it. Local partners
//! named in public reports carry no invented contact: they are marked "to be verified".

use crate::bundle::Bundle;

/// The seed bundle's JSON, embedded at compile time.
pub const SEED_JSON: &str = include_str!("../seed/directory-seed.json");

/// The seed bundle. The embedded file is checked by this crate's tests, so parsing cannot fail in
/// a released build; an empty bundle would be returned rather than a panic if it ever did.
pub fn seed_bundle() -> Bundle {
    serde_json::from_str(SEED_JSON).unwrap_or_else(|_| Bundle {
        format: crate::bundle::BUNDLE_FORMAT,
        version: 0,
        published_at: chrono::DateTime::UNIX_EPOCH,
        entries: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, ContactStatus};
    use chrono::NaiveDate;

    #[test]
    fn the_seed_parses_and_validates() {
        let b: Bundle = serde_json::from_str(SEED_JSON).expect("the embedded seed must parse");
        let json = serde_json::to_string(&b.entries).expect("serialises");
        crate::io::import_json(&json).expect("every seed entry passes the admin validation");
    }

    #[test]
    fn every_entry_names_its_source() {
        for e in seed_bundle().entries {
            assert!(e.source.len() > 10, "{} lacks a source", e.id);
        }
    }

    #[test]
    fn the_national_emergency_numbers_are_all_there() {
        let numbers: Vec<String> = seed_bundle()
            .entries
            .iter()
            .filter(|e| e.category == Category::Emergency)
            .flat_map(|e| e.phones.iter().map(|p| p.number.clone()))
            .collect();
        for n in ["112", "110", "113", "115", "118", "119"] {
            assert!(
                numbers.iter().any(|x| x == n),
                "{n} missing from emergency numbers"
            );
        }
    }

    #[test]
    fn closed_lines_are_never_seeded() {
        assert!(
            !SEED_JSON.contains("500-454") && !SEED_JSON.contains("500454"),
            "the old suicide line 500-454 closed in 2014"
        );
    }

    #[test]
    fn local_partners_have_no_invented_contacts() {
        for e in seed_bundle().entries {
            if e.contact_status == ContactStatus::ToBeVerified {
                assert!(
                    e.phones.is_empty() && e.whatsapp.is_none(),
                    "{} has an unverified contact",
                    e.id
                );
            }
        }
    }

    #[test]
    fn tepsa_is_marked_unverified_and_outdated() {
        let b = seed_bundle();
        let tepsa = b
            .entries
            .iter()
            .find(|e| e.id == "tepsa-1500-771")
            .expect("TePSA seeded");
        assert_eq!(tepsa.contact_status, ContactStatus::Unverified);
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
        assert!(tepsa.is_possibly_outdated(today), "last confirmed in 2020");
    }
}
