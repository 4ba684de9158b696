//! What the client list filters on (risk level, case stage, child, her caseload), computed from decrypted
//! data while unlocked and cached until the next change.

use super::read::EntityMeta;
use super::read::Reader;
use super::{Vault, VaultError};
use crate::domain::ClientProfile;
use crate::domain::{CaseStage, RiskLevel};
use crate::ids::ClientId;
use crate::records::RecordKind;
use chrono::Utc;
use serde::Serialize;
use std::collections::HashMap;

/// A client's filterable facts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ClientFacets {
    /// Under 18 today (from the birth date or the estimated age).
    pub child: bool,
    /// The highest current risk among the client's cases.
    pub risk: Option<RiskLevel>,
    /// The stage of the client's most recently opened case.
    pub stage: Option<CaseStage>,
    /// In this member's caseload (she registered the client or wrote a note for her).
    pub mine: bool,
}

impl Reader<'_> {
    fn facets_of(
        &mut self,
        client: ClientId,
        today: chrono::NaiveDate,
    ) -> Result<ClientFacets, VaultError> {
        let meta = EntityMeta {
            kind: RecordKind::Client,
            client,
            parent: None,
        };
        let estimated_age = self.field(client.into(), &meta, "estimated_age")?;
        let stored_day = self.field(client.into(), &meta, "estimated_age_on")?;
        let profile = ClientProfile {
            birth_date: self.field(client.into(), &meta, "birth_date")?,
            estimated_age,
            estimated_age_on: self.estimate_day(client, estimated_age, stored_day)?,
            ..ClientProfile::default()
        };
        let mut facets = ClientFacets {
            child: profile.is_child(today) == Some(true),
            ..ClientFacets::default()
        };
        for case in self.children(client, RecordKind::Case, None)? {
            let case_meta = EntityMeta {
                kind: RecordKind::Case,
                client,
                parent: None,
            };
            facets.stage = self.field(case, &case_meta, "stage")?.or(facets.stage);
            if let Some(last) = self.children(client, RecordKind::Risk, Some(case))?.last() {
                let risk_meta = EntityMeta {
                    kind: RecordKind::Risk,
                    client,
                    parent: Some(case),
                };
                let level: Option<RiskLevel> = self.field(*last, &risk_meta, "level")?;
                facets.risk = facets.risk.max(level);
            }
        }
        Ok(facets)
    }
}

impl Vault {
    /// Every client's filterable facts (risk, stage, child). Computed on first use after
    /// unlock or a change, then served from memory.
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn client_facets(&mut self) -> Result<HashMap<ClientId, ClientFacets>, VaultError> {
        if let Some(f) = self.unlocked.as_ref().and_then(|u| u.facets.as_ref()) {
            if self.is_unlocked() {
                return Ok(f.clone());
            }
        }
        let today = self.today(Utc::now())?;
        let mut r = self.reader()?;
        let mine = r.my_clients()?;
        let clients: Vec<ClientId> = r.u.index.all().into_iter().map(|c| c.id).collect();
        let mut out = HashMap::with_capacity(clients.len());
        for c in clients {
            let facets = ClientFacets {
                mine: mine.contains(&c),
                ..r.facets_of(c, today)?
            };
            out.insert(c, facets);
        }
        if let Some(u) = self.unlocked.as_mut() {
            u.facets = Some(out.clone());
        }
        Ok(out)
    }
}
