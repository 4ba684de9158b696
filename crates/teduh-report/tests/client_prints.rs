//! A client's case file, referral letter and access export made from a real vault and read
//! back with pdftotext (and the export's JSON parsed): "RAHASIA" on every page, who printed it,
//! the chosen parts only, the processing trail, third-party passages gone. All names and
//! figures are made up. And the organisation's record of processing activities, which holds no
//! client's data.

use chrono::{Duration, Utc};
use teduh_core::crypto::KdfParams;
use teduh_core::domain::{
    CaseDetails, ClientProfile, Consent, ConsentChannel, LawfulBasis, Modality, NoteDraft,
    Referral, RiskEntry, RiskLevel, Sex,
};
use teduh_core::error::Code;
use teduh_core::ids::RequestId;
use teduh_core::request::{DataRequest, IdentityCheck, RequestAnswer, RequestKind};
use teduh_core::store::LocalStore;
use teduh_core::vault::{AccessAction, Vault};
use teduh_report::access::access_export;
use teduh_report::case_file::{case_file, CaseFileParts};

mod common;

const THIRD_PARTY: &str = "Tetangga bernama Pak Sintetis Wiryo meminjam uang";

fn client_with_history(dir: &std::path::Path) -> (Vault, teduh_core::ids::ClientId) {
    let store = LocalStore::open(&dir.join("t.sqlite3")).expect("store");
    let mut v = Vault::create_with_params(
        store,
        "uji berkas kasus",
        KdfParams::insecure_fast_for_tests(),
    )
    .expect("vault");
    v.set_idle_timeout(None);
    let client = v
        .add_client(&ClientProfile {
            code: "BK-0001".into(),
            name: "Dewi Sintetis".into(),
            sex: Sex::Female,
            estimated_age: Some(34),
            regency: "Kota Contoh".into(),
            ..ClientProfile::default()
        })
        .expect("client");
    let case = v
        .open_case(
            client,
            &CaseDetails {
                presenting_problem: "Cemas berkepanjangan".into(),
                ..CaseDetails::default()
            },
        )
        .expect("case");
    v.record_risk(
        case,
        &RiskEntry {
            level: RiskLevel::Medium,
            reason: "Sulit tidur dua minggu".into(),
            assessed_at: Some(Utc::now()),
            ..RiskEntry::default()
        },
    )
    .expect("risk");
    v.record_consent(
        client,
        &Consent {
            giver_name: "Dewi Sintetis".into(),
            purposes: vec!["counseling".into(), "referral".into()],
            lawful_basis: LawfulBasis::Consent,
            channel: ConsentChannel::Written,
            given_at: Some(Utc::now() - Duration::days(3)),
            ..Consent::default()
        },
    )
    .expect("consent");
    v.add_note(
        client,
        &NoteDraft {
            occurred_at: Some(Utc::now() - Duration::days(1)),
            zone: "Asia/Jakarta".into(),
            duration_minutes: 50,
            modality: Modality::InPerson,
            narrative: format!("Klien berlatih pernapasan. [[{THIRD_PARTY}.]] Klien merasa lega."),
            ..NoteDraft::default()
        },
    )
    .expect("note");
    v.add_referral(
        client,
        &Referral {
            partner_id: "sapa-129".into(),
            partner_name: "SAPA 129".into(),
            reason: "Pendampingan hukum".into(),
            ..Referral::default()
        },
    )
    .expect("referral");
    (v, client)
}

