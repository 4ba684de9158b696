//! Supervision: reviews of finalised notes (approve, return with a comment, comment), the
//! review queue ordered by urgency, and the team dashboard, all from local data (offline).
//!
//! Still one file with two concepts (the sealed note and screening summaries, and the queue and
//! dashboard read from them; the review state machine is in `review_state.rs`): issue #14 makes
//! the summaries projections of the sealed store and splits the rest, measured there.
//!
//! Reviews are append-only records (kind `review`, parent = the note), signed and synced like
//! every record. A note's review state follows from its reviews and addenda: finalised and not
//! decided -> waiting; the last decision "return" -> returned, until the counselor answers with
//! an addendum, which puts it back in the queue; "approve" -> approved. Comments never change
//! the state.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration as ChronoDuration, NaiveDate};
use serde::Deserialize;
use teduh_protocol::sync::Role;

use super::batch::Batch;
use super::error::VaultError;
use super::identity::Identity;
use super::read::EntityMeta;
use super::read::Reader;
use super::review_state::{review_step, state_after, ReviewStep};
pub use super::review_state::{Review, ReviewAction, ReviewDraft, ReviewState};
use super::sealed::{
    binding_aad, client_key, from_fields, id16, record_name, AUTHOR, FINALISED_AT,
};
use super::{Unlocked, Vault};
use crate::domain::{ReferralStatus, RiskLevel};
use crate::ids::{ClientId, DeviceId, EntityId, MemberId, NoteId, ScreeningId, TaskId};
use crate::ids::{ReferralId, ReviewId};
use crate::records::RecordKind;
use crate::screening;
use crate::screening::{ScoringConfig, ScreeningAnswers};
use chrono::Utc;
use rusqlite::{params, Connection, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Map;
use zeroize::Zeroizing;

#[derive(Deserialize)]
struct StoredReview {
    action: ReviewAction,
    #[serde(default)]
    comment: String,
    reviewer: Option<MemberId>,
    at: DateTime<Utc>,
}

/// One note in the review queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct QueueItem {
    /// The note.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub note: NoteId,
    /// Its client.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub client: ClientId,
    /// The client's pseudonymous code.
    pub client_code: String,
    /// The note's author.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub author: Option<MemberId>,
    /// When the session took place.
    pub occurred_at: Option<DateTime<Utc>>,
    /// The risk recorded in the note.
    pub risk: Option<RiskLevel>,
    /// A red flag in one of the client's screenings (e.g. SRQ-20 item 17).
    pub red_flag: bool,
    /// Waiting since (finalisation, or the answer to a return).
    pub waiting_since: DateTime<Utc>,
}

/// Which notes the queue shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct QueueFilter {
    /// Only notes by this member.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub author: Option<MemberId>,
    /// Only notes at or above this risk (or with a red flag).
    pub min_risk: Option<RiskLevel>,
    /// Only sessions on or after this day.
    pub from: Option<NaiveDate>,
    /// Only sessions on or before this day.
    pub to: Option<NaiveDate>,
}

/// Sessions in one week (Monday to Sunday, UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct WeekCount {
    /// The Monday starting the week.
    pub week_start: NaiveDate,
    /// Session notes in it.
    pub sessions: u32,
    /// The clients seen in it (the list behind the bar), by id.
    #[cfg_attr(feature = "ts", ts(type = "Array<string>"))]
    pub clients: Vec<ClientId>,
}

/// One counselor's caseload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Caseload {
    /// The member (None: written before the device joined a team).
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub member: Option<MemberId>,
    /// Her clients (those whose notes she wrote), by id.
    #[cfg_attr(feature = "ts", ts(type = "Array<string>"))]
    pub clients: Vec<ClientId>,
}

/// The team at a glance; every figure comes with the list behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Dashboard {
    /// Clients per counselor.
    pub caseloads: Vec<Caseload>,
    /// Sessions per week, the last 12 weeks, oldest first.
    pub sessions_per_week: Vec<WeekCount>,
    /// Notes waiting for review, most urgent first.
    pub waiting: Vec<QueueItem>,
    /// Open follow-up tasks past their due day: (client, task).
    #[cfg_attr(feature = "ts", ts(type = "Array<[string, string]>"))]
    pub overdue_follow_ups: Vec<(ClientId, TaskId)>,
    /// Referrals sent or accepted, not yet completed or declined: (client, referral).
    #[cfg_attr(feature = "ts", ts(type = "Array<[string, string]>"))]
    pub open_referrals: Vec<(ClientId, ReferralId)>,
    /// Clients whose current case risk is high or imminent.
    #[cfg_attr(feature = "ts", ts(type = "Array<string>"))]
    pub high_risk_clients: Vec<ClientId>,
}

/// Finalised notes and when: served by the partial index `entity_fields_finalised` (schema 6).
const FINALISED_SQL: &str = "SELECT entity_id, hlc FROM entity_fields WHERE field = 'finalised_at'";

/// One of the fields the dashboard reads across all clients, as stored: served by the covering
/// partial index `entity_fields_supervision` (schema 6), whose WHERE this repeats so SQLite
/// can use it (a test checks the plan).
const STORED_VALUES_SQL: &str = "SELECT entity_id, device_id, seq, value FROM entity_fields
     WHERE field IN ('action', 'done_at', 'due', 'level', 'status') AND field = ?1";

fn risk_rank(r: Option<RiskLevel>) -> u8 {
    match r {
        Some(RiskLevel::Imminent) => 4,
        Some(RiskLevel::High) => 3,
        Some(RiskLevel::Medium) => 2,
        Some(RiskLevel::Low) => 1,
        None => 0,
    }
}

/// What the queue and the dashboard need of a note, sealed together (`note_summaries`).
#[derive(Serialize, Deserialize)]
struct NoteSummary {
    author: Option<MemberId>,
    occurred_at: Option<DateTime<Utc>>,
    risk: Option<RiskLevel>,
    /// Where the session took place (its day is counted there); empty in summaries sealed
    /// before it was added, which count as WIB.
    #[serde(default)]
    zone: String,
}

