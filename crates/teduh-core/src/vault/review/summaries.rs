//! The sealed summaries of notes and screenings: what the queue and the dashboard need of each
//! (author, session time and zone, risk; whether a screening raised a red flag), sealed under
//! the client's key and kept current as projections of the sealed store, so that supervision
//! reads one small row per note instead of decrypting whole records.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::domain::RiskLevel;
use crate::ids::{ClientId, MemberId, NoteId, ScreeningId};
use crate::records::RecordKind;
use crate::screening::{self, ScoringConfig, ScreeningAnswers};
use crate::vault::error::VaultError;
use crate::vault::identity::Identity;
use crate::vault::projection::{Current, Projection};
use crate::vault::read::{blob, EntityMeta, Reader};
use crate::vault::sealed::{client_key, from_fields, id16, AUTHOR};
use crate::vault::Unlocked;

/// What the queue and the dashboard need of a note, sealed together (`note_summaries`).
#[derive(Serialize, Deserialize)]
pub(super) struct NoteSummary {
    pub(super) author: Option<MemberId>,
    pub(super) occurred_at: Option<DateTime<Utc>>,
    pub(super) risk: Option<RiskLevel>,
    /// Where the session took place (its day is counted there); empty in summaries sealed
    /// before it was added, which count as WIB.
    #[serde(default)]
    pub(super) zone: String,
}

impl NoteSummary {
    /// The session's calendar day where it happened.
    pub(super) fn day(&self) -> Option<NaiveDate> {
        self.occurred_at
            .map(|t| crate::domain::local_day(t, &self.zone))
    }
}

pub(super) fn summary_context(note: NoteId) -> Vec<u8> {
    let mut c = b"teduh/note-summary/v1".to_vec();
    c.extend_from_slice(&note.0);
    c
}

/// Re-derives a note's sealed summary from its current fields (after a record changed it).
fn refresh_note_summary(
    conn: &Connection,
    ident: &Identity,
    u: &mut Unlocked,
    note: NoteId,
    client: ClientId,
    current: &Current<'_>,
) -> Result<(), VaultError> {
    let scoring = ScoringConfig::default();
    let mut r = Reader {
        conn,
        ident,
        u,
        scoring: &scoring,
    };
    let meta = EntityMeta {
        kind: RecordKind::Note,
        client,
        parent: None,
    };
    let summary = NoteSummary {
        author: current.field(&mut r, note.into(), &meta, AUTHOR)?,
        occurred_at: current.field(&mut r, note.into(), &meta, "occurred_at")?,
        risk: current.field(&mut r, note.into(), &meta, "risk")?,
        zone: current
            .field(&mut r, note.into(), &meta, "zone")?
            .unwrap_or_default(),
    };
    let sql = "INSERT INTO note_summaries (note_id, client_id, sealed) VALUES (?1, ?2, ?3)
               ON CONFLICT (note_id) DO UPDATE SET sealed = excluded.sealed";
    store_summary(
        conn,
        ident,
        r.u,
        sql,
        &summary_context(note),
        &note.0,
        client,
        &summary,
    )
}

/// Seals a derived summary under the client's data key and stores it with `upsert` (which takes
/// the entity id, the client id and the sealed bytes): the one way both summary tables are written.
#[allow(clippy::too_many_arguments)]
fn store_summary(
    conn: &Connection,
    ident: &Identity,
    u: &mut Unlocked,
    upsert: &str,
    context: &[u8],
    entity: &[u8; 16],
    client: ClientId,
    summary: &impl Serialize,
) -> Result<(), VaultError> {
    let json = Zeroizing::new(
        serde_json::to_vec(summary).map_err(|e| VaultError::InvalidInput(e.to_string()))?,
    );
    let sealed = client_key(conn, ident, u, client)?.seal(context, &json);
    conn.prepare_cached(upsert)?
        .execute(params![&entity[..], &client.0[..], sealed])?;
    Ok(())
}

