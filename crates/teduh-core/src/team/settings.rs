//! The organisation settings (trust 2/3): one record, signed by the organisation root key on an
//! administrator's device and synced through the server (`/v1/org`), which cannot change it:
//! every device verifies it against the organisation key its signed roster names. It holds what
//! the whole organisation shares and later features read: its name, each team's time zone (a
//! national line spans WIB, WITA and WIT), the deadlines of people's requests and breach
//! notices, and the taxonomies (the issue categories of a contact).
//!
//! Signed form: [`teduh_protocol::sync::org`] (`signature || key || JSON`).

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use teduh_protocol::sync::org::{join_signed, SignedParts, SETTINGS_PREFIX};

use super::processing::Processing;
use super::roster::hex32;

/// The longest deadline the law allows for a person's request or a breach notice (UU PDP
/// No. 27/2022: 3 × 24 hours).
pub const MAX_DEADLINE_HOURS: u32 = 72;

/// Indonesia's three time zones (no daylight saving time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Zone {
    /// Waktu Indonesia Barat, UTC+7.
    #[default]
    #[serde(rename = "Asia/Jakarta")]
    Wib,
    /// Waktu Indonesia Tengah, UTC+8.
    #[serde(rename = "Asia/Makassar")]
    Wita,
    /// Waktu Indonesia Timur, UTC+9.
    #[serde(rename = "Asia/Jayapura")]
    Wit,
}

impl Zone {
    /// Every zone, west to east.
    pub const ALL: [Zone; 3] = [Zone::Wib, Zone::Wita, Zone::Wit];

    /// Its offset from UTC in hours.
    pub fn offset_hours(self) -> i32 {
        match self {
            Zone::Wib => 7,
            Zone::Wita => 8,
            Zone::Wit => 9,
        }
    }

    /// Its offset as a chrono zone.
    pub fn offset(self) -> chrono::FixedOffset {
        // 7 to 9 hours are always in range.
        chrono::FixedOffset::east_opt(self.offset_hours() * 3600)
            .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("UTC"))
    }

    /// The short name people use: `WIB`, `WITA`, `WIT`.
    pub fn label(self) -> &'static str {
        match self {
            Zone::Wib => "WIB",
            Zone::Wita => "WITA",
            Zone::Wit => "WIT",
        }
    }

    /// The zone named `WIB`/`WITA`/`WIT` or by its IANA name (any case).
    pub fn parse(s: &str) -> Option<Zone> {
        let s = s.trim();
        Zone::ALL.into_iter().find(|z| {
            z.label().eq_ignore_ascii_case(s)
                || serde_json::to_value(z)
                    .ok()
                    .and_then(|v| v.as_str().map(|n| n.eq_ignore_ascii_case(s)))
                    .unwrap_or(false)
        })
    }
}

/// One team's time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamZone {
    /// The server's team id.
    pub team: u64,
    /// Its zone.
    pub zone: Zone,
}

/// Deadlines the organisation keeps, in hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadlines {
    /// To answer a person's request about her data (access, correction, withdrawal, ...).
    pub request_hours: u32,
    /// To notify the people concerned and the authority of a breach.
    pub breach_notice_hours: u32,
    /// For a supervisor to acknowledge a risk episode before every supervisor and admin of
    /// the team is asked.
    #[serde(default = "default_episode_ack_hours")]
    pub episode_ack_hours: u32,
}

fn default_episode_ack_hours() -> u32 {
    crate::episode::DEFAULT_ACK_HOURS
}

/// One entry of a taxonomy: a stable code and its words in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(export, rename = "TaxonomyCategory")
)]
pub struct Category {
    /// Stable code (`a-z`, `0-9`, `-`), what records store.
    pub code: String,
    /// Bahasa Indonesia.
    pub id: String,
    /// English.
    pub en: String,
}

/// The taxonomies later features read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Taxonomies {
    /// The issue categories of a hotline or chat contact.
    pub contact_categories: Vec<Category>,
}

/// The organisation's settings record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSettings {
    /// Monotonic version: a device keeps the newest it verified.
    pub version: u64,
    /// The organisation's name, as reports and invitations show it.
    pub name: String,
    /// Each team's time zone (a team not listed keeps WIB).
    #[serde(default)]
    pub team_zones: Vec<TeamZone>,
    /// Deadlines.
    pub deadlines: Deadlines,
    /// Taxonomies.
    pub taxonomies: Taxonomies,
    /// The controller, its processing activities and retention (UU PDP Ps 31); settings signed
    /// before it existed read as [`Processing::initial`].
    #[serde(default)]
    pub processing: Processing,
}

