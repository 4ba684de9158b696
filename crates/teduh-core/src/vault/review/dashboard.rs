//! The team dashboard: caseloads, sessions per week, the waiting notes, overdue follow-ups,
//! open referrals and high-risk clients, each figure with the list behind it, read in bulk
//! from the sealed summaries and the supervision index.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration as ChronoDuration, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::queue::{queue_item, sort_queue, QueueFilter, QueueItem, Stored};
use crate::domain::{CaseStage, ReferralStatus, RiskLevel};
use crate::ids::{ClientId, DeviceId, EntityId, MemberId, ReferralId, TaskId};
use crate::records::RecordKind;
use crate::vault::error::VaultError;
use crate::vault::read::{EntityMeta, Reader};
use crate::vault::sealed::id16;

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

impl Reader<'_> {
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

    /// Clients with an open case whose current risk (its last risk entry) is high or imminent
    /// (a closed case's last risk is its history, not a client at risk now).
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
                if matches!(level, RiskLevel::High | RiskLevel::Imminent)
                    && !self.is_closed(case, client)?
                {
                    out.insert(client);
                }
            }
        }
        Ok(out)
    }

    /// Whether a case is closed (its stage is closure or referral).
    fn is_closed(&mut self, case: EntityId, client: ClientId) -> Result<bool, VaultError> {
        let meta = EntityMeta {
            kind: RecordKind::Case,
            client,
            parent: None,
        };
        let stage: Option<CaseStage> = self.field(case, &meta, "stage")?;
        Ok(stage == Some(CaseStage::ClosureOrReferral))
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

/// The last child of a parent and its stored field.
struct LastChild {
    id: EntityId,
    field: String,
    stored: Option<Stored>,
}