#[test]
fn a_case_file_is_confidential_on_every_page_says_who_printed_it_and_hides_third_parties() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut v, client) = client_with_history(dir.path());
    let (pdf, name) = case_file(&mut v, client, CaseFileParts::default(), Utc::now()).expect("pdf");
    assert!(
        name.starts_with("berkas-kasus-BK-0001-") && name.ends_with(".pdf"),
        "{name}"
    );
    // Every print is in the client's audit trail, the second one too.
    case_file(&mut v, client, CaseFileParts::default(), Utc::now()).expect("again");
    let printed = v.access_log(client).expect("trail");
    assert_eq!(
        printed
            .iter()
            .filter(|e| e.action == teduh_core::vault::AccessAction::Printed)
            .count(),
        2,
        "{printed:?}"
    );
    let pages = common::pdf_pages(&pdf, "berkas");
    for (i, page) in pages.iter().enumerate() {
        assert!(page.contains("RAHASIA"), "page {} is marked", i + 1);
        assert!(
            page.contains("Dicetak oleh perangkat ini"),
            "page {} says who printed it",
            i + 1
        );
    }
    let text = pages.join("\n");
    for expected in [
        "Berkas Kasus",
        "Klien BK-0001",
        "Dewi Sintetis",
        "Kota Contoh",
        "Cemas berkepanjangan",
        "Sulit tidur dua minggu",
        "Klien berlatih pernapasan.",
        "Klien merasa lega.",
        "[disamarkan: informasi pihak ketiga]",
        "1 bagian berisi informasi pihak ketiga disamarkan.",
        "SAPA 129",
        "Tatap muka, 50 menit",
    ] {
        assert!(
            text.contains(expected),
            "the case file says {expected:?}:\n{text}"
        );
    }
    assert!(
        !text.contains("Wiryo"),
        "the third party's words are not printed:\n{text}"
    );
}

#[test]
fn a_case_file_holds_only_the_parts_chosen() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut v, client) = client_with_history(dir.path());
    let parts = CaseFileParts {
        sessions: false,
        referrals: false,
        ..CaseFileParts::default()
    };
    let (pdf, _) = case_file(&mut v, client, parts, Utc::now()).expect("pdf");
    let text = common::pdf_pages(&pdf, "berkas-sebagian").join("\n");
    assert!(text.contains("Dewi Sintetis"), "the profile is in");
    for left_out in ["pernapasan", "SAPA 129", "Tatap muka"] {
        assert!(
            !text.contains(left_out),
            "{left_out:?} was not chosen:\n{text}"
        );
    }
}

#[test]
fn a_referral_letter_is_numbered_addressed_and_carries_only_what_the_referral_shares() {
    use teduh_report::letter::{referral_letter, PartnerAddress};
    let dir = tempfile::tempdir().expect("dir");
    let (mut v, client) = client_with_history(dir.path());
    let referral = v.referrals(client).expect("referrals")[0].id;
    let partner = PartnerAddress {
        address: Some("Jl. Contoh Raya No. 12, Kota Contoh".into()),
        phones: vec!["129".into()],
    };
    let (pdf, text, name) = referral_letter(
        &mut v,
        client,
        referral,
        &|id| (id == "sapa-129").then(|| partner.clone()),
        Utc::now(),
    )
    .expect("letter");
    assert!(name.starts_with("surat-rujukan-BK-0001-"), "{name}");
    let number = format!("RJK/{}/", Utc::now().format("%Y"));
    let printed = common::pdf_pages(&pdf, "surat").join("\n");
    common::maybe_save_first_page(&pdf, "report-letter");
    for t in [&printed, &text] {
        for expected in [
            "Surat Rujukan",
            number.as_str(),
            "SAPA 129",
            "Jl. Contoh Raya No. 12, Kota Contoh",
            "Kode klien",
            "BK-0001",
            "Pendampingan hukum",
            "RAHASIA",
        ] {
            assert!(t.contains(expected), "the letter says {expected:?}:\n{t}");
        }
        // The referral shares nothing beyond the code and the reason.
        for private in ["Dewi Sintetis", "Cemas berkepanjangan", "pernapasan"] {
            assert!(
                !t.contains(private),
                "{private:?} was not to be shared:\n{t}"
            );
        }
    }
    assert!(
        text.lines().any(|l| l.starts_with("Nomor: RJK/")),
        "the chat text carries the number on its own line:\n{text}"
    );
    assert!(
        text.contains("Kode klien: BK-0001"),
        "one field a line in the chat text:\n{text}"
    );
}

