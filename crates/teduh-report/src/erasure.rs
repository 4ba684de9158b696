//! The notice to the person whose data is erased at her request (UU PDP Ps 43-44, and the
//! answer to her request within 3×24 h), in Bahasa Indonesia: what was erased, where, when the
//! copies in the server's backups go, and the little the service keeps (the code and the date,
//! as proof). It names her, so it is made just before the erasure (afterwards nothing of her
//! opens) and handed over as text to send or print; it is never written to disk, where it would
//! outlive her erasure.

use chrono::{DateTime, Duration, Utc};
use teduh_core::ids::RequestId;
use teduh_core::request::Requester;
use teduh_core::team::processing::Retention;
use teduh_core::vault::Vault;

use crate::model::{Block, Document};
use crate::monthly::ReportError;
use crate::printed::{local_time, printed_now, Printed};

/// What the notice says of the person and her request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErasureFacts {
    /// Whom it is addressed to: the person, or the parent or guardian who asked.
    pub addressee: String,
    /// The person whose data is erased, when someone else asked for her; `None` when she did.
    pub on_behalf_of: Option<String>,
    /// Her code, which the register of erasures keeps.
    pub code: String,
    /// When her request came.
    pub received_at: Option<DateTime<Utc>>,
    /// When it is erased.
    pub erased_at: DateTime<Utc>,
    /// How long the server's backups are kept.
    pub backup_days: u32,
    /// Whom to ask (the controller's contact, else the member who erases).
    pub contact: String,
}

/// The notice as a document.
pub fn notice_document(f: &ErasureFacts, printed: &Printed) -> Document {
    let zone = printed.zone;
    let whose = match &f.on_behalf_of {
        Some(name) => format!("data pribadi {name}"),
        None => "data pribadi Anda".to_string(),
    };
    let received = f.received_at.map_or("sebelumnya".into(), |t| {
        format!("pada {}", local_time(t, zone))
    });
    let backups_gone = (f.erased_at + Duration::days(i64::from(f.backup_days)))
        .with_timezone(&zone.offset())
        .format("%d/%m/%Y");
    Document {
        subtitle: vec![
            printed.organisation.clone(),
            format!("Tanggal: {}", local_time(printed.at, zone)),
        ],
        blocks: vec![
            Block::Fields(vec![("Kepada Yth.".into(), f.addressee.clone())]),
            Block::Paragraph(format!(
                "Sesuai Pasal 43 dan 44 Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan \
                 Data Pribadi, kami memberitahukan bahwa permintaan untuk menghapus {whose}, yang \
                 kami terima {received}, telah kami laksanakan."
            )),
            Block::Fields(vec![
                (
                    "Data yang dihapus".into(),
                    "semua data pribadi yang kami kelola: identitas, catatan sesi, skrining, \
                     rencana dan risiko kasus, persetujuan, rujukan, permintaan, dan catatan \
                     kontak hotline"
                        .into(),
                ),
                ("Tanggal penghapusan".into(), local_time(f.erased_at, zone)),
                (
                    "Tempat".into(),
                    "perangkat petugas yang menyetujui, setiap perangkat tim kami saat perangkat \
                     itu tersinkron, dan server kami"
                        .into(),
                ),
                (
                    "Salinan cadangan".into(),
                    format!(
                        "salinan cadangan server yang dibuat sebelum tanggal penghapusan dihapus \
                         paling lambat {backups_gone}"
                    ),
                ),
                (
                    "Yang tetap kami simpan".into(),
                    format!(
                        "hanya kode {} dan tanggal penghapusan, sebagai bukti bahwa permintaan \
                         ini telah dilaksanakan",
                        f.code
                    ),
                ),
                ("Narahubung".into(), f.contact.clone()),
            ]),
            Block::Paragraph(format!(
                "Hormat kami,\n{}\n{}",
                printed.by, printed.organisation
            )),
        ],
        ..printed.document("Pemberitahuan Penghapusan Data Pribadi")
    }
}

/// The notice for the erasure `request` asks for, as text, made at `now` (just before the
/// erasure: it reads her name and the request, which the erasure destroys).
///
/// Fails with [`ReportError`]: locked, an unknown request or client, damaged data.
pub fn erasure_notice(
    vault: &mut Vault,
    request: RequestId,
    now: DateTime<Utc>,
) -> Result<String, ReportError> {
    let asked = vault.request(request)?;
    let name = vault.client(asked.client)?.profile.name;
    let printed = printed_now(vault, now)?;
    let settings = vault.org_settings()?;
    let backup_days = settings
        .as_ref()
        .map_or(Retention::default().backup_days, |s| {
            s.processing.retention.backup_days
        });
    let contact = settings
        .map(|s| s.processing.controller.contact)
        .filter(|c| !c.trim().is_empty())
        .unwrap_or_else(|| printed.by.clone());
    let by_someone_else = asked.request.requester != Requester::Person
        && !asked.request.requester_name.trim().is_empty();
    let facts = ErasureFacts {
        addressee: if by_someone_else {
            asked.request.requester_name.clone()
        } else {
            name.clone()
        },
        on_behalf_of: by_someone_else.then_some(name),
        code: asked.client_code,
        received_at: asked.request.received_at,
        erased_at: now,
        backup_days,
        contact,
    };
    Ok(crate::to_plain_text(&notice_document(&facts, &printed)))
}