/// Why a settings record was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// Not in the signed format, or its content breaks the rules ([`OrgSettings::check`]).
    #[error("the organisation settings are malformed: {0}")]
    Malformed(String),
    /// Signed by another key than the organisation key the roster names, or the signature
    /// does not hold.
    #[error("the organisation settings are not signed by the organisation key")]
    Forged,
}

fn category(code: &str, id: &str, en: &str) -> Category {
    Category {
        code: code.into(),
        id: id.into(),
        en: en.into(),
    }
}

impl OrgSettings {
    /// The first settings of an organisation named `name`: every team in WIB, the law's
    /// deadlines, and the hotline issue categories the services Teduh serves use.
    pub fn initial(name: &str) -> Self {
        Self {
            version: 1,
            name: name.trim().to_owned(),
            team_zones: vec![],
            deadlines: Deadlines {
                request_hours: MAX_DEADLINE_HOURS,
                breach_notice_hours: MAX_DEADLINE_HOURS,
                episode_ack_hours: crate::episode::DEFAULT_ACK_HOURS,
            },
            taxonomies: Taxonomies {
                contact_categories: vec![
                    category(
                        "psychosocial-distress",
                        "Distres psikososial",
                        "Psychosocial distress",
                    ),
                    category("suicide-risk", "Risiko bunuh diri", "Suicide risk"),
                    category(
                        "violence-against-women",
                        "Kekerasan terhadap perempuan",
                        "Violence against women",
                    ),
                    category("child-protection", "Perlindungan anak", "Child protection"),
                    category(
                        "disaster-trauma",
                        "Bencana dan trauma",
                        "Disaster and trauma",
                    ),
                    category("social-assistance", "Bantuan sosial", "Social assistance"),
                    category("information", "Hanya informasi", "Information only"),
                    category("silent-prank", "Diam atau iseng", "Silent or prank"),
                ],
            },
            processing: Processing::initial(),
        }
    }

    /// The time zone of `team` (WIB unless set).
    pub fn zone_of(&self, team: u64) -> Zone {
        self.team_zones
            .iter()
            .find(|z| z.team == team)
            .map_or(Zone::Wib, |z| z.zone)
    }

    /// Sets `team`'s time zone.
    pub fn set_zone(&mut self, team: u64, zone: Zone) {
        self.team_zones.retain(|z| z.team != team);
        self.team_zones.push(TeamZone { team, zone });
        self.team_zones.sort_by_key(|z| z.team);
    }

