//! [`super::b64`] for an optional blob (`#[serde(default, with = "b64_opt")]`): absent or `null` is
//! `None`.

use serde::{Deserialize, Deserializer, Serializer};

/// Serde serializer.
pub fn serialize<S: Serializer>(bytes: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
    match bytes {
        Some(b) => s.serialize_str(&super::b64::encode(b)),
        None => s.serialize_none(),
    }
}

/// Serde deserializer.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
    Option::<String>::deserialize(d)?
        .map(|s| super::b64::decode(&s).ok_or_else(|| serde::de::Error::custom("invalid base64")))
        .transpose()
}
