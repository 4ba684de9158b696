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
        synonyms: None,
        holidays: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, ContactStatus, Entry};
    use chrono::NaiveDate;

    fn seeded(id: &str) -> Entry {
        seed_bundle()
            .entries
            .into_iter()
            .find(|e| e.id == id)
            .unwrap_or_else(|| panic!("{id} is seeded"))
    }

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
        let tepsa = seeded("tepsa-1500-771");
        assert_eq!(tepsa.contact_status, ContactStatus::Unverified);
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
        assert!(tepsa.is_possibly_outdated(today), "last confirmed in 2020");
    }

    #[test]
    fn the_ministrys_weekday_hotline_has_its_seven_published_numbers_and_is_marked_unverified() {
        let line = seeded("kemensos-psikososial-24-jam");
        let rota: Vec<&str> = line
            .rota
            .as_ref()
            .expect("a weekday rota")
            .iter()
            .map(|n| n.as_deref().unwrap_or(""))
            .collect();
        assert_eq!(
            rota,
            vec![
                "0822-8918-4427",
                "0878-6578-3921",
                "0821-1861-9567",
                "0813-8833-5030",
                "0817-7941-3341",
                "0812-8711-019",
                "0813-3557-3778",
            ],
            "Monday to Sunday, exactly as the 2020 report published them"
        );
        assert!(line.phones.is_empty(), "a rota and no fixed number");
        assert_eq!(line.contact_status, ContactStatus::Unverified);
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
        assert!(
            line.is_possibly_outdated(today),
            "published in 2020, never re-verified"
        );
        assert!(line
            .source
            .contains("Ini Hotline Konseling Psikososial KemensosRI"));
        assert!(
            line.notes.contains("usang"),
            "the card says it may be outdated"
        );
    }

    #[test]
    fn the_bp3s_nurani_service_is_listed_without_a_contact_to_be_verified() {
        let e = seeded("bp3s-nurani-institute");
        assert_eq!(e.contact_status, ContactStatus::ToBeVerified);
        assert_eq!(
            e.hours,
            crate::model::Hours::AlwaysOpen,
            "reachable 24 hours"
        );
        assert!(e.source.contains("Gatra"), "cites the report");
    }

    #[test]
    fn balai_anak_rumbai_also_covers_west_sumatra_as_its_report_says() {
        let e = seeded("balai-anak-rumbai");
        assert_eq!(
            e.coverage.provinces().collect::<Vec<_>>(),
            vec!["Riau", "Sumatera Barat"]
        );
        assert!(e.source.contains("Jejaring Kerja Wilayah Sumbar"));
    }
}
