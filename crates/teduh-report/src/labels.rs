//! The Indonesian words printed for the statistics' keys: table titles, row keys (sex, age
//! band, modality, channel, outcome, the directory's partner categories, PPKS and AMPK codes)
//! and month names. A key without words here is printed as it is (a regency, a line's name,
//! a category code a newer app added).
//!
//! The PPKS and AMPK lists repeat `ui/src/clients/categories.ts` (the form's choices); a test
//! reads that file and fails when the two differ.

/// Month names, January first.
const MONTHS: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

/// "November 2026".
pub fn month_name(year: i32, month: u32) -> String {
    let name = usize::try_from(month)
        .ok()
        .and_then(|m| m.checked_sub(1))
        .and_then(|i| MONTHS.get(i))
        .copied()
        .unwrap_or("?");
    format!("{name} {year}")
}

/// A table's title and the heading of its first column.
pub fn table_title(id: &str) -> (&'static str, &'static str) {
    match id {
        "clients_by_sex" => ("Klien dilayani menurut jenis kelamin", "Jenis kelamin"),
        "clients_by_age" => ("Klien dilayani menurut kelompok umur", "Umur (tahun)"),
        "clients_by_regency" => ("Klien dilayani menurut kabupaten/kota", "Kabupaten/kota"),
        "clients_by_ppks" => ("Klien dilayani menurut kategori PPKS", "Kategori PPKS"),
        "clients_by_ampk" => ("Klien anak menurut kategori AMPK", "Kategori AMPK"),
        "sessions_by_modality" => ("Sesi menurut cara layanan", "Cara layanan"),
        "sessions_by_worker" => ("Sesi menurut petugas", "Petugas"),
        "contacts_by_line" => ("Kontak hotline menurut saluran", "Saluran"),
        "contacts_by_channel" => ("Kontak hotline menurut media", "Media"),
        "contacts_by_category" => ("Kontak hotline menurut kategori masalah", "Kategori"),
        "screenings_by_instrument" => ("Skrining menurut instrumen", "Instrumen"),
        "screenings_by_result" => ("Skrining menurut hasil", "Hasil"),
        "red_flags" => ("Tanda bahaya (episode risiko dibuka)", "Tanda bahaya"),
        "referrals_by_partner_category" => ("Rujukan menurut jenis mitra", "Jenis mitra"),
        "referrals_by_outcome" => ("Rujukan menurut hasil", "Hasil"),
        _ => ("", "Kategori"),
    }
}

/// The words for `key` in table `table`; `None` for a key printed as it is.
pub fn row_label(table: &str, key: &str) -> Option<&'static str> {
    if key.is_empty() {
        return Some(match table {
            "referrals_by_partner_category" => "Mitra di luar direktori",
            _ => "Tidak dicatat",
        });
    }
    let words = match (table, key) {
        (_, "female") => "Perempuan",
        (_, "male") => "Laki-laki",
        ("clients_by_sex", "unspecified") => "Tidak dicatat",
        (_, "unknown") => "Tidak diketahui",
        (_, "in_person") => "Tatap muka",
        ("sessions_by_modality", "phone") => "Telepon",
        (_, "whats_app") => "WhatsApp",
        (_, "video") => "Video",
        (_, "home_visit") => "Kunjungan rumah",
        (_, "outreach") => "Penjangkauan",
        (_, "phone_call") => "Telepon",
        (_, "sms") => "SMS",
        (_, "walk_in") => "Datang langsung",
        (_, "e_counselling") => "E-konseling",
        (_, "srq20") => "SRQ-20",
        (_, "phq9") => "PHQ-9",
        (_, "gad7") => "GAD-7",
        (_, "k10") => "K10",
        ("screenings_by_result", "flagged") => "Perlu perhatian (skor tinggi atau tanda bahaya)",
        ("screenings_by_result", "not_flagged") => "Lainnya",
        ("red_flags", "all") => "Semua",
        ("referrals_by_outcome", "sent") => "Dikirim",
        ("referrals_by_outcome", "accepted") => "Diterima",
        ("referrals_by_outcome", "completed") => "Selesai",
        ("referrals_by_outcome", "declined") => "Ditolak",
        ("referrals_by_outcome", "no_show") => "Tidak hadir",
        ("referrals_by_outcome", "partner_unreachable") => "Mitra tidak dapat dihubungi",
        ("referrals_by_partner_category", k) => partner_category(k)?,
        ("clients_by_ppks", k) => lookup(PPKS, k)?,
        ("clients_by_ampk", k) => lookup(AMPK, k)?,
        _ => return None,
    };
    Some(words)
}

