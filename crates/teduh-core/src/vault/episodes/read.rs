//! Reading episodes and the on-call rota from their decrypted fields.

use rusqlite::OptionalExtension;

use super::stored::StoredEpisode;
use crate::episode::{Episode, EpisodeWork, OnCallRota};
use crate::ids::{ClientId, EntityId, EpisodeId, MemberId};
use crate::records::RecordKind;
use crate::vault::error::VaultError;
use crate::vault::read::Reader;
use crate::vault::sealed::{from_fields, id16, AUTHOR};

impl Reader<'_> {
    /// An episode.
    pub(in crate::vault) fn episode(&mut self, id: EpisodeId) -> Result<Episode, VaultError> {
        let meta = self.expect(id.into(), RecordKind::Episode, "episode")?;
        let mut fields = self.fields(id.into(), &meta)?;
        let opened_by = fields
            .remove(AUTHOR)
            .and_then(|v| serde_json::from_value::<MemberId>(v).ok());
        let s: StoredEpisode = from_fields(fields, "episode")?;
        let (Some(subject), Some(trigger), Some(opened_at)) = (s.subject, s.trigger, s.opened_at)
        else {
            return Err(VaultError::Integrity {
                record: format!("episode {id}: no subject, trigger or opening"),
            });
        };
        Ok(Episode {
            id,
            subject,
            opened_by,
            opened_at,
            trigger,
            work: EpisodeWork {
                assessment: s.assessment,
                safety_plan: s.safety_plan,
                actions: s.actions,
            },
            acknowledged: s.acknowledged,
            closed: s.closed,
            close_reason: s.close_reason,
        })
    }

    /// The episodes of a client or contact (by the key they are sealed under), oldest first.
    pub(in crate::vault) fn episodes_under(
        &mut self,
        key: ClientId,
    ) -> Result<Vec<Episode>, VaultError> {
        let ids = self.children(key, RecordKind::Episode, None)?;
        self.readable_episodes(ids.into_iter().map(|e| EpisodeId(e.0)))
    }

    /// The episodes that read; one that does not (damaged) is left out of lists and named in
    /// the vault's damaged records, so it never hides the others or stops a sync.
    fn readable_episodes(
        &mut self,
        ids: impl Iterator<Item = EpisodeId>,
    ) -> Result<Vec<Episode>, VaultError> {
        let mut out = Vec::new();
        for id in ids {
            match self.episode(id) {
                Ok(e) => out.push(e),
                Err(VaultError::Integrity { record }) => {
                    if !self.u.damaged.contains(&record) {
                        self.u.damaged.push(record);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// The open episode of a client or contact, if any.
    pub(in crate::vault) fn open_episode_of(
        &mut self,
        key: ClientId,
    ) -> Result<Option<EpisodeId>, VaultError> {
        Ok(self
            .episodes_under(key)?
            .into_iter()
            .rev()
            .find(Episode::is_open)
            .map(|e| e.id))
    }

    /// Every episode this device holds, oldest first.
    pub(in crate::vault) fn all_episodes(&mut self) -> Result<Vec<Episode>, VaultError> {
        let ids: Vec<Vec<u8>> = self
            .conn
            .prepare_cached(
                "SELECT entity_id FROM entities WHERE kind = 'episode'
                 ORDER BY created_hlc, created_device",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let ids = ids
            .iter()
            .map(|id| Ok(EpisodeId(id16(id)?)))
            .collect::<Result<Vec<_>, VaultError>>()?;
        self.readable_episodes(ids.into_iter())
    }

    /// The on-call rota's entity (the newest, should two key managers have made one at once).
    pub(in crate::vault) fn on_call_entity(&self) -> Result<Option<EntityId>, VaultError> {
        let id: Option<Vec<u8>> = self
            .conn
            .prepare_cached(
                "SELECT entity_id FROM entities WHERE kind = 'on_call'
                 ORDER BY created_hlc DESC, created_device DESC LIMIT 1",
            )?
            .query_row([], |r| r.get(0))
            .optional()?;
        id.map(|id| Ok(EntityId(id16(&id)?))).transpose()
    }

    /// The on-call rota (empty before a key manager sets one).
    pub(in crate::vault) fn on_call_rota(&mut self) -> Result<OnCallRota, VaultError> {
        let Some(id) = self.on_call_entity()? else {
            return Ok(OnCallRota::default());
        };
        let meta = self.expect(id, RecordKind::OnCall, "on-call rota")?;
        from_fields(self.fields(id, &meta)?, "on-call rota")
    }
}