    /// Checks the rules a record must keep: a name of 1-120 characters, deadlines of 1-72
    /// hours, one zone per team, category codes unique and of `a-z0-9-`, each with words in
    /// both languages, and the processing section's ([`Processing::problem`]).
    ///
    /// Fails with [`SettingsError::Malformed`] naming the first broken rule.
    pub fn check(&self) -> Result<(), SettingsError> {
        let bad = |why: String| Err(SettingsError::Malformed(why));
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            return bad("the organisation's name must be 1-120 characters".into());
        }
        for (what, hours) in [
            ("request", self.deadlines.request_hours),
            ("breach notice", self.deadlines.breach_notice_hours),
            ("episode acknowledgement", self.deadlines.episode_ack_hours),
        ] {
            if hours == 0 || hours > MAX_DEADLINE_HOURS {
                return bad(format!(
                    "the {what} deadline must be 1-{MAX_DEADLINE_HOURS} hours, not {hours}"
                ));
            }
        }
        let mut teams = std::collections::HashSet::new();
        if let Some(z) = self.team_zones.iter().find(|z| !teams.insert(z.team)) {
            return bad(format!("team {} has two time zones", z.team));
        }
        let mut codes = std::collections::HashSet::new();
        for c in &self.taxonomies.contact_categories {
            let code_ok = !c.code.is_empty()
                && c.code.len() <= 40
                && c.code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !code_ok || c.id.trim().is_empty() || c.en.trim().is_empty() {
                return bad(format!(
                    "category {:?} needs a code of a-z, 0-9 and - and words in both languages",
                    c.code
                ));
            }
            if !codes.insert(c.code.as_str()) {
                return bad(format!("category {:?} is listed twice", c.code));
            }
        }
        match self.processing.problem() {
            Some(why) => bad(why),
            None => Ok(()),
        }
    }

    /// The record signed by the organisation key `key`.
    pub fn sign(&self, key: &SigningKey) -> Vec<u8> {
        // Serialising plain structs of strings and integers cannot fail.
        let json = serde_json::to_vec(self).unwrap_or_default();
        let mut message = SETTINGS_PREFIX.to_vec();
        message.extend_from_slice(&json);
        let signature = key.sign(&message).to_bytes();
        join_signed(&signature, key.verifying_key().as_bytes(), &json)
    }

    /// Verifies a signed record against the organisation key `org_key` (hex) a signed roster
    /// names.
    ///
    /// Fails with [`SettingsError`].
    pub fn verify(signed: &[u8], org_key: &str) -> Result<OrgSettings, SettingsError> {
        let parts = SignedParts::split(signed)
            .ok_or_else(|| SettingsError::Malformed("too short".into()))?;
        let trusted = hex32(org_key)
            .and_then(|k| VerifyingKey::from_bytes(&k).ok())
            .ok_or(SettingsError::Forged)?;
        if parts.key != trusted.to_bytes() {
            return Err(SettingsError::Forged);
        }
        trusted
            .verify_strict(
                &parts.message(SETTINGS_PREFIX),
                &Signature::from_bytes(&parts.signature),
            )
            .map_err(|_| SettingsError::Forged)?;
        let settings: OrgSettings = serde_json::from_slice(parts.json)
            .map_err(|e| SettingsError::Malformed(e.to_string()))?;
        settings.check()?;
        Ok(settings)
    }

    /// The content of a record this device verified when it stored it (no check again).
    pub(crate) fn read_stored(signed: &[u8]) -> Option<OrgSettings> {
        serde_json::from_slice(SignedParts::split(signed)?.json).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::team::org::public_hex;

    #[test]
    fn settings_verify_against_the_organisation_key_only() {
        let org = SigningKey::from_bytes(&[5; 32]);
        let mut s = OrgSettings::initial("Rumah Teduh Uji");
        s.set_zone(3, Zone::Wita);
        s.check().expect("the first settings keep the rules");
        let signed = s.sign(&org);
        let back = OrgSettings::verify(&signed, &public_hex(&org)).expect("verifies");
        assert_eq!(back, s);
        assert_eq!(back.zone_of(3), Zone::Wita);
        assert_eq!(back.zone_of(4), Zone::Wib, "unset teams keep WIB");
        let other = SigningKey::from_bytes(&[6; 32]);
        assert_eq!(
            OrgSettings::verify(&s.sign(&other), &public_hex(&org)),
            Err(SettingsError::Forged),
            "another key's settings (the server's) are refused"
        );
        let mut tampered = signed.clone();
        let last = tampered.len() - 3;
        tampered[last] ^= 1;
        assert!(OrgSettings::verify(&tampered, &public_hex(&org)).is_err());
        let mut late = s.clone();
        late.deadlines.request_hours = 96;
        assert!(matches!(
            OrgSettings::verify(&late.sign(&org), &public_hex(&org)),
            Err(SettingsError::Malformed(_))
        ));
        assert_eq!(Zone::parse("wita"), Some(Zone::Wita));
        assert_eq!(Zone::parse("Asia/Jayapura"), Some(Zone::Wit));
        assert_eq!(Zone::parse("UTC"), None);
    }

    #[test]
    fn settings_signed_before_the_processing_section_still_verify() {
        let org = SigningKey::from_bytes(&[5; 32]);
        let s = OrgSettings::initial("Rumah Teduh Uji");
        let mut old = serde_json::to_value(&s).expect("json");
        old.as_object_mut().expect("object").remove("processing");
        let json = serde_json::to_vec(&old).expect("json");
        let mut message = SETTINGS_PREFIX.to_vec();
        message.extend_from_slice(&json);
        let signature = org.sign(&message).to_bytes();
        let signed = join_signed(&signature, org.verifying_key().as_bytes(), &json);
        let back = OrgSettings::verify(&signed, &public_hex(&org)).expect("still verifies");
        assert_eq!(back.processing, Processing::initial());
        let mut broken = s.clone();
        broken.processing.retention.contact_days = 0;
        assert!(matches!(
            OrgSettings::verify(&broken.sign(&org), &public_hex(&org)),
            Err(SettingsError::Malformed(why)) if why.contains("Contacts")
        ));
    }
}
