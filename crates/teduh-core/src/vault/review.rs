//! Supervision: reviews of finalised notes (approve, return with a comment, comment), the
//! review queue ordered by urgency, and the team dashboard, all from local data (offline).
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

use super::read::EntityMeta;
use super::*;
use crate::domain::{ReferralStatus, RiskLevel};
use crate::ids::ReviewId;

/// What a review does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ReviewAction {
    /// The note is accepted.
    Approve,
    /// The note goes back to its author with a comment; she answers with an addendum.
    Return,
    /// A remark that does not change the note's state.
    Comment,
}

/// A review as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ReviewDraft {
    /// Approve, return or comment.
    pub action: ReviewAction,
    /// The comment (required to return a note or to comment).
    pub comment: String,
}

/// A review as stored, with who wrote it and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Review {
    /// The review's id.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub id: ReviewId,
    /// The reviewed note.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub note: NoteId,
    /// What was done.
    pub action: ReviewAction,
    /// The comment.
    pub comment: String,
    /// Who reviewed.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub reviewer: Option<MemberId>,
    /// When.
    pub at: DateTime<Utc>,
}

#[derive(Deserialize)]
struct StoredReview {
    action: ReviewAction,
    #[serde(default)]
    comment: String,
    reviewer: Option<MemberId>,
    at: DateTime<Utc>,
}