/// What the queue needs of a screening, sealed (`screening_summaries`): whether its answers
/// raised a red flag (None: the stored answers do not score, which reading reports as damage).
/// Red flags do not depend on the scoring settings (only the SRQ-20 cut-off does).
#[derive(Serialize, Deserialize)]
pub(super) struct ScreeningSummary {
    pub(super) red_flag: Option<bool>,
}

pub(super) fn screening_summary_context(screening: ScreeningId) -> Vec<u8> {
    let mut c = b"teduh/screening-summary/v1".to_vec();
    c.extend_from_slice(&screening.0);
    c
}

/// Re-derives a screening's sealed summary from its current fields (after a record changed
/// it, or when a vault upgraded from schema 5 lacks it).
fn refresh_screening_summary(
    conn: &Connection,
    ident: &Identity,
    u: &mut Unlocked,
    screening: ScreeningId,
    client: ClientId,
) -> Result<(), VaultError> {
    let scoring = ScoringConfig::default();
    let mut r = Reader {
        conn,
        ident,
        u,
        scoring: &scoring,
    };
    let meta = EntityMeta {
        kind: RecordKind::Screening,
        client,
        parent: None,
    };
    let fields = r.fields(screening.into(), &meta)?;
    let red_flag = from_fields::<ScreeningAnswers>(fields, "screening")
        .ok()
        .and_then(|a| screening::score(&a, &scoring).ok())
        .map(|result| !result.red_flags.is_empty());
    let sql =
        "INSERT INTO screening_summaries (screening_id, client_id, sealed) VALUES (?1, ?2, ?3)
               ON CONFLICT (screening_id) DO UPDATE SET sealed = excluded.sealed";
    let context = screening_summary_context(screening);
    let summary = ScreeningSummary { red_flag };
    store_summary(
        conn,
        ident,
        r.u,
        sql,
        &context,
        &screening.0,
        client,
        &summary,
    )
}

/// The summaries as projections of the sealed store: refreshed whenever a note or a screening
/// record is applied, and filled at unlock when an upgraded vault lacks them.
pub(in crate::vault) const PROJECTIONS: [Projection; 2] = [
    Projection {
        kind: RecordKind::Note,
        table: "note_summaries",
        column: "note_id",
        refresh: |c, i, u, e, cl, current| refresh_note_summary(c, i, u, NoteId(e.0), cl, current),
    },
    Projection {
        kind: RecordKind::Screening,
        table: "screening_summaries",
        column: "screening_id",
        refresh: |c, i, u, e, cl, _| refresh_screening_summary(c, i, u, ScreeningId(e.0), cl),
    },
];

impl Reader<'_> {
    /// Opens the summaries of the notes `wanted` selects (by id, before decrypting anything)
    /// and hands each to `f` with its client. One pass over `note_summaries`, streamed.
    pub(super) fn scan_note_summaries(
        &mut self,
        mut wanted: impl FnMut(&NoteId) -> bool,
        mut f: impl FnMut(NoteId, ClientId, NoteSummary),
    ) -> Result<(), VaultError> {
        let (conn, ident) = (self.conn, self.ident);
        let mut st =
            conn.prepare_cached("SELECT note_id, client_id, sealed FROM note_summaries")?;
        let mut rows = st.query([])?;
        while let Some(row) = rows.next()? {
            let note = NoteId(id16(blob(row, 0)?)?);
            if !wanted(&note) {
                continue;
            }
            let client = ClientId(id16(blob(row, 1)?)?);
            let key = client_key(conn, ident, self.u, client)?;
            let damaged = || VaultError::Integrity {
                record: format!("the summary of note {note}"),
            };
            let pt = key
                .open(&summary_context(note), blob(row, 2)?)
                .map_err(|_| damaged())?;
            let summary: NoteSummary = serde_json::from_slice(&pt).map_err(|_| damaged())?;
            f(note, client, summary);
        }
        Ok(())
    }
}
