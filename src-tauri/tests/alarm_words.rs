//! Every security alarm the core raises has its own words in the UI, in both languages: a new
//! kind without them would reach the screen as a bare code.

#[test]
fn every_alarm_kind_has_words_in_indonesian_and_english() {
    let catalogue = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/i18n/catalogue.ts"),
    )
    .expect("the UI catalogue");
    let english = catalogue
        .find("export const en")
        .expect("the English catalogue");
    let (id, en) = catalogue.split_at(english);
    for kind in teduh_core::team::AlarmKind::ALL {
        let key = format!("'alarm.{}':", kind.code());
        assert!(id.contains(&key), "no Indonesian words for {}", kind.code());
        assert!(en.contains(&key), "no English words for {}", kind.code());
    }
}
