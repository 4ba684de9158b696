//! The organisation's own documents on the wire (`GET /v1/org`, `PUT /v1/org/settings`): the
//! settings record signed by the organisation root key on an administrator's device; and what
//! an administrator's device reads and writes to found another team
//! (`/v1/org/teams/{team}/...`). The server
//! stores and serves it, and checks its signature only to refuse junk; devices verify it against
//! the organisation key their signed roster names, never the one the server reports.
//!
//! Signed form: `signature (64) || organisation public key (32) || JSON`, the Ed25519
//! signature over [`SETTINGS_PREFIX`] `|| JSON`; the JSON has a top-level `"version"`.

use serde::{Deserialize, Serialize};

/// What the organisation key signs before the settings' JSON.
pub const SETTINGS_PREFIX: &[u8] = b"teduh/org-settings/v1";

/// The largest signed settings record a server keeps.
pub const MAX_SETTINGS_BYTES: usize = 64 * 1024;

/// Reply of `GET /v1/org`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgInfo {
    /// The organisation's name as the server's operator set it (a label only).
    pub name: String,
    /// The organisation key the server checks uploads against (Ed25519, hex), once an
    /// administrator's device registered it. Devices never trust it.
    pub org_key: Option<String>,
    /// The newest signed settings record the server holds.
    #[serde(default, with = "super::b64_opt")]
    pub settings: Option<Vec<u8>>,
}

/// Reply of `GET /v1/org/teams/{team}/listing`: what the server says is in a team, for the
/// organisation's administrator founding it (candidates only: her device admits by proof).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamListing {
    /// The team's name (a label only).
    pub name: String,
    /// The team's members.
    pub members: Vec<super::MemberView>,
    /// Their devices.
    pub devices: Vec<super::DeviceView>,
}

/// Body of `PUT /v1/org/settings`: a settings record the organisation key signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgSettingsBody {
    /// The signed record, base64.
    #[serde(with = "super::b64")]
    pub settings: Vec<u8>,
}

/// The `"version"` of a signed document's JSON; `None` when it has none.
pub fn version_of(json: &[u8]) -> Option<u64> {
    #[derive(Deserialize)]
    struct Versioned {
        version: u64,
    }
    serde_json::from_slice::<Versioned>(json)
        .ok()
        .map(|v| v.version)
}

/// The parts of a signed organisation document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedParts<'a> {
    /// The Ed25519 signature.
    pub signature: [u8; 64],
    /// The organisation key that claims to have signed it.
    pub key: [u8; 32],
    /// The signed JSON.
    pub json: &'a [u8],
}

impl<'a> SignedParts<'a> {
    /// Splits a signed document; `None` when it is too short to be one.
    pub fn split(bytes: &'a [u8]) -> Option<Self> {
        if bytes.len() < 96 + 2 {
            return None;
        }
        let (signature, rest) = bytes.split_at(64);
        let (key, json) = rest.split_at(32);
        Some(Self {
            signature: signature.try_into().ok()?,
            key: key.try_into().ok()?,
            json,
        })
    }

    /// The message the signature covers: `prefix || JSON`.
    pub fn message(&self, prefix: &[u8]) -> Vec<u8> {
        let mut m = prefix.to_vec();
        m.extend_from_slice(self.json);
        m
    }
}

/// Joins a signature, the signing key and the JSON into the signed form.
pub fn join_signed(signature: &[u8; 64], key: &[u8; 32], json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(96 + json.len());
    out.extend_from_slice(signature);
    out.extend_from_slice(key);
    out.extend_from_slice(json);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_document_splits_back_into_its_parts() {
        let joined = join_signed(&[1; 64], &[2; 32], b"{\"version\":3}");
        let parts = SignedParts::split(&joined).expect("splits");
        assert_eq!(parts.signature, [1; 64]);
        assert_eq!(parts.key, [2; 32]);
        assert_eq!(parts.json, b"{\"version\":3}");
        assert_eq!(&parts.message(b"p")[..2], b"p{");
        assert!(SignedParts::split(&joined[..97]).is_none());
    }
}
