//! The referral letter (surat rujukan) to a school, a civil registry, a labour office or any
//! partner: numbered, addressed from the directory, with only the data the referral was made to
//! share (`Referral::shared_data`: name, contact, summary, screening), as a PDF to print and as
//! text to paste into WhatsApp.

use chrono::{DateTime, Utc};
use teduh_core::domain::{ContactKind, ReferralRecord};
use teduh_core::ids::{ClientId, ReferralId};
use teduh_core::report::redact::third_party;
use teduh_core::vault::{AccessAction, ClientExport, Vault, VaultError};

use crate::labels::{code_of, term};
use crate::model::{Block, Document};
use crate::monthly::ReportError;
use crate::printed::{file_safe, local_time, printed_now, Printed};

/// The partner as the directory knows it (`None` for a partner outside the directory: the
/// letter then names it as the referral does).
#[derive(Debug, Clone, Default)]
pub struct PartnerAddress {
    /// Postal address.
    pub address: Option<String>,
    /// Phone numbers.
    pub phones: Vec<String>,
}

/// The letter's number: `RJK/<year>/<month>/<the referral's first six hex digits>`, the same
/// each time the letter is printed again, different for every referral.
pub fn letter_number(referral: ReferralId, at: DateTime<Utc>, printed: &Printed) -> String {
    let local = at.with_timezone(&printed.zone.offset());
    let id = referral.to_string();
    format!(
        "RJK/{}/{}/{}",
        local.format("%Y"),
        local.format("%m"),
        id.get(..6).unwrap_or(&id).to_uppercase()
    )
}

/// The letter for `referral` of `export`'s client: what the referral shares and no more.
pub fn referral_letter_document(
    export: &ClientExport,
    referral: &ReferralRecord,
    partner: Option<&PartnerAddress>,
    printed: &Printed,
) -> Document {
    let r = &referral.referral;
    let shares = |what: &str| r.shared_data.iter().any(|s| s == what);
    let profile = &export.client.profile;
    let mut to = vec![("Kepada".to_string(), r.partner_name.clone())];
    if let Some(p) = partner {
        if let Some(a) = &p.address {
            to.push(("Alamat".into(), a.clone()));
        }
        if !p.phones.is_empty() {
            to.push(("Telepon".into(), p.phones.join(", ")));
        }
    } else if !r.partner_contact.trim().is_empty() {
        to.push(("Kontak".into(), r.partner_contact.clone()));
    }
    let mut about = vec![("Kode klien".to_string(), profile.code.clone())];
    if shares("name") {
        about.push(("Nama".into(), profile.name.clone()));
    }
    if shares("contact") {
        let safe: Vec<String> = profile
            .contacts
            .iter()
            .filter(|c| c.safe_to_contact)
            .map(|c| match c.kind {
                ContactKind::WhatsApp => format!("{} (WhatsApp)", c.value),
                _ => c.value.clone(),
            })
            .collect();
        about.push((
            "Kontak aman".into(),
            if safe.is_empty() {
                "-".into()
            } else {
                safe.join(", ")
            },
        ));
    }
    about.push(("Alasan rujukan".into(), third_party(&r.reason).0));
    about.push(("Urgensi".into(), term(&r.urgency)));
    if shares("summary") {
        if let Some(case) = export.cases.last() {
            about.push((
                "Ringkasan masalah".into(),
                third_party(&case.details.presenting_problem).0,
            ));
        }
    }
    if shares("screening") {
        if let Some(s) = export.screenings.last() {
            about.push((
                "Skrining terakhir".into(),
                format!(
                    "{} skor {} ({}), {}",
                    code_of(&s.answers.instrument).to_uppercase(),
                    s.result.total,
                    term(&s.result.band),
                    s.answers
                        .administered_at
                        .map_or("-".into(), |t| local_time(t, printed.zone))
                ),
            ));
        }
    }
    let number = letter_number(referral.id, printed.at, printed);
    Document {
        title: "Surat Rujukan".into(),
        subtitle: vec![
            printed.organisation.clone(),
            format!("Nomor: {number}"),
            format!("Tanggal: {}", local_time(printed.at, printed.zone)),
        ],
        mark: Some("RAHASIA".into()),
        footer: format!("Dicetak oleh {}, {}", printed.by, local_time(printed.at, printed.zone)),
        page_label: "Halaman {page} dari {pages}".into(),
        blocks: vec![
            Block::Fields(to),
            Block::Paragraph(
                "Dengan hormat, bersama ini kami merujuk klien kami untuk mendapatkan layanan \
                 lebih lanjut. Data yang kami sertakan hanya yang disetujui untuk dibagikan; mohon \
                 dijaga kerahasiaannya."
                    .into(),
            ),
            Block::Fields(about),
            Block::Paragraph(format!(
                "Mohon kabari kami tentang tindak lanjutnya. Terima kasih atas kerja samanya.\n\nHormat kami,\n{}\n{}",
                printed.by, printed.organisation
            )),
        ],
    }
}

/// The letter for `referral` of `client` as a PDF, as WhatsApp-ready text, and the PDF's file
/// name (`surat-rujukan-<code>-<number part>.pdf`). `partner` looks a directory entry up by id
/// (`None` for one the directory does not hold).
///
/// Fails with [`ReportError`]: locked, a client this device cannot read, an unknown referral.
pub fn referral_letter(
    vault: &mut Vault,
    client: ClientId,
    referral: ReferralId,
    partner: &dyn Fn(&str) -> Option<PartnerAddress>,
    now: DateTime<Utc>,
) -> Result<(Vec<u8>, String, String), ReportError> {
    let export = vault.export_client(client)?;
    let record = export
        .referrals
        .iter()
        .find(|r| r.id == referral)
        .ok_or_else(|| VaultError::NotFound {
            what: "referral",
            id: referral.to_string(),
        })?;
    let printed = printed_now(vault, now)?;
    let address = Some(record.referral.partner_id.as_str())
        .filter(|id| !id.is_empty() && !record.referral.partner_outside_directory)
        .and_then(partner);
    let doc = referral_letter_document(&export, record, address.as_ref(), &printed);
    let name = format!(
        "surat-rujukan-{}-{}.pdf",
        file_safe(&export.client.profile.code),
        file_safe(referral.to_string().get(..6).unwrap_or_default())
    );
    let pdf = crate::to_pdf(&doc)?;
    // Every print is in the client's audit trail (issue 25).
    vault.record_access(client, AccessAction::Printed, referral.into())?;
    Ok((pdf, crate::to_plain_text(&doc), name))
}
