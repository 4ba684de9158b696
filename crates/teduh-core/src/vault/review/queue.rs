//! The review queue: which finalised notes wait for a supervisor and how urgent each is (red
//! flags and high risk first, then the longest waiting), from the sealed summaries and the
//! supervision index (schema 6) rather than from whole records.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::state::{review_step, state_after, ReviewAction, ReviewState, ReviewStep};
use super::summaries::{screening_summary_context, NoteSummary, ScreeningSummary};
use crate::domain::{purpose, RiskLevel};
use crate::ids::{ClientId, DeviceId, EntityId, MemberId, NoteId, ScreeningId};
use crate::records::RecordKind;
use crate::screening::{self, ScreeningAnswers};
use crate::vault::error::VaultError;
use crate::vault::read::{blob, EntityMeta, Reader};
use crate::vault::sealed::{client_key, from_fields, id16};
use chrono::NaiveDate;

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

/// Finalised notes and when: served by the partial index `entity_fields_finalised` (schema 6).
pub(super) const FINALISED_SQL: &str =
    "SELECT entity_id, hlc FROM entity_fields WHERE field = 'finalised_at'";

/// One of the fields the dashboard reads across all clients, as stored: served by the covering
/// partial index `entity_fields_supervision` (schemas 6 and 23), whose WHERE this repeats word
/// for word so SQLite can use it (a test checks the plan).
pub(super) const STORED_VALUES_SQL: &str =
    "SELECT entity_id, device_id, seq, value FROM entity_fields
     WHERE (field = 'action' OR field = 'done_at' OR field = 'due' OR field = 'level'
       OR field = 'status') AND field = ?1";

fn risk_rank(r: Option<RiskLevel>) -> u8 {
    match r {
        Some(RiskLevel::Imminent) => 4,
        Some(RiskLevel::High) => 3,
        Some(RiskLevel::Medium) => 2,
        Some(RiskLevel::Low) => 1,
        None => 0,
    }
}

/// A stored field value: (device, seq, sealed value), as in `entity_fields`.
pub(super) type Stored = (Vec<u8>, i64, Vec<u8>);

impl Reader<'_> {
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
    pub(super) fn stored_values(
        &self,
        field: &str,
    ) -> Result<HashMap<EntityId, Stored>, VaultError> {
        self.stored_by(STORED_VALUES_SQL, field)
    }

    /// The rows `(entity_id, device_id, seq, value)` that `sql` selects for `field`, by entity.
    pub(super) fn stored_by(
        &self,
        sql: &str,
        field: &str,
    ) -> Result<HashMap<EntityId, Stored>, VaultError> {
        let mut st = self.conn.prepare_cached(sql)?;
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
    pub(super) fn waiting_notes(&mut self) -> Result<HashMap<NoteId, DateTime<Utc>>, VaultError> {
        Ok(self
            .review_states()?
            .into_iter()
            .filter(|(_, (state, _))| *state == ReviewState::Waiting)
            .map(|(note, (_, since))| (note, since))
            .collect())
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

    /// Clients with a red flag: an open risk episode (issue 22: what a red flag means on Home,
    /// in the queue and on the profile alike); a red-flagged screening no episode followed (one
    /// an older app wrote, or a modified one without its episode); or a screening that cannot
    /// be read or scored (the supervisor looks at it rather than miss one; opening it reports
    /// the damage). Screenings are checked through their sealed summaries, read in full when
    /// one is missing.
    pub(super) fn flagged_clients(&mut self) -> Result<HashSet<ClientId>, VaultError> {
        let mut flagged: HashSet<ClientId> = self
            .all_episodes()?
            .into_iter()
            .filter(crate::episode::Episode::is_open)
            .filter_map(|e| match e.subject {
                crate::episode::Subject::Client(c) => Some(c),
                crate::episode::Subject::Contact(_) => None,
            })
            .collect();
        // The newest episode of each client, open or closed, by when it was written.
        let newest_episode: HashMap<Vec<u8>, i64> = self
            .conn
            .prepare_cached(
                "SELECT client_id, MAX(created_hlc) FROM entities WHERE kind = 'episode'
                 GROUP BY client_id",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        /// (screening, client, written at, sealed summary if any).
        type Row = (Vec<u8>, Vec<u8>, i64, Option<Vec<u8>>);
        let rows: Vec<Row> = self
            .conn
            .prepare_cached(
                "SELECT e.entity_id, e.client_id, e.created_hlc, s.sealed FROM entities e
                 LEFT JOIN screening_summaries s ON s.screening_id = e.entity_id
                 WHERE e.kind = 'screening'",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<Result<_, _>>()?;
        for (screening, client_bytes, written, sealed) in rows {
            let screening = ScreeningId(id16(&screening)?);
            let client = ClientId(id16(&client_bytes)?);
            if flagged.contains(&client) {
                continue;
            }
            let followed = newest_episode
                .get(&client_bytes)
                .is_some_and(|episode| *episode >= written);
            let red_flag = match self.screening_red_flag(screening, client, sealed) {
                Err(VaultError::Integrity { .. }) => true,
                other => other? && !followed,
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
        now: DateTime<Utc>,
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
        // She withdrew her consent to supervision review, or restricted her data: her notes
        // are not reviewed (`limits.rs`).
        let paused = self.paused_for(purpose::SUPERVISION, now)?;
        items.retain(|i| !paused.contains(&i.client));
        sort_queue(&mut items);
        Ok(items)
    }

    pub(super) fn client_codes(&self) -> HashMap<ClientId, String> {
        self.u
            .index
            .all()
            .into_iter()
            .map(|c| (c.id, c.code))
            .collect()
    }
}

/// The queue's entry for a waiting note, unless `filter` leaves it out.
pub(super) fn queue_item(
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

/// In the one urgency order ([`crate::urgent`]): red flags, then high risk, then the longest
/// waiting (ties by note id: a total order).
pub(super) fn sort_queue(items: &mut [QueueItem]) {
    items.sort_by_key(|i| {
        (
            crate::urgent::key(crate::urgent::of_item(i.red_flag, i.risk), i.waiting_since),
            i.note,
        )
    });
}