/// The directory's partner categories (`teduh_directory::Category`, snake_case codes).
fn partner_category(code: &str) -> Option<&'static str> {
    Some(match code {
        "emergency" => "Darurat",
        "mental_health" => "Kesehatan jiwa",
        "child_protection" => "Perlindungan anak",
        "women_and_violence" => "Perempuan dan kekerasan",
        "social_welfare" => "Dinas/layanan sosial",
        "health" => "Kesehatan",
        "education" => "Sekolah dan pendidikan",
        "civil_registry" => "Dukcapil",
        "legal_aid" => "Bantuan hukum",
        _ => return None,
    })
}

fn lookup(list: &[(&str, &'static str)], code: &str) -> Option<&'static str> {
    list.iter()
        .find(|(c, _)| *c == code)
        .map(|(_, words)| *words)
}

/// PPKS (Permensos No. 8/2012), as `ui/src/clients/categories.ts` lists them.
pub(crate) const PPKS: &[(&str, &str)] = &[
    ("anak-balita-terlantar", "Anak balita terlantar"),
    ("anak-terlantar", "Anak terlantar"),
    ("anak-berhadapan-hukum", "Anak yang berhadapan dengan hukum"),
    ("anak-jalanan", "Anak jalanan"),
    ("anak-disabilitas", "Anak dengan kedisabilitasan"),
    (
        "anak-korban-kekerasan",
        "Anak korban tindak kekerasan atau diperlakukan salah",
    ),
    (
        "anak-perlindungan-khusus",
        "Anak yang memerlukan perlindungan khusus",
    ),
    ("lansia-terlantar", "Lanjut usia terlantar"),
    ("penyandang-disabilitas", "Penyandang disabilitas"),
    ("tuna-susila", "Tuna susila"),
    ("gelandangan", "Gelandangan"),
    ("pengemis", "Pengemis"),
    ("pemulung", "Pemulung"),
    ("kelompok-minoritas", "Kelompok minoritas"),
    (
        "bekas-warga-binaan",
        "Bekas warga binaan lembaga pemasyarakatan",
    ),
    ("odha", "Orang dengan HIV/AIDS"),
    ("korban-napza", "Korban penyalahgunaan NAPZA"),
    ("korban-perdagangan-orang", "Korban perdagangan orang"),
    ("korban-kekerasan", "Korban tindak kekerasan"),
    (
        "pekerja-migran-bermasalah",
        "Pekerja migran bermasalah sosial",
    ),
    ("korban-bencana-alam", "Korban bencana alam"),
    ("korban-bencana-sosial", "Korban bencana sosial"),
    (
        "perempuan-rawan-sosial-ekonomi",
        "Perempuan rawan sosial ekonomi",
    ),
    ("fakir-miskin", "Fakir miskin"),
    (
        "keluarga-bermasalah-psikologis",
        "Keluarga bermasalah sosial psikologis",
    ),
    ("komunitas-adat-terpencil", "Komunitas adat terpencil"),
];

/// AMPK (UU No. 35/2014 Pasal 59 ayat 2), as `ui/src/clients/categories.ts` lists them.
pub(crate) const AMPK: &[(&str, &str)] = &[
    ("situasi-darurat", "Anak dalam situasi darurat"),
    ("berhadapan-hukum", "Anak yang berhadapan dengan hukum"),
    (
        "minoritas-terisolasi",
        "Anak dari kelompok minoritas dan terisolasi",
    ),
    (
        "eksploitasi",
        "Anak yang dieksploitasi secara ekonomi dan/atau seksual",
    ),
    (
        "korban-napza",
        "Anak korban penyalahgunaan narkotika, alkohol, psikotropika dan zat adiktif",
    ),
    ("korban-pornografi", "Anak korban pornografi"),
    ("hiv-aids", "Anak dengan HIV/AIDS"),
    (
        "korban-penculikan-perdagangan",
        "Anak korban penculikan, penjualan dan/atau perdagangan",
    ),
    (
        "korban-kekerasan",
        "Anak korban kekerasan fisik dan/atau psikis",
    ),
    ("korban-kejahatan-seksual", "Anak korban kejahatan seksual"),
    ("korban-terorisme", "Anak korban jaringan terorisme"),
    ("disabilitas", "Anak penyandang disabilitas"),
    (
        "korban-penelantaran",
        "Anak korban perlakuan salah dan penelantaran",
    ),
    (
        "perilaku-menyimpang",
        "Anak dengan perilaku sosial menyimpang",
    ),
    (
        "korban-stigmatisasi",
        "Anak korban stigmatisasi terkait kondisi orang tuanya",
    ),
];

pub use teduh_core::report::monthly::code_of;

/// The Indonesian words for a code of the record's enums (stage, risk, consent, referral,
/// screening band, review), or the code itself.
pub fn term<T: serde::Serialize>(value: &T) -> String {
    let code = code_of(value);
    let words = match code.as_str() {
        "intake" => "Penerimaan",
        "assessment" => "Asesmen",
        "planning" => "Perencanaan",
        "intervention" => "Intervensi",
        "evaluation" => "Evaluasi",
        "closure_or_referral" => "Terminasi atau rujukan",
        "follow_up" => "Tindak lanjut",
        "low" => "Rendah",
        "medium" => "Sedang",
        "high" => "Tinggi",
        "imminent" => "Segera (bahaya)",
        "very_high" => "Sangat tinggi",
        "self_given" => "Klien sendiri",
        "parent" => "Orang tua",
        "guardian" => "Wali",
        "no_guardian" => "Tanpa orang tua/wali",
        "consent" => "Persetujuan",
        "vital_interest" => "Kepentingan vital",
        "legal_obligation" => "Kewajiban hukum",
        "public_task" => "Tugas publik",
        "contract" => "Perjanjian",
        "legitimate_interest" => "Kepentingan sah",
        "written" => "Tertulis",
        "verbal" => "Lisan",
        "digital" => "Digital",
        "routine" => "Rutin",
        "soon" => "Segera",
        "urgent" => "Mendesak",
        "minimal" => "Minimal",
        "mild" => "Ringan",
        "moderate" => "Sedang",
        "moderately_severe" => "Cukup berat",
        "severe" => "Berat",
        "below_cutoff" => "Di bawah ambang",
        "above_cutoff" => "Di atas ambang",
        "approve" => "Disetujui",
        "return" => "Dikembalikan",
        "comment" => "Komentar",
        "female" => "Perempuan",
        "male" => "Laki-laki",
        "unspecified" => "Tidak dicatat",
        other => {
            return [
                "sessions_by_modality",
                "referrals_by_outcome",
                "contacts_by_channel",
            ]
            .iter()
            .find_map(|t| row_label(t, other))
            .map_or_else(|| other.to_string(), str::to_string)
        }
    };
    words.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(code, Indonesian)` of each `c('code', 'id', 'en')` in the list `name` of the UI's file.
    fn ui_list(source: &str, name: &str) -> Vec<(String, String)> {
        let start = source
            .find(&format!("export const {name}"))
            .unwrap_or_else(|| panic!("{name} in categories.ts"));
        let body = &source[start..];
        let body = &body[..body.find("];").expect("the list ends")];
        body.lines()
            .filter_map(|l| l.trim().strip_prefix("c('"))
            .map(|l| {
                let parts: Vec<&str> = l.split("', '").collect();
                (parts[0].to_string(), parts[1].replace("\\'", "'"))
            })
            .collect()
    }

    #[test]
    fn the_printed_ppks_and_ampk_words_match_the_forms_choices() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../ui/src/clients/categories.ts"
        );
        let source = std::fs::read_to_string(path).expect("the UI's categories");
        for (name, list) in [("PPKS", PPKS), ("AMPK", AMPK)] {
            let ours: Vec<(String, String)> = list
                .iter()
                .map(|(c, w)| (c.to_string(), w.to_string()))
                .collect();
            assert_eq!(
                ours,
                ui_list(&source, name),
                "{name}: a report must print the category the form offered"
            );
        }
    }

    #[test]
    fn every_fixed_key_of_the_statistics_has_words() {
        for (table, key) in [
            ("clients_by_sex", "unspecified"),
            ("sessions_by_modality", "phone"),
            ("contacts_by_channel", "e_counselling"),
            ("referrals_by_outcome", "partner_unreachable"),
            ("red_flags", "all"),
            ("screenings_by_result", "flagged"),
            ("referrals_by_partner_category", "civil_registry"),
        ] {
            assert!(row_label(table, key).is_some(), "{table}.{key}");
        }
        assert_eq!(month_name(2026, 11), "November 2026");
    }
}