/// An access request of hers, received an hour ago, with `identity` as recorded.
fn access_request(
    v: &mut Vault,
    client: teduh_core::ids::ClientId,
    kind: RequestKind,
    identity: IdentityCheck,
) -> RequestId {
    v.add_request(
        client,
        &DataRequest {
            kind,
            received_at: Some(Utc::now() - Duration::hours(1)),
            identity,
            details: "Meminta salinan seluruh data (sintetis).".into(),
            ..DataRequest::default()
        },
    )
    .expect("request")
}

#[test]
fn an_access_export_gives_her_data_and_its_trail_in_pdf_and_json_without_third_parties() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut v, client) = client_with_history(dir.path());
    v.open_client(client).expect("her profile opened");
    case_file(&mut v, client, CaseFileParts::default(), Utc::now()).expect("printed");
    let request = access_request(
        &mut v,
        client,
        RequestKind::Access,
        IdentityCheck::IdentityCard,
    );

    let files = access_export(&mut v, request, Utc::now()).expect("export");
    assert!(
        files.pdf_name.starts_with("salinan-data-BK-0001-") && files.pdf_name.ends_with(".pdf"),
        "{}",
        files.pdf_name
    );
    assert_eq!(files.json_name, files.pdf_name.replace(".pdf", ".json"));

    // The PDF: her data, the trail, the redaction said and the third party's words absent.
    let pages = common::pdf_pages(&files.pdf, "salinan-data");
    assert!(
        pages.iter().all(|p| p.contains("RAHASIA")),
        "marked on every page"
    );
    let text = pages.join("\n");
    for expected in [
        "Salinan Data Pribadi",
        "Menjawab permintaan akses dan salinan data yang diterima",
        "Dewi Sintetis",
        "Klien berlatih pernapasan.",
        "Riwayat pemrosesan",
        "membuat profil",
        "membuat catatan sesi",
        "merujuk ke SAPA 129",
        "perangkat ini membuat profil",
        "membuka profil",
        "mencetak berkas kasus",
        "[disamarkan: informasi pihak ketiga]",
        "Pasal 33",
    ] {
        assert!(
            text.contains(expected),
            "the PDF says {expected:?}:\n{text}"
        );
    }
    assert!(
        !text.contains("Wiryo"),
        "no third party in the PDF:\n{text}"
    );

    // The JSON: the same trail, machine-readable, and no third party anywhere in its bytes.
    let json = String::from_utf8(files.json.clone()).expect("UTF-8");
    assert!(!json.contains("Wiryo"), "no third party in the JSON");
    let doc: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(doc["format"], 1);
    assert_eq!(doc["redacted_passages"], 1);
    assert_eq!(doc["data"]["client"]["profile"]["code"], "BK-0001");
    let steps: Vec<(String, String)> = doc["trail"]
        .as_array()
        .expect("a trail")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default().to_string(),
                e["record"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    for step in [
        ("created", "client"),
        ("created", "note"),
        ("created", "consent"),
        ("referred", "referral"),
        ("viewed", "client"),
        ("printed", "client"),
    ] {
        assert!(
            steps.contains(&(step.0.to_string(), step.1.to_string())),
            "{step:?} in {steps:?}"
        );
    }
    assert!(
        !steps.iter().any(|(_, r)| r == "access"),
        "openings are listed as what they record, not as records: {steps:?}"
    );
    let created_client = &doc["trail"][0];
    assert_eq!(created_client["action"], "created");
    assert!(
        created_client["fields"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f == "code")),
        "a creation names the fields written: {created_client}"
    );

    // Making it is in her audit trail.
    let log = v.access_log(client).expect("log");
    assert_eq!(log[0].action, AccessAction::Exported, "{log:?}");
}

