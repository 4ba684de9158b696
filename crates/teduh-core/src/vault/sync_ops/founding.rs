//! Teams the organisation founds from the administrator's device holding the organisation key
//! ([`crate::sync::founding`]): the first roster of a team that has none, naming no one and
//! signed by that key; the rosters after it that admit the team's first devices; and the teams
//! this device tends while an invitation it made to them is open.

use rusqlite::{params, OptionalExtension as _};

use crate::team::roster::{Roster, ORG_SIGNER};
use crate::vault::error::VaultError;
use crate::vault::Vault;

impl Vault {
    /// The first roster of `team`, naming this device's organisation key and no one: whoever
    /// joins with an invitation made on it trusts it first.
    ///
    /// Fails with [`VaultError::NotPermitted`] (no organisation key here).
    pub fn founding_roster(&self, team: u64) -> Result<Roster, VaultError> {
        let org_key = self.org_key_public()?.ok_or_else(|| {
            VaultError::NotPermitted("this device does not hold the organisation key".into())
        })?;
        Ok(Roster {
            team,
            version: 1,
            members: vec![],
            devices: vec![],
            epochs: vec![],
            org_key: Some(org_key),
            grants: vec![],
            removals: vec![],
        })
    }

    /// `roster` signed by the organisation key this device holds ([`ORG_SIGNER`]).
    ///
    /// Fails with [`VaultError::NotPermitted`] (no organisation key here) or
    /// [`VaultError::Locked`].
    pub fn sign_roster_as_org(&mut self, roster: &Roster) -> Result<Vec<u8>, VaultError> {
        self.with_org_key(|key| roster.sign(ORG_SIGNER, key))
    }

    /// Remembers that this device founded `roster`'s team, with it as the newest roster of the
    /// team it verified (its sync rounds tend the team from there).
    ///
    /// Fails when the database cannot be written.
    pub(crate) fn note_founded_team(&self, roster: &Roster) -> Result<(), VaultError> {
        self.store.connection().execute(
            "INSERT INTO founded_team (team, founded_at, roster) VALUES (?1, ?2, ?3)
             ON CONFLICT (team) DO NOTHING",
            params![
                i64::try_from(roster.team).unwrap_or(i64::MAX),
                chrono::Utc::now().timestamp(),
                serde_json::to_string(roster).unwrap_or_default()
            ],
        )?;
        Ok(())
    }

    /// The newest roster this device verified of a team it founded, if it founded it.
    ///
    /// Fails when the database cannot be read or the stored roster does not parse.
    pub(crate) fn founded_roster(&self, team: u64) -> Result<Option<Roster>, VaultError> {
        let json: Option<String> = self
            .store
            .connection()
            .query_row(
                "SELECT roster FROM founded_team WHERE team = ?1",
                [i64::try_from(team).unwrap_or(i64::MAX)],
                |r| r.get(0),
            )
            .optional()?;
        json.map(|j| {
            serde_json::from_str(&j).map_err(|_| VaultError::Integrity {
                record: format!("the roster of founded team {team}"),
            })
        })
        .transpose()
    }

    /// Keeps `roster` as the newest verified roster of its (founded) team.
    ///
    /// Fails when the database cannot be written.
    pub(crate) fn keep_founded_roster(&self, roster: &Roster) -> Result<(), VaultError> {
        self.store.connection().execute(
            "UPDATE founded_team SET roster = ?2 WHERE team = ?1",
            params![
                i64::try_from(roster.team).unwrap_or(i64::MAX),
                serde_json::to_string(roster).unwrap_or_default()
            ],
        )?;
        Ok(())
    }

    /// The teams this device founded with an invitation it made to them still open at `now`
    /// (its sync rounds admit whoever joins with one).
    ///
    /// Fails when the database cannot be read.
    pub(crate) fn teams_to_tend(&self, now: i64) -> Result<Vec<u64>, VaultError> {
        Ok(self
            .store
            .connection()
            .prepare(
                "SELECT f.team FROM founded_team f
                 WHERE EXISTS (SELECT 1 FROM invitation_made i WHERE i.team = f.team
                               AND i.used_by IS NULL AND i.expires_at > ?1)
                 ORDER BY f.team",
            )?
            .query_map([now], |r| r.get::<_, i64>(0))?
            .map(|r| r.map(|v| u64::try_from(v).unwrap_or(0)))
            .collect::<Result<_, _>>()?)
    }
}