/// Where a note stands in supervision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Still a draft: not reviewable.
    Draft,
    /// Finalised (or answered after a return) and waiting for the supervisor.
    Waiting,
    /// Returned with a comment; waiting for the counselor's addendum.
    Returned,
    /// Approved.
    Approved,
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
    };
    let json = Zeroizing::new(
        serde_json::to_vec(&summary).map_err(|e| VaultError::InvalidInput(e.to_string()))?,
    );
    let key = client_key(conn, ident, r.u, client)?;
    let sealed = key.seal(&summary_context(note), &json);
    conn.prepare_cached(
        "INSERT INTO note_summaries (note_id, client_id, sealed) VALUES (?1, ?2, ?3)
         ON CONFLICT (note_id) DO UPDATE SET sealed = excluded.sealed",
    )?
    .execute(params![&note.0[..], &client.0[..], sealed])?;
    Ok(())
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
        let role: Option<String> = self
            .tx
            .query_row("SELECT role FROM sync_binding WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?;
        let supervises = role
            .as_deref()
            .and_then(Role::parse)
            .is_some_and(Role::manages_keys);
        if draft.action != ReviewAction::Comment && !supervises {
            return Err(VaultError::InvalidInput(
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
        let seq = u64::try_from(seq).unwrap_or(0);
        let (conn, ident) = (self.conn, self.ident);
        let key = client_key(conn, ident, self.u, meta.client)?;
        let aad = binding_aad(ident, &id16(&device)?, seq, meta.kind, &id, field);
        let name = || record_name(meta.kind, &id, field, &device, seq);
        let pt = key
            .open(&aad, &value)
            .map_err(|_| VaultError::Integrity { record: name() })?;
        // A stored JSON null reads as absent.
        serde_json::from_slice::<Option<T>>(&pt)
            .map_err(|_| VaultError::Integrity { record: name() })
    }

    /// Every note's summary: note -> (client, summary).
    fn note_summaries(&mut self) -> Result<HashMap<NoteId, (ClientId, NoteSummary)>, VaultError> {
        let rows: Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> = self
            .conn
            .prepare("SELECT note_id, client_id, sealed FROM note_summaries")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        let mut out = HashMap::with_capacity(rows.len());
        for (note, client, sealed) in rows {
            let note = NoteId(id16(&note)?);
            let client = ClientId(id16(&client)?);
            let (conn, ident) = (self.conn, self.ident);
            let key = client_key(conn, ident, self.u, client)?;
            let damaged = || VaultError::Integrity {
                record: format!("the summary of note {note}"),
            };
            let pt = key
                .open(&summary_context(note), &sealed)
                .map_err(|_| damaged())?;
            let summary: NoteSummary = serde_json::from_slice(&pt).map_err(|_| damaged())?;
            out.insert(note, (client, summary));
        }
        Ok(out)
    }

    /// Review state of every finalised note, with the time it started waiting.
    fn review_states(
        &mut self,
    ) -> Result<HashMap<NoteId, (ReviewState, DateTime<Utc>)>, VaultError> {
        // Finalised notes (the field's presence is what finalises) and their finalisation time.
        let finalised: Vec<(Vec<u8>, Vec<u8>, i64)> = self
            .conn
            .prepare(
                "SELECT e.entity_id, e.client_id, f.hlc FROM entities e
                 JOIN entity_fields f ON f.entity_id = e.entity_id AND f.field = 'finalised_at'
                 WHERE e.kind = 'note'",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        // Reviews and addenda by note, in time order (timestamps are plaintext metadata).
        type ChildRow = (Vec<u8>, String, Vec<u8>, Vec<u8>, i64);
        let children: Vec<ChildRow> = self
            .conn
            .prepare(
                "SELECT parent_id, kind, entity_id, client_id, created_hlc FROM entities
                 WHERE kind IN ('review', 'addendum') AND parent_id IS NOT NULL
                 ORDER BY created_hlc",
            )?
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<Result<_, _>>()?;
        /// (is a review, entity, client, timestamp) of a note's reviews and addenda.
        type Child = (bool, EntityId, ClientId, i64);
        let mut by_note: HashMap<[u8; 16], Vec<Child>> = HashMap::new();
        for (parent, kind, id, client, hlc) in children {
            by_note.entry(id16(&parent)?).or_default().push((
                kind == "review",
                EntityId(id16(&id)?),
                ClientId(id16(&client)?),
                hlc,
            ));
        }
        let at = |hlc: i64| {
            let ms = i64::try_from(crate::hlc::Hlc::from_i64(hlc).millis()).unwrap_or(0);
            DateTime::from_timestamp_millis(ms).unwrap_or_default()
        };
        let mut out = HashMap::with_capacity(finalised.len());
        for (note, client, fin_hlc) in finalised {
            let note = NoteId(id16(&note)?);
            let client = ClientId(id16(&client)?);
            let mut state = (ReviewState::Waiting, at(fin_hlc));
            for (is_review, id, _, hlc) in by_note.get(&note.0).map(Vec::as_slice).unwrap_or(&[]) {
                if *is_review {
                    let meta = EntityMeta {
                        kind: RecordKind::Review,
                        client,
                        parent: Some(note.into()),
                    };
                    match self.field::<ReviewAction>(*id, &meta, "action")? {
                        Some(ReviewAction::Approve) => state = (ReviewState::Approved, at(*hlc)),
                        Some(ReviewAction::Return) => state = (ReviewState::Returned, at(*hlc)),
                        _ => {}
                    }
                } else if state.0 == ReviewState::Returned {
                    // The counselor answered the return: back in the queue.
                    state = (ReviewState::Waiting, at(*hlc));
                }
            }
            out.insert(note, state);
        }
        Ok(out)
    }

    pub(super) fn review_state(&mut self, note: NoteId) -> Result<ReviewState, VaultError> {
        self.expect(note.into(), RecordKind::Note, "note")?;
        Ok(self
            .review_states()?
            .get(&note)
            .map_or(ReviewState::Draft, |s| s.0))
    }

    /// Whether any screening of the client raised a red flag (cached per call).
    fn client_red_flag(
        &mut self,
        client: ClientId,
        cache: &mut HashMap<ClientId, bool>,
    ) -> Result<bool, VaultError> {
        if let Some(f) = cache.get(&client) {
            return Ok(*f);
        }
        let flagged = self
            .screenings(client)?
            .iter()
            .any(|s| !s.result.red_flags.is_empty());
        cache.insert(client, flagged);
        Ok(flagged)
    }

    pub(super) fn review_queue(
        &mut self,
        filter: &QueueFilter,
    ) -> Result<Vec<QueueItem>, VaultError> {
        let states = self.review_states()?;
        let mut summaries = self.note_summaries()?;
        let codes: HashMap<ClientId, String> = self
            .u
            .index
            .all()
            .into_iter()
            .map(|c| (c.id, c.code))
            .collect();
        let mut flags = HashMap::new();
        let mut items = Vec::new();
        for (note, (state, since)) in states {
            if state != ReviewState::Waiting {
                continue;
            }
            let Some((client, summary)) = summaries.remove(&note) else {
                continue;
            };
            let author = summary.author;
            if filter.author.is_some() && author != filter.author {
                continue;
            }
            let occurred_at = summary.occurred_at;
            let day = occurred_at.map(|t| t.date_naive());
            if filter.from.is_some_and(|f| day.is_none_or(|d| d < f))
                || filter.to.is_some_and(|t| day.is_none_or(|d| d > t))
            {
                continue;
            }
            let risk = summary.risk;
            let red_flag = self.client_red_flag(client, &mut flags)?;
            if let Some(min) = filter.min_risk {
                if risk_rank(risk) < risk_rank(Some(min)) && !red_flag {
                    continue;
                }
            }
            let client_code = codes.get(&client).cloned().unwrap_or_default();
            items.push(QueueItem {
                note,
                client,
                client_code,
                author,
                occurred_at,
                risk,
                red_flag,
                waiting_since: since,
            });
        }
        // Red flags and high risk first, then the longest waiting.
        items.sort_by(|a, b| {
            let urgency = |i: &QueueItem| (u8::from(i.red_flag) * 5).max(risk_rank(i.risk));
            urgency(b)
                .cmp(&urgency(a))
                .then(a.waiting_since.cmp(&b.waiting_since))
                .then(a.note.cmp(&b.note))
        });
        Ok(items)
    }

    pub(super) fn dashboard(&mut self, today: NaiveDate) -> Result<Dashboard, VaultError> {
        let waiting = self.review_queue(&QueueFilter::default())?;
        let this_monday =
            today - ChronoDuration::days(i64::from(today.weekday().num_days_from_monday()));
        let first_monday = this_monday - ChronoDuration::weeks(11);
        let mut weeks = vec![0u32; 12];
        let mut caseload: HashMap<Option<MemberId>, HashSet<ClientId>> = HashMap::new();
        for (client, summary) in self.note_summaries()?.into_values() {
            caseload.entry(summary.author).or_default().insert(client);
            if let Some(day) = summary.occurred_at.map(|t| t.date_naive()) {
                if day >= first_monday && day < this_monday + ChronoDuration::weeks(1) {
                    let w = usize::try_from((day - first_monday).num_days() / 7).unwrap_or(0);
                    if let Some(slot) = weeks.get_mut(w) {
                        *slot += 1;
                    }
                }
            }
        }
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
        let clients: Vec<ClientId> = self.u.index.all().into_iter().map(|c| c.id).collect();
        let mut overdue_follow_ups = Vec::new();
        let mut open_referrals = Vec::new();
        let mut high_risk_clients = Vec::new();
        for client in clients {
            for t in self.tasks(client)? {
                if t.task.done_at.is_none() && t.task.due.is_some_and(|d| d < today) {
                    overdue_follow_ups.push((client, t.id));
                }
            }
            for r in self.referrals(client)? {
                if matches!(r.status, ReferralStatus::Sent | ReferralStatus::Accepted) {
                    open_referrals.push((client, r.id));
                }
            }
            let cases = self.children(client, RecordKind::Case, None)?;
            let mut high = false;
            for c in cases {
                let case = self.case(CaseId(c.0))?;
                high |= matches!(
                    case.current_risk,
                    Some(RiskLevel::High | RiskLevel::Imminent)
                );
            }
            if high {
                high_risk_clients.push(client);
            }
        }
        Ok(Dashboard {
            caseloads,
            sessions_per_week: weeks
                .into_iter()
                .enumerate()
                .map(|(i, sessions)| WeekCount {
                    week_start: first_monday + ChronoDuration::weeks(i64::try_from(i).unwrap_or(0)),
                    sessions,
                })
                .collect(),
            waiting,
            overdue_follow_ups,
            open_referrals,
            high_risk_clients,
        })
    }
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