impl NoteSummary {
    /// The session's calendar day where it happened.
    fn day(&self) -> Option<NaiveDate> {
        self.occurred_at
            .map(|t| crate::domain::local_day(t, &self.zone))
    }
}

fn summary_context(note: NoteId) -> Vec<u8> {
    let mut c = b"teduh/note-summary/v1".to_vec();
    c.extend_from_slice(&note.0);
    c
}

/// Re-derives a note's sealed summary from its current fields (after a record changed it).
pub(super) fn refresh_note_summary(
    conn: &Connection,
    ident: &Identity,
    u: &mut Unlocked,
    note: NoteId,
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
        kind: RecordKind::Note,
        client,
        parent: None,
    };
    let summary = NoteSummary {
        author: r.field(note.into(), &meta, AUTHOR)?,
        occurred_at: r.field(note.into(), &meta, "occurred_at")?,
        risk: r.field(note.into(), &meta, "risk")?,
        zone: r.field(note.into(), &meta, "zone")?.unwrap_or_default(),
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
struct ScreeningSummary {
    red_flag: Option<bool>,
}

fn screening_summary_context(screening: ScreeningId) -> Vec<u8> {
    let mut c = b"teduh/screening-summary/v1".to_vec();
    c.extend_from_slice(&screening.0);
    c
}

/// Re-derives a screening's sealed summary from its current fields (after a record changed
/// it, or when a vault upgraded from schema 5 lacks it).
pub(super) fn refresh_screening_summary(
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

/// Seals the summaries that are missing: a vault upgraded from schema 4 has its notes but not
/// their summaries (the queue would not see them), one upgraded from schema 5 lacks the
/// screenings' (the queue then reads them in full). Returns how many were filled. Cheap when
/// there is nothing to do (two counts per kind).
pub(super) fn fill_missing_summaries(
    conn: &mut Connection,
    ident: &Identity,
    u: &mut Unlocked,
) -> Result<usize, VaultError> {
    let notes = fill_missing(
        conn,
        ident,
        u,
        "note",
        "note_summaries",
        "note_id",
        |c, i, u, e, cl| refresh_note_summary(c, i, u, NoteId(e.0), cl),
    )?;
    let screenings = fill_missing(
        conn,
        ident,
        u,
        "screening",
        "screening_summaries",
        "screening_id",
        |c, i, u, e, cl| refresh_screening_summary(c, i, u, ScreeningId(e.0), cl),
    )?;
    Ok(notes + screenings)
}

type Refresh =
    fn(&Connection, &Identity, &mut Unlocked, EntityId, ClientId) -> Result<(), VaultError>;

/// Fills `table` (keyed by `column`) for the entities of `kind` that have no row in it.
fn fill_missing(
    conn: &mut Connection,
    ident: &Identity,
    u: &mut Unlocked,
    kind: &'static str,
    table: &'static str,
    column: &'static str,
    refresh: Refresh,
) -> Result<usize, VaultError> {
    let (entities, summaries): (i64, i64) = conn.query_row(
        &format!(
            "SELECT (SELECT count(*) FROM entities WHERE kind = ?1), (SELECT count(*) FROM {table})"
        ),
        [kind],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if entities == summaries {
        return Ok(0);
    }
    let tx = conn.transaction()?;
    let missing: Vec<(Vec<u8>, Vec<u8>)> = tx
        .prepare(&format!(
            "SELECT e.entity_id, e.client_id FROM entities e
             WHERE e.kind = ?1 AND NOT EXISTS (SELECT 1 FROM {table} s WHERE s.{column} = e.entity_id)"
        ))?
        .query_map([kind], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (entity, client) in &missing {
        let (entity, client) = (EntityId(id16(entity)?), ClientId(id16(client)?));
        match refresh(&tx, ident, u, entity, client) {
            // A damaged record (or one whose key is damaged) stays without a summary; reading
            // it reports the damage, as for any damaged record.
            Err(VaultError::Integrity { .. } | VaultError::NotFound { .. }) => {}
            other => other?,
        }
    }
    tx.commit()?;
    Ok(missing.len())
}

impl Batch<'_> {
    /// Reviews a finalised note. Approving and returning are for supervisors and admins of a
    /// team; returning and commenting need a comment.
    ///
    /// Fails with [`VaultError::NotFound`], [`VaultError::NoteIsDraft`], or
    /// [`VaultError::InvalidInput`] (no comment, not a supervisor).
    pub fn review_note(
        &mut self,
        note: NoteId,
        draft: &ReviewDraft,
    ) -> Result<ReviewId, VaultError> {
        let supervises = self.reader().my_role()?.is_some_and(Role::manages_keys);
        if draft.action != ReviewAction::Comment && !supervises {
            return Err(VaultError::NotPermitted(
                "only a team's supervisor or admin can approve or return a note".into(),
            ));
        }
        if draft.action != ReviewAction::Approve && draft.comment.trim().is_empty() {
            return Err(VaultError::InvalidInput("write a comment".into()));
        }
        if !self.reader().has_field(note.into(), FINALISED_AT)? {
            self.reader()
                .expect(note.into(), RecordKind::Note, "note")?;
            return Err(VaultError::NoteIsDraft(note));
        }
        let mut fields = Map::new();
        fields.insert("action".into(), serde_json::json!(draft.action));
        fields.insert("comment".into(), serde_json::json!(draft.comment.trim()));
        fields.insert("reviewer".into(), serde_json::json!(self.ident.member));
        fields.insert("at".into(), serde_json::json!(Utc::now()));
        let id = self.append_to_parent(
            note.into(),
            RecordKind::Note,
            "note",
            RecordKind::Review,
            &fields,
        )?;
        Ok(ReviewId(id.0))
    }
}

impl Reader<'_> {
    pub(super) fn reviews(&mut self, note: NoteId) -> Result<Vec<Review>, VaultError> {
        let meta = self.expect(note.into(), RecordKind::Note, "note")?;
        let mut out = Vec::new();
        for r in self.children(meta.client, RecordKind::Review, Some(note.into()))? {
            let m = self.expect(r, RecordKind::Review, "review")?;
            let s: StoredReview = from_fields(self.fields(r, &m)?, "review")?;
            out.push(Review {
                id: ReviewId(r.0),
                note,
                action: s.action,
                comment: s.comment,
                reviewer: s.reviewer,
                at: s.at,
            });
        }
        Ok(out)
    }

    /// One field of an entity, decrypted (None when absent or null).
    pub(super) fn field<T: DeserializeOwned>(
        &mut self,
        id: EntityId,
        meta: &EntityMeta,
        field: &str,
    ) -> Result<Option<T>, VaultError> {
        let row: Option<(Vec<u8>, i64, Vec<u8>)> = self
            .conn
            .prepare_cached(
                "SELECT device_id, seq, value FROM entity_fields WHERE entity_id = ?1 AND field = ?2",
            )?
            .query_row(params![&id.0[..], field], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((device, seq, value)) = row else {
            return Ok(None);
        };
        self.open_field(id, meta.kind, meta.client, field, &device, seq, &value)
    }

    /// Decrypts one stored field value (a row of `entity_fields`) of an entity of `kind`
    /// under `client`'s key (None when it holds a JSON null).
    #[allow(clippy::too_many_arguments)]
    fn open_field<T: DeserializeOwned>(
        &mut self,
        id: EntityId,
        kind: RecordKind,
        client: ClientId,
        field: &str,
        device: &[u8],
        seq: i64,
        value: &[u8],
    ) -> Result<Option<T>, VaultError> {
        let seq = u64::try_from(seq).unwrap_or(0);
        let (conn, ident) = (self.conn, self.ident);
        let key = client_key(conn, ident, self.u, client)?;
        let aad = binding_aad(ident, &id16(device)?, seq, kind, &id, field);
        let name = || record_name(kind, &id, field, device, seq);
        let pt = key
            .open(&aad, value)
            .map_err(|_| VaultError::Integrity { record: name() })?;
        // A stored JSON null reads as absent.
        serde_json::from_slice::<Option<T>>(&pt)
            .map_err(|_| VaultError::Integrity { record: name() })
    }

    /// Opens the summaries of the notes `wanted` selects (by id, before decrypting anything)
    /// and hands each to `f` with its client. One pass over `note_summaries`, streamed.
    fn scan_note_summaries(
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

    /// Review state of every finalised note, with the time it started waiting.
    fn review_states(
        &mut self,
    ) -> Result<HashMap<NoteId, (ReviewState, DateTime<Utc>)>, VaultError> {
        // Finalised notes (the field's presence is what finalises, and only notes have it) and
        // their finalisation time, from a partial index (schema 6) rather than the table.
        let finalised: Vec<(Vec<u8>, i64)> = self
            .conn
            .prepare_cached(FINALISED_SQL)?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        // Reviews and addenda by note, in time order (timestamps are plaintext metadata).
        type ChildRow = (Vec<u8>, String, Vec<u8>, Vec<u8>, i64, Vec<u8>);
        let children: Vec<ChildRow> = self
            .conn
            .prepare_cached(
                "SELECT parent_id, kind, entity_id, client_id, created_hlc, created_device
                 FROM entities WHERE kind IN ('review', 'addendum') AND parent_id IS NOT NULL
                 ORDER BY created_hlc, created_device",
            )?
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        /// (is a review, entity, client, timestamp, device) of a note's reviews and addenda.
        type Child = (bool, EntityId, ClientId, i64, DeviceId);
        let mut by_note: HashMap<[u8; 16], Vec<Child>> = HashMap::new();
        for (parent, kind, id, client, hlc, device) in children {
            by_note.entry(id16(&parent)?).or_default().push((
                kind == "review",
                EntityId(id16(&id)?),
                ClientId(id16(&client)?),
                hlc,
                DeviceId(id16(&device)?),
            ));
        }
        let reviewers = self.reviewing_devices()?;
        let at = |hlc: i64| {
            let ms = i64::try_from(crate::hlc::Hlc::from_i64(hlc).millis()).unwrap_or(0);
            DateTime::from_timestamp_millis(ms).unwrap_or_default()
        };
        let actions = if by_note.values().flatten().any(|c| c.0) {
            self.stored_values("action")?
        } else {
            HashMap::new()
        };
        let mut out = HashMap::with_capacity(finalised.len());
        for (note, fin_hlc) in finalised {
            let note = NoteId(id16(&note)?);
            let mut steps = Vec::new();
            for (is_review, id, client, hlc, device) in
                by_note.get(&note.0).map(Vec::as_slice).unwrap_or(&[])
            {
                if !*is_review {
                    steps.push((ReviewStep::Addendum, at(*hlc)));
                } else {
                    let action = self.open_review_action(&actions, *id, *client)?;
                    if let Some(step) = review_step(action, &reviewers, *device) {
                        steps.push((step, at(*hlc)));
                    }
                }
            }
            out.insert(note, state_after(at(fin_hlc), steps));
        }
        Ok(out)
    }

    fn open_review_action(
        &mut self,
        actions: &HashMap<EntityId, Stored>,
        review: EntityId,
        client: ClientId,
    ) -> Result<Option<ReviewAction>, VaultError> {
        let Some((device, seq, value)) = actions.get(&review) else {
            return Ok(None);
        };
        self.open_field(
            review,
            RecordKind::Review,
            client,
            "action",
            device,
            *seq,
            value,
        )
    }

    /// Every stored value of `field` (one of the fields schema 6 indexes for supervision:
    /// `action`, `done_at`, `due`, `level`, `status`), by entity, from that index alone.
    fn stored_values(&self, field: &str) -> Result<HashMap<EntityId, Stored>, VaultError> {
        let mut st = self.conn.prepare_cached(STORED_VALUES_SQL)?;
        let mut rows = st.query([field])?;
        let mut out = HashMap::new();
        while let Some(row) = rows.next()? {
            out.insert(
                EntityId(id16(blob(row, 0)?)?),
                (blob(row, 1)?.to_vec(), row.get(2)?, blob(row, 3)?.to_vec()),
            );
        }
        Ok(out)
    }

    /// Finalised notes waiting for the supervisor, with the time each started waiting.
    fn waiting_notes(&mut self) -> Result<HashMap<NoteId, DateTime<Utc>>, VaultError> {
        Ok(self
            .review_states()?
            .into_iter()
            .filter(|(_, (state, _))| *state == ReviewState::Waiting)
            .map(|(note, (_, since))| (note, since))
            .collect())
    }

    pub(super) fn review_state(&mut self, note: NoteId) -> Result<ReviewState, VaultError> {
        let meta = self.expect(note.into(), RecordKind::Note, "note")?;
        self.note_review_state(note, &meta)
    }

    /// Whether one screening raised a red flag: from its sealed summary, else scored in full.
    fn screening_red_flag(
        &mut self,
        screening: ScreeningId,
        client: ClientId,
        sealed: Option<Vec<u8>>,
    ) -> Result<bool, VaultError> {
        let does_not_score = || VaultError::Integrity {
            record: format!("screening {screening}: stored answers do not score"),
        };
        Ok(match sealed {
            Some(sealed) => {
                let (conn, ident) = (self.conn, self.ident);
                let key = client_key(conn, ident, self.u, client)?;
                let damaged = || VaultError::Integrity {
                    record: format!("the summary of screening {screening}"),
                };
                let pt = key
                    .open(&screening_summary_context(screening), &sealed)
                    .map_err(|_| damaged())?;
                let summary: ScreeningSummary =
                    serde_json::from_slice(&pt).map_err(|_| damaged())?;
                summary.red_flag.ok_or_else(does_not_score)?
            }
            None => {
                let meta = EntityMeta {
                    kind: RecordKind::Screening,
                    client,
                    parent: None,
                };
                let answers: ScreeningAnswers =
                    from_fields(self.fields(screening.into(), &meta)?, "screening")?;
                let result =
                    screening::score(&answers, self.scoring).map_err(|_| does_not_score())?;
                !result.red_flags.is_empty()
            }
        })
    }

    /// Clients with a red flag in any of their screenings (e.g. SRQ-20 item 17), from the
    /// sealed per-screening summaries. A screening without one (damaged, or not yet filled
    /// after an upgrade) is read and scored in full, so a red flag is never missed.
    fn flagged_clients(&mut self) -> Result<HashSet<ClientId>, VaultError> {
        /// (screening, client, sealed summary if any).
        type Row = (Vec<u8>, Vec<u8>, Option<Vec<u8>>);
        let rows: Vec<Row> = self
            .conn
            .prepare_cached(
                "SELECT e.entity_id, e.client_id, s.sealed FROM entities e
                 LEFT JOIN screening_summaries s ON s.screening_id = e.entity_id
                 WHERE e.kind = 'screening'",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        let mut flagged = HashSet::new();
        for (screening, client, sealed) in rows {
            let screening = ScreeningId(id16(&screening)?);
            let client = ClientId(id16(&client)?);
            if flagged.contains(&client) {
                continue;
            }
            // A screening that cannot be read or scored counts as flagged: the supervisor looks
            // at it rather than miss a red flag (and opening it reports the damage).
            let red_flag = match self.screening_red_flag(screening, client, sealed) {
                Err(VaultError::Integrity { .. }) => true,
                other => other?,
            };
            if red_flag {
                flagged.insert(client);
            }
        }
        Ok(flagged)
    }

    pub(super) fn review_queue(
        &mut self,
        filter: &QueueFilter,
    ) -> Result<Vec<QueueItem>, VaultError> {
        let waiting = self.waiting_notes()?;
        let flagged = self.flagged_clients()?;
        let codes = self.client_codes();
        let mut items = Vec::with_capacity(waiting.len());
        // Only the waiting notes' summaries are opened.
        self.scan_note_summaries(
            |note| waiting.contains_key(note),
            |note, client, summary| {
                if let Some(since) = waiting.get(&note) {
                    items.extend(queue_item(
                        filter, note, client, &summary, *since, &flagged, &codes,
                    ));
                }
            },
        )?;
        sort_queue(&mut items);
        Ok(items)
    }

    fn client_codes(&self) -> HashMap<ClientId, String> {
        self.u
            .index
            .all()
            .into_iter()
            .map(|c| (c.id, c.code))
            .collect()
    }

    /// Each client with the member who registered it: this member for this device's clients,
    /// the roster's member for a team device's, None for a device the roster does not list.
    fn client_registrants(&self) -> Result<Vec<(ClientId, Option<MemberId>)>, VaultError> {
        let members: HashMap<DeviceId, MemberId> = self
            .team()?
            .0
            .map(|r| {
                r.devices
                    .iter()
                    .map(|d| {
                        (
                            DeviceId::from_server(d.device),
                            MemberId::from_server(d.member),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let rows: Vec<(Vec<u8>, Vec<u8>)> = self
            .conn
            .prepare_cached("SELECT client_id, created_device FROM entities WHERE kind = 'client'")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(client, device)| {
                let device = DeviceId(id16(&device)?);
                let member = if device == self.ident.device {
                    Some(self.ident.member)
                } else {
                    members.get(&device).copied()
                };
                Ok((ClientId(id16(&client)?), member))
            })
            .collect()
    }

    pub(super) fn dashboard(&mut self, today: NaiveDate) -> Result<Dashboard, VaultError> {
        let waiting_notes = self.waiting_notes()?;
        let flagged = self.flagged_clients()?;
        let codes = self.client_codes();
        let this_monday =
            today - ChronoDuration::days(i64::from(today.weekday().num_days_from_monday()));
        let first_monday = this_monday - ChronoDuration::weeks(11);
        let mut weeks: Vec<(u32, HashSet<ClientId>)> = vec![(0, HashSet::new()); 12];
        let mut caseload: HashMap<Option<MemberId>, HashSet<ClientId>> = HashMap::new();
        let mut waiting = Vec::with_capacity(waiting_notes.len());
        // One pass over every note's summary serves the caseloads, the weeks and the queue.
        let all = QueueFilter::default();
        self.scan_note_summaries(
            |_| true,
            |note, client, summary| {
                if let Some(since) = waiting_notes.get(&note) {
                    waiting.extend(queue_item(
                        &all, note, client, &summary, *since, &flagged, &codes,
                    ));
                }
                if let Some(day) = summary.day() {
                    if day >= first_monday && day < this_monday + ChronoDuration::weeks(1) {
                        let w = usize::try_from((day - first_monday).num_days() / 7).unwrap_or(0);
                        if let Some((sessions, clients)) = weeks.get_mut(w) {
                            *sessions += 1;
                            clients.insert(client);
                        }
                    }
                }
                caseload.entry(summary.author).or_default().insert(client);
            },
        )?;
        // A caseload is the clients she registered as well as those she wrote notes for (as
        // "Hanya klien saya" counts them): a client without a note yet is hers too.
        for (client, member) in self.client_registrants()? {
            caseload.entry(member).or_default().insert(client);
        }
        sort_queue(&mut waiting);
        let mut caseloads: Vec<Caseload> = caseload
            .into_iter()
            .map(|(member, clients)| {
                let mut clients: Vec<ClientId> = clients.into_iter().collect();
                clients.sort();
                Caseload { member, clients }
            })
            .collect();
        caseloads.sort_by(|a, b| {
            b.clients
                .len()
                .cmp(&a.clients.len())
                .then(a.member.cmp(&b.member))
        });
        let mut overdue = self.overdue_tasks(today)?;
        let mut referrals = self.open_referrals()?;
        let high_risk = self.high_risk_clients()?;
        let mut overdue_follow_ups = Vec::new();
        let mut open_referrals = Vec::new();
        let mut high_risk_clients = Vec::new();
        // In the client list's order, as the lists were built client by client before.
        for client in self.u.index.all().into_iter().map(|c| c.id) {
            for t in overdue.remove(&client).unwrap_or_default() {
                overdue_follow_ups.push((client, t));
            }
            for r in referrals.remove(&client).unwrap_or_default() {
                open_referrals.push((client, r));
            }
            if high_risk.contains(&client) {
                high_risk_clients.push(client);
            }
        }
        Ok(Dashboard {
            caseloads,
            sessions_per_week: weeks
                .into_iter()
                .enumerate()
                .map(|(i, (sessions, clients))| {
                    let mut clients: Vec<ClientId> = clients.into_iter().collect();
                    clients.sort();
                    WeekCount {
                        week_start: first_monday
                            + ChronoDuration::weeks(i64::try_from(i).unwrap_or(0)),
                        sessions,
                        clients,
                    }
                })
                .collect(),
            waiting,
            overdue_follow_ups,
            open_referrals,
            high_risk_clients,
        })
    }

    /// Open tasks due before `today`, by client, in creation order: the tasks from
    /// `entities`, their `due` and `done_at` from the supervision index, instead of reading
    /// each client's tasks.
    fn overdue_tasks(
        &mut self,
        today: NaiveDate,
    ) -> Result<HashMap<ClientId, Vec<TaskId>>, VaultError> {
        let tasks: Vec<(Vec<u8>, Vec<u8>)> = self
            .conn
            .prepare_cached(
                "SELECT entity_id, client_id FROM entities WHERE kind = 'task'
                 ORDER BY created_hlc, created_device",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        if tasks.is_empty() {
            return Ok(HashMap::new());
        }
        let due = self.stored_values("due")?;
        let done = self.stored_values("done_at")?;
        let mut out: HashMap<ClientId, Vec<TaskId>> = HashMap::new();
        for (task, client) in tasks {
            let id = EntityId(id16(&task)?);
            let client = ClientId(id16(&client)?);
            let Some((device, seq, value)) = due.get(&id) else {
                continue;
            };
            let due: Option<NaiveDate> =
                self.open_field(id, RecordKind::Task, client, "due", device, *seq, value)?;
            if due.is_none_or(|d| d >= today) {
                continue;
            }
            let done_at: Option<DateTime<Utc>> = match done.get(&id) {
                Some((device, seq, value)) => {
                    self.open_field(id, RecordKind::Task, client, "done_at", device, *seq, value)?
                }
                None => None,
            };
            if done_at.is_none() {
                out.entry(client).or_default().push(TaskId(id.0));
            }
        }
        Ok(out)
    }

    /// Referrals sent or accepted (their last status update, or none), by client, in creation
    /// order: two queries instead of reading each client's referrals and their updates.
    fn open_referrals(&mut self) -> Result<HashMap<ClientId, Vec<ReferralId>>, VaultError> {
        let referrals: Vec<(Vec<u8>, Vec<u8>)> = self
            .conn
            .prepare_cached(
                "SELECT entity_id, client_id FROM entities WHERE kind = 'referral'
                 ORDER BY created_hlc, created_device",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let last = self.last_children(RecordKind::ReferralStatus, "status")?;
        let mut out: HashMap<ClientId, Vec<ReferralId>> = HashMap::new();
        for (referral, client) in referrals {
            let referral = EntityId(id16(&referral)?);
            let client = ClientId(id16(&client)?);
            let status = match last.get(&(client, referral)) {
                Some(update) => self.open_child_field::<ReferralStatus>(
                    RecordKind::ReferralStatus,
                    client,
                    update,
                )?,
                None => ReferralStatus::default(),
            };
            if !status.is_closed() {
                out.entry(client).or_default().push(ReferralId(referral.0));
            }
        }
        Ok(out)
    }

    /// Clients with a case whose current risk (its last risk entry) is high or imminent.
    fn high_risk_clients(&mut self) -> Result<HashSet<ClientId>, VaultError> {
        let cases: Vec<(Vec<u8>, Vec<u8>)> = self
            .conn
            .prepare_cached("SELECT entity_id, client_id FROM entities WHERE kind = 'case'")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let last = self.last_children(RecordKind::Risk, "level")?;
        let mut out = HashSet::new();
        for (case, client) in cases {
            let case = EntityId(id16(&case)?);
            let client = ClientId(id16(&client)?);
            if out.contains(&client) {
                continue;
            }
            if let Some(entry) = last.get(&(client, case)) {
                let level = self.open_child_field::<RiskLevel>(RecordKind::Risk, client, entry)?;
                if matches!(level, RiskLevel::High | RiskLevel::Imminent) {
                    out.insert(client);
                }
            }
        }
        Ok(out)
    }

    /// The last child of `kind` of every parent (creation order, as [`Reader::children`]),
    /// keyed by (client, parent), with that child's stored `field` (None when it lacks it).
    fn last_children(
        &self,
        kind: RecordKind,
        field: &str,
    ) -> Result<HashMap<(ClientId, EntityId), LastChild>, VaultError> {
        let rows: Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> = self
            .conn
            .prepare_cached(
                "SELECT parent_id, client_id, entity_id FROM entities
                 WHERE kind = ?1 AND parent_id IS NOT NULL
                 ORDER BY created_hlc, created_device",
            )?
            .query_map([kind.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        if rows.is_empty() {
            return Ok(HashMap::new());
        }
        let mut values = self.stored_values(field)?;
        let mut last = HashMap::new();
        for (parent, client, id) in rows {
            last.insert(
                (ClientId(id16(&client)?), EntityId(id16(&parent)?)),
                EntityId(id16(&id)?),
            );
        }
        Ok(last
            .into_iter()
            .map(|(k, id)| {
                let child = LastChild {
                    id,
                    field: field.to_owned(),
                    stored: values.remove(&id),
                };
                (k, child)
            })
            .collect())
    }

    /// Decrypts a [`LastChild`]'s field; a missing or null one is damage (the record type
    /// requires it).
    fn open_child_field<T: DeserializeOwned>(
        &mut self,
        kind: RecordKind,
        client: ClientId,
        child: &LastChild,
    ) -> Result<T, VaultError> {
        let missing = || VaultError::Integrity {
            record: format!("{} {}: no `{}`", kind.as_str(), child.id, child.field),
        };
        let (device, seq, value) = child.stored.as_ref().ok_or_else(missing)?;
        self.open_field(child.id, kind, client, &child.field, device, *seq, value)?
            .ok_or_else(missing)
    }
}

/// A BLOB column, borrowed from the row (no copy).
fn blob<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> Result<&'r [u8], VaultError> {
    Ok(row.get_ref(i)?.as_blob().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Blob, Box::new(e))
    })?)
}

/// A stored field value: (device, seq, sealed value), as in `entity_fields`.
type Stored = (Vec<u8>, i64, Vec<u8>);

/// The last child of a parent and its stored field.
struct LastChild {
    id: EntityId,
    field: String,
    stored: Option<Stored>,
}

/// The queue's entry for a waiting note, unless `filter` leaves it out.
fn queue_item(
    filter: &QueueFilter,
    note: NoteId,
    client: ClientId,
    summary: &NoteSummary,
    waiting_since: DateTime<Utc>,
    flagged: &HashSet<ClientId>,
    codes: &HashMap<ClientId, String>,
) -> Option<QueueItem> {
    let author = summary.author;
    if filter.author.is_some() && author != filter.author {
        return None;
    }
    let occurred_at = summary.occurred_at;
    let day = summary.day();
    if filter.from.is_some_and(|f| day.is_none_or(|d| d < f))
        || filter.to.is_some_and(|t| day.is_none_or(|d| d > t))
    {
        return None;
    }
    let risk = summary.risk;
    let red_flag = flagged.contains(&client);
    if let Some(min) = filter.min_risk {
        if risk_rank(risk) < risk_rank(Some(min)) && !red_flag {
            return None;
        }
    }
    Some(QueueItem {
        note,
        client,
        client_code: codes.get(&client).cloned().unwrap_or_default(),
        author,
        occurred_at,
        risk,
        red_flag,
        waiting_since,
    })
}

/// Red flags and high risk first, then the longest waiting (ties by note id: a total order).
fn sort_queue(items: &mut [QueueItem]) {
    items.sort_by(|a, b| {
        let urgency = |i: &QueueItem| (u8::from(i.red_flag) * 5).max(risk_rank(i.risk));
        urgency(b)
            .cmp(&urgency(a))
            .then(a.waiting_since.cmp(&b.waiting_since))
            .then(a.note.cmp(&b.note))
    });
}

impl Vault {
    /// Reviews a finalised note (see [`Batch::review_note`]).
    ///
    /// Fails when locked, for an unknown or draft note, without a comment where one is needed,
    /// or when this member is not a supervisor or admin (approve, return).
    pub fn review_note(
        &mut self,
        note: NoteId,
        draft: &ReviewDraft,
    ) -> Result<ReviewId, VaultError> {
        self.batch(|b| b.review_note(note, draft))
    }

    /// A note's reviews, oldest first.
    ///
    /// Fails when locked, for an unknown note, or with [`VaultError::Integrity`].
    pub fn reviews(&mut self, note: NoteId) -> Result<Vec<Review>, VaultError> {
        self.reader()?.reviews(note)
    }

    /// Where a note stands in supervision.
    ///
    /// Fails when locked or for an unknown note.
    pub fn review_state(&mut self, note: NoteId) -> Result<ReviewState, VaultError> {
        self.reader()?.review_state(note)
    }

    /// Finalised notes waiting for review, most urgent first (red flags and high risk, then
    /// the longest waiting).
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn review_queue(&mut self, filter: &QueueFilter) -> Result<Vec<QueueItem>, VaultError> {
        self.reader()?.review_queue(filter)
    }

    /// The team dashboard as of `today`.
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn dashboard(&mut self, today: NaiveDate) -> Result<Dashboard, VaultError> {
        self.reader()?.dashboard(today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::KdfParams;
    use crate::domain::ClientProfile;
    use crate::domain::{
        CaseDetails, Consent, ConsentGiver, NoteDraft, Referral, ReferralUpdate, RiskEntry, Task,
    };
    use crate::screening::{answers_in_order, Instrument};
    use crate::store::LocalStore;

    const PASS: &str = "uji antrean panjang";

    fn vault(dir: &std::path::Path) -> Vault {
        let store = LocalStore::open(&dir.join("t.sqlite3")).expect("store");
        let mut v = Vault::create_with_params(store, PASS, KdfParams::insecure_fast_for_tests())
            .expect("vault");
        v.set_idle_timeout(None);
        v
    }

    fn client(v: &mut Vault, code: &str) -> ClientId {
        v.add_client(&ClientProfile {
            code: code.into(),
            name: format!("Klien {code}"),
            estimated_age: Some(30),
            ..ClientProfile::default()
        })
        .expect("client")
    }

    fn finalised_note(v: &mut Vault, c: ClientId) -> NoteId {
        let n = v
            .add_note(
                c,
                &NoteDraft {
                    narrative: "sesi".into(),
                    risk: Some(RiskLevel::Low),
                    ..NoteDraft::default()
                },
            )
            .expect("note");
        v.finalise_note(n).expect("finalise");
        n
    }

    fn phq9(self_harm: u8) -> ScreeningAnswers {
        let mut values = [1u8; 9];
        values[8] = self_harm;
        ScreeningAnswers {
            instrument: Instrument::Phq9,
            answers: answers_in_order(Instrument::Phq9, &values).expect("nine answers"),
            administered_at: Some(Utc::now()),
            administered_by: None,
            language: "id".into(),
        }
    }

    /// (note, red flag) of the queue, in its order.
    fn flags(v: &mut Vault) -> Vec<(NoteId, bool)> {
        v.review_queue(&QueueFilter::default())
            .expect("queue")
            .into_iter()
            .map(|i| (i.note, i.red_flag))
            .collect()
    }

    fn summaries(v: &Vault) -> i64 {
        v.store
            .connection()
            .query_row("SELECT count(*) FROM screening_summaries", [], |r| r.get(0))
            .expect("count")
    }

    #[test]
    fn a_red_flag_reaches_the_queue_after_a_rebuild_a_lost_summary_and_an_upgrade_from_schema_5() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut v = vault(tmp.path());
        let calm = client(&mut v, "S-1");
        let urgent = client(&mut v, "S-2");
        let calm_note = finalised_note(&mut v, calm);
        let urgent_note = finalised_note(&mut v, urgent);
        v.add_screening(calm, &phq9(0)).expect("screening");
        v.add_screening(urgent, &phq9(0)).expect("screening");
        v.add_screening(urgent, &phq9(2))
            .expect("screening with item 9");
        let want = vec![(urgent_note, true), (calm_note, false)];
        assert_eq!(flags(&mut v), want, "the red flag comes first");
        assert_eq!(summaries(&v), 3, "one sealed summary per screening");

        v.rebuild().expect("rebuild");
        assert_eq!(summaries(&v), 3, "a rebuild derives the summaries again");
        assert_eq!(flags(&mut v), want, "after a rebuild");
        v.check_consistency().expect("tables and log agree");

        // Summaries lost (or never written, as in a vault upgraded from schema 5): the queue
        // reads the screenings themselves rather than miss a red flag...
        v.store
            .connection()
            .execute("DELETE FROM screening_summaries", [])
            .expect("delete");
        assert_eq!(flags(&mut v), want, "without summaries");
        // ...and the next unlock seals the missing ones.
        v.lock();
        v.unlock(PASS).expect("unlock");
        assert_eq!(summaries(&v), 3, "filled at unlock");
        assert_eq!(flags(&mut v), want, "after the unlock filled them");

        // Note summaries missing (a vault upgraded from schema 4): the next unlock seals them,
        // and the queue sees every finalised note again.
        v.store
            .connection()
            .execute("DELETE FROM note_summaries", [])
            .expect("delete");
        assert!(
            flags(&mut v).is_empty(),
            "the queue reads notes through their summaries"
        );
        v.lock();
        v.unlock(PASS).expect("unlock");
        assert_eq!(
            flags(&mut v),
            want,
            "notes back in the queue after the unlock"
        );
        v.check_consistency().expect("tables and log agree");
    }

    #[test]
    fn the_bulk_reads_use_their_indexes() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let v = vault(tmp.path());
        let plan = |sql: &str| -> String {
            let conn = v.store.connection();
            let mut st = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .expect("explain");
            let n = st.parameter_count();
            let args: Vec<&dyn rusqlite::ToSql> = (0..n).map(|_| &"action" as _).collect();
            st.query_map(args.as_slice(), |r| r.get::<_, String>(3))
                .expect("plan")
                .collect::<Result<Vec<_>, _>>()
                .expect("rows")
                .join("; ")
        };
        let finalised = plan(FINALISED_SQL);
        assert!(finalised.contains("entity_fields_finalised"), "{finalised}");
        let stored = plan(STORED_VALUES_SQL);
        assert!(
            stored.contains("COVERING INDEX entity_fields_supervision"),
            "{stored}"
        );
    }

    #[test]
    fn a_session_counts_on_its_local_day() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut v = vault(tmp.path());
        let c = client(&mut v, "Z-1");
        // 01.30 WIB on 25 November is still 24 November in UTC.
        let at = DateTime::parse_from_rfc3339("2026-11-24T18:30:00Z")
            .expect("time")
            .with_timezone(&Utc);
        let n = v
            .add_note(
                c,
                &NoteDraft {
                    occurred_at: Some(at),
                    zone: "Asia/Jakarta".into(),
                    narrative: "sesi malam".into(),
                    ..NoteDraft::default()
                },
            )
            .expect("note");
        v.finalise_note(n).expect("finalise");
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d);
        let on = |v: &mut Vault, from, to| {
            v.review_queue(&QueueFilter {
                from,
                to,
                ..QueueFilter::default()
            })
            .expect("queue")
            .len()
        };
        assert_eq!(
            on(&mut v, day(25), day(25)),
            1,
            "found on 25/11, as it is shown"
        );
        assert_eq!(on(&mut v, None, day(24)), 0, "not on 24/11");
        // The dashboard's week (Monday 23 November) counts it on the 25th as well.
        let dash = v.dashboard(day(25).expect("day")).expect("dashboard");
        assert_eq!(dash.sessions_per_week.last().map(|w| w.sessions), Some(1));
    }

    #[test]
    fn a_caseload_counts_the_clients_she_registered_not_only_those_with_notes() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut v = vault(tmp.path());
        let seen = client(&mut v, "C-1");
        let new = client(&mut v, "C-2");
        finalised_note(&mut v, seen);
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
        let dash = v.dashboard(today).expect("dashboard");
        let mut both = vec![seen, new];
        both.sort();
        assert_eq!(
            dash.caseloads,
            vec![Caseload {
                member: Some(v.member_id()),
                clients: both
            }],
            "a counselor with two clients has a caseload of two, though one has no note yet"
        );
    }

    #[test]
    fn a_damaged_screening_flags_its_client_instead_of_failing_the_queue() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut v = vault(tmp.path());
        let calm = client(&mut v, "S-9");
        let note = finalised_note(&mut v, calm);
        v.add_screening(calm, &phq9(0)).expect("screening");
        assert_eq!(flags(&mut v), vec![(note, false)]);
        v.store
            .connection()
            .execute("UPDATE screening_summaries SET sealed = x'00'", [])
            .expect("damage");
        assert_eq!(
            flags(&mut v),
            vec![(note, true)],
            "the supervisor is sent to look rather than shown nothing"
        );
    }

    #[test]
    fn the_dashboard_lists_agree_with_reading_every_client_in_full() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut v = vault(tmp.path());
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
        let day = |offset: i64| Some(today + ChronoDuration::days(offset));
        let mut clients = Vec::new();
        for i in 0..6 {
            let c = client(&mut v, &format!("D-{i}"));
            clients.push(c);
            v.record_consent(
                c,
                &Consent {
                    given_by: ConsentGiver::SelfGiven,
                    purposes: vec!["referral".into()],
                    ..Consent::default()
                },
            )
            .expect("consent");
        }
        // Tasks: past due and open, past due but done later, due today, not yet due, no date.
        for (i, (due, done)) in [
            (day(-3), false),
            (day(-5), true),
            (day(0), false),
            (day(2), false),
            (None, false),
            (day(-1), false),
        ]
        .into_iter()
        .enumerate()
        {
            let c = clients[i % 4];
            let task = Task {
                title: format!("tugas {i}"),
                due,
                ..Task::default()
            };
            let t = v.add_task(c, &task).expect("task");
            if done {
                let done = Task {
                    done_at: Some(Utc::now()),
                    ..task
                };
                v.update_task(t, &done).expect("done");
            }
        }
        // Referrals: just sent, accepted, completed, declined.
        let statuses: [&[ReferralStatus]; 4] = [
            &[],
            &[ReferralStatus::Accepted],
            &[ReferralStatus::Accepted, ReferralStatus::Completed],
            &[ReferralStatus::Declined],
        ];
        for (i, updates) in statuses.into_iter().enumerate() {
            let c = clients[(i + 1) % 6];
            let r = v
                .add_referral(
                    c,
                    &Referral {
                        partner_id: format!("p-{i}"),
                        partner_name: "Mitra".into(),
                        reason: "rujukan".into(),
                        ..Referral::default()
                    },
                )
                .expect("referral");
            for status in updates {
                v.update_referral(
                    c,
                    r,
                    &ReferralUpdate {
                        status: *status,
                        ..ReferralUpdate::default()
                    },
                )
                .expect("status");
            }
        }
        // Cases: high then low (no longer high), low then imminent, no risk entry, and a
        // client with a calm case beside a high one.
        let risks: [(usize, &[RiskLevel]); 5] = [
            (0, &[RiskLevel::High, RiskLevel::Low]),
            (1, &[RiskLevel::Low, RiskLevel::Imminent]),
            (2, &[]),
            (3, &[RiskLevel::Low]),
            (3, &[RiskLevel::Medium, RiskLevel::High]),
        ];
        for (i, levels) in risks {
            let case = v
                .open_case(clients[i], &CaseDetails::default())
                .expect("case");
            for level in levels {
                v.record_risk(
                    case,
                    &RiskEntry {
                        level: *level,
                        reason: "asesmen".into(),
                        ..RiskEntry::default()
                    },
                )
                .expect("risk");
            }
        }

        let dash = v.dashboard(today).expect("dashboard");
        let (mut overdue, mut open, mut high) = (Vec::new(), Vec::new(), Vec::new());
        for c in v.list_clients().expect("clients") {
            let full = v.export_client(c.id).expect("export");
            for t in full.tasks {
                if t.task.done_at.is_none() && t.task.due.is_some_and(|d| d < today) {
                    overdue.push((c.id, t.id));
                }
            }
            for r in full.referrals {
                if !r.status.is_closed() {
                    open.push((c.id, r.id));
                }
            }
            if full
                .cases
                .iter()
                .any(|k| matches!(k.current_risk, Some(RiskLevel::High | RiskLevel::Imminent)))
            {
                high.push(c.id);
            }
        }
        assert_eq!(dash.overdue_follow_ups, overdue, "overdue follow-ups");
        assert_eq!(overdue.len(), 2, "two open tasks are past due");
        assert_eq!(dash.open_referrals, open, "open referrals");
        assert_eq!(open.len(), 2, "sent and accepted are open");
        assert_eq!(dash.high_risk_clients, high, "high-risk clients");
        assert_eq!(
            high,
            vec![clients[1], clients[3]],
            "the last entry is the risk"
        );
    }
}