#[test]
fn an_access_export_answers_only_an_open_access_request_whose_identity_was_checked() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut v, client) = client_with_history(dir.path());
    let unchecked = access_request(&mut v, client, RequestKind::Access, IdentityCheck::NotYet);
    let correction = access_request(
        &mut v,
        client,
        RequestKind::Correction,
        IdentityCheck::KnownToWorker,
    );
    let answered = access_request(
        &mut v,
        client,
        RequestKind::Portability,
        IdentityCheck::IdentityCard,
    );
    v.answer_request(
        answered,
        &RequestAnswer {
            answered_at: Some(Utc::now()),
            text: "Salinan diserahkan.".into(),
            ..RequestAnswer::default()
        },
    )
    .expect("answered");
    for (request, code) in [
        (unchecked, Code::NotPermitted),
        (correction, Code::InvalidInput),
        (answered, Code::InvalidInput),
    ] {
        let err = access_export(&mut v, request, Utc::now()).expect_err("refused");
        assert_eq!(err.code(), code, "{err}");
    }
    assert!(
        !v.access_log(client)
            .expect("log")
            .iter()
            .any(|e| e.action == AccessAction::Exported),
        "a refused export leaves no export in her trail"
    );
}

#[test]
fn a_breach_notice_says_what_was_exposed_when_and_how_and_names_no_client() {
    use teduh_core::breach::{Breach, DataCategory, Recipient};
    use teduh_report::breach::breach_notice;
    let dir = tempfile::tempdir().expect("dir");
    let (mut v, _) = client_with_history(dir.path());
    let aware = Utc::now() - Duration::hours(20);
    let id = v
        .add_breach(&Breach {
            aware_at: Some(aware),
            occurred_at: Some(aware - Duration::hours(3)),
            what_happened: "Laptop konselor dicuri dari mobil (sintetis)".into(),
            categories: vec![DataCategory::MentalHealth, DataCategory::Children],
            clients: vec!["BK-0001".into()],
            people: 4,
            measures: "Perangkat dicabut dari tim; data di laptop terenkripsi".into(),
            contact: "Koordinator Sintetis, 0800-000-000".into(),
        })
        .expect("incident");
    for (to, name_part, only_here) in [
        (Recipient::Persons, "orang", "Bapak/Ibu/Saudara"),
        (
            Recipient::Authority,
            "lembaga",
            "Jumlah orang yang terdampak",
        ),
    ] {
        let (pdf, text, name) = breach_notice(&mut v, id, to, Utc::now()).expect("notice");
        assert!(
            name.starts_with(&format!("pemberitahuan-pdp-{name_part}-")),
            "{name}"
        );
        // One space for every run of spaces and line breaks: a wrapped line still reads whole.
        let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        let pdf_text = words(&common::pdf_pages(&pdf, name_part).join("\n"));
        for page in [&pdf_text, &words(&text)] {
            for expected in [
                "Pemberitahuan Kegagalan Pelindungan Data Pribadi",
                "Pasal 46",
                "data anak",
                "Laptop konselor dicuri dari mobil",
                "Perangkat dicabut dari tim",
                "Koordinator Sintetis",
                only_here,
            ] {
                assert!(page.contains(expected), "{to:?} says {expected:?}:\n{page}");
            }
            assert!(
                !page.contains("BK-0001") && !page.contains("Dewi"),
                "no client named:\n{page}"
            );
        }
    }
}

