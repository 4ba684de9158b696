//! Breach notices (UU PDP Ps 46): the letter to the people concerned and the letter to the
//! authority, made from the breach register, in Bahasa Indonesia, as a PDF to send and as text
//! to paste into a message. Each says what Ps 46 (2) asks: which personal data was exposed, when
//! and how, and what is done to handle it and recover. Neither names a client: the register's
//! client codes tell the service whom to notify, the letters carry no one's identity.

use chrono::{DateTime, Utc};
use teduh_core::breach::{DataCategory, Recipient};
use teduh_core::ids::BreachId;
use teduh_core::vault::{BreachView, Vault};

use crate::model::{Block, Document};
use crate::monthly::ReportError;
use crate::printed::{local_time, printed_now, Printed};

/// The words for each kind of data.
pub(crate) fn category_words(c: DataCategory) -> &'static str {
    match c {
        DataCategory::Identity => "identitas (nama, kode, tanggal lahir, alamat)",
        DataCategory::ContactDetails => "nomor telepon dan kontak lain",
        DataCategory::MentalHealth => {
            "catatan sesi, skrining dan penilaian risiko (data kesehatan)"
        }
        DataCategory::Children => "data anak",
        DataCategory::HotlineContacts => "catatan kontak hotline dan pesan",
        DataCategory::Other => "data lain (lihat uraian)",
    }
}

/// The notice's number: `PDP/<year>/<month>/<the incident's first six hex digits>-<O|L>`, the
/// same each time it is printed again (O: to the people, L: to the authority).
pub fn notice_number(id: BreachId, to: Recipient, printed: &Printed) -> String {
    let local = printed.at.with_timezone(&printed.zone.offset());
    let hex = id.to_string();
    let whom = match to {
        Recipient::Persons => "O",
        Recipient::Authority => "L",
    };
    format!(
        "PDP/{}/{}/{}-{whom}",
        local.format("%Y"),
        local.format("%m"),
        hex.get(..6).unwrap_or(&hex).to_uppercase()
    )
}

/// The notice of `incident` to `to`.
pub fn notice_document(incident: &BreachView, to: Recipient, printed: &Printed) -> Document {
    let b = &incident.breach;
    let zone = printed.zone;
    let when =
        |t: Option<DateTime<Utc>>| t.map_or("belum diketahui".into(), |t| local_time(t, zone));
    let addressee = match to {
        Recipient::Persons => "Bapak/Ibu/Saudara yang data pribadinya kami kelola",
        Recipient::Authority => "Lembaga Pelindungan Data Pribadi",
    };
    let mut fields = vec![
        (
            "Data pribadi yang terungkap".to_string(),
            b.categories
                .iter()
                .map(|c| category_words(*c))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        ("Kapan terjadi".into(), when(b.occurred_at)),
        ("Kapan kami mengetahuinya".into(), when(b.aware_at)),
        ("Bagaimana data terungkap".into(), b.what_happened.clone()),
        ("Upaya penanganan dan pemulihan".into(), b.measures.clone()),
    ];
    if to == Recipient::Authority {
        fields.push(("Jumlah orang yang terdampak".into(), b.people.to_string()));
    }
    fields.push((
        "Narahubung".into(),
        if b.contact.trim().is_empty() {
            printed.by.clone()
        } else {
            b.contact.clone()
        },
    ));
    let advice = match to {
        Recipient::Persons => {
            "Kami mohon maaf. Bila Anda menerima pesan atau telepon mencurigakan yang menyebut \
             layanan kami, jangan memberikan data apa pun dan hubungi narahubung di atas. Anda \
             berhak menanyakan data Anda yang kami kelola dan riwayat pemrosesannya."
        }
        Recipient::Authority => {
            "Kami telah memberitahukan kejadian ini kepada orang-orang yang terdampak, atau sedang \
             melakukannya, dalam batas waktu yang sama."
        }
    };
    Document {
        subtitle: vec![
            printed.organisation.clone(),
            format!("Nomor: {}", notice_number(incident.id, to, printed)),
            format!("Tanggal: {}", local_time(printed.at, zone)),
        ],
        blocks: vec![
            Block::Fields(vec![("Kepada Yth.".into(), addressee.into())]),
            Block::Paragraph(
                "Sesuai Pasal 46 Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan Data \
                 Pribadi, kami memberitahukan secara tertulis kegagalan pelindungan data pribadi \
                 berikut."
                    .into(),
            ),
            Block::Fields(fields),
            Block::Paragraph(advice.into()),
            Block::Paragraph(format!(
                "Hormat kami,\n{}\n{}",
                printed.by, printed.organisation
            )),
        ],
        ..printed.document("Pemberitahuan Kegagalan Pelindungan Data Pribadi")
    }
}

/// The notice of incident `id` to `to` as a PDF, as text for a message, and the PDF's file name
/// (`pemberitahuan-pdp-<orang|lembaga>-<six hex digits>.pdf`).
///
/// Fails with [`ReportError`]: locked, an unknown incident, damaged data.
pub fn breach_notice(
    vault: &mut Vault,
    id: BreachId,
    to: Recipient,
    now: DateTime<Utc>,
) -> Result<(Vec<u8>, String, String), ReportError> {
    let incident = vault.breach(id)?;
    let printed = printed_now(vault, now)?;
    let doc = notice_document(&incident, to, &printed);
    let hex = id.to_string();
    let name = format!(
        "pemberitahuan-pdp-{}-{}.pdf",
        match to {
            Recipient::Persons => "orang",
            Recipient::Authority => "lembaga",
        },
        hex.get(..6).unwrap_or(&hex)
    );
    Ok((crate::to_pdf(&doc)?, crate::to_plain_text(&doc), name))
}