#[test]
fn the_record_of_processing_says_each_activity_s_basis_data_recipients_and_retention() {
    use teduh_core::team::settings::OrgSettings;
    use teduh_report::printed::Printed;
    use teduh_report::processing::{processing_document, record_of_processing};
    let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");

    // A device without signed settings yet: Teduh's defaults, said so.
    let dir = tempfile::tempdir().expect("dir");
    let (v, _) = client_with_history(dir.path());
    let files = record_of_processing(&v, Utc::now()).expect("record");
    assert!(files.pdf_name.starts_with("catatan-pemrosesan-"));
    let text = words(&common::pdf_pages(&files.pdf, "ropa-default").join("\n"));
    for expected in [
        "Catatan Kegiatan Pemrosesan Data Pribadi",
        "Pasal 31",
        "bawaan Teduh",
        "Konseling dan pendampingan",
        "Rujukan ke layanan lain",
        "Layanan hotline dan pesan",
        "(belum diisi: lengkapi di pengaturan organisasi)",
        "Langkah keamanan",
        "tidak dapat membacanya",
    ] {
        assert!(text.contains(expected), "{expected:?}:\n{text}");
    }
    assert!(
        !text.contains("BK-0001") && !text.contains("Dewi"),
        "no client's data in the record"
    );
    let json: serde_json::Value = serde_json::from_slice(&files.json).expect("JSON");
    assert_eq!(json["settings_version"], 0);
    assert_eq!(json["activities"].as_array().map(Vec::len), Some(5));

    // Signed settings with the controller filled in and a changed period.
    let mut settings = OrgSettings::initial("Layanan Contoh Sejahtera");
    settings.version = 4;
    settings.processing.controller.address = "Jl. Sintetis No. 1, Kota Contoh".into();
    settings.processing.controller.contact = "0800-000-000".into();
    settings.processing.controller.protection_officer = "Petugas PDP Sintetis".into();
    *settings
        .processing
        .retention
        .days_mut(teduh_core::team::processing::RecordClass::Contacts) = 395;
    settings.processing.retention.backup_days = 14;
    settings.processing.activities[3].notes = "Rekaman suara tidak disimpan.".into();
    let printed = Printed {
        by: "admin.sintetis".into(),
        at: Utc::now(),
        zone: teduh_core::team::settings::Zone::Wita,
        organisation: settings.name.clone(),
    };
    let pdf = teduh_report::to_pdf(&processing_document(&settings, &printed)).expect("pdf");
    let text = words(&common::pdf_pages(&pdf, "ropa-signed").join("\n"));
    for expected in [
        "Layanan Contoh Sejahtera",
        "pengaturan organisasi versi 4",
        "Jl. Sintetis No. 1, Kota Contoh",
        "Petugas PDP Sintetis",
        "Dasar pemrosesan Persetujuan; Kepentingan vital; Kewajiban hukum",
        "Penerima mitra rujukan",
        "Masa simpan 1 tahun 30 hari (kontak yang tidak menjadi klien",
        "Salinan cadangan server 14 hari",
        "Rekaman suara tidak disimpan.",
        "WITA",
    ] {
        assert!(text.contains(expected), "{expected:?}:\n{text}");
    }
    assert!(!text.contains("belum diisi"), "nothing missing:\n{text}");
}

#[test]
fn the_erasure_notice_tells_her_what_went_where_and_when_the_backups_follow() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut v, client) = client_with_history(dir.path());
    let request = access_request(
        &mut v,
        client,
        RequestKind::Erasure,
        IdentityCheck::IdentityCard,
    );
    let at = Utc::now();
    let text = teduh_report::erasure::erasure_notice(&mut v, request, at).expect("notice");
    let backups_gone = (at + Duration::days(30))
        .with_timezone(&teduh_core::team::settings::Zone::default().offset())
        .format("%d/%m/%Y")
        .to_string();
    for expected in [
        "Pemberitahuan Penghapusan Data Pribadi",
        "Kepada Yth.: Dewi Sintetis",
        "Pasal 43 dan 44",
        "menghapus data pribadi Anda",
        "setiap perangkat tim",
        &format!("dihapus paling lambat {backups_gone}"),
        "hanya kode BK-0001",
    ] {
        assert!(
            text.contains(expected),
            "the notice says {expected:?}:\n{text}"
        );
    }
    assert!(!text.contains(THIRD_PARTY), "nothing of her notes:\n{text}");

    // Asked by her guardian: addressed to him, naming her.
    let by_guardian = v
        .add_request(
            client,
            &DataRequest {
                kind: RequestKind::Erasure,
                requester: teduh_core::request::Requester::Guardian,
                requester_name: "Budi Wali Sintetis".into(),
                received_at: Some(Utc::now() - Duration::hours(2)),
                identity: IdentityCheck::IdentityCard,
                ..DataRequest::default()
            },
        )
        .expect("request");
    let text = teduh_report::erasure::erasure_notice(&mut v, by_guardian, at).expect("notice");
    assert!(text.contains("Kepada Yth.: Budi Wali Sintetis"), "{text}");
    assert!(
        text.contains("menghapus data pribadi Dewi Sintetis"),
        "{text}"
    );
}
