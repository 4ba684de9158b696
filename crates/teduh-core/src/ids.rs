//! Random 128-bit identifiers, typed per entity so a note id cannot be passed where a client id
//! is expected. Shown and parsed as 32 lowercase hex digits.

use std::fmt;
use std::str::FromStr;

use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Error parsing an id from text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an id (expected 32 hex digits): {0:?}")]
pub struct ParseIdError(pub String);

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `N` bytes written as `2 * N` hex digits; `None` for anything else.
pub(crate) fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.len() != 2 * N || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

pub(crate) fn parse_hex16(s: &str) -> Option<[u8; 16]> {
    unhex(s)
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub [u8; 16]);

        impl $name {
            /// A fresh random id from the operating system's CSPRNG.
            pub fn random() -> Self {
                let mut b = [0u8; 16];
                OsRng.fill_bytes(&mut b);
                Self(b)
            }

            /// The raw bytes.
            pub fn as_bytes(&self) -> &[u8; 16] {
                &self.0
            }

            /// Builds an id from a 16-byte slice (e.g. a database column).
            pub fn from_slice(b: &[u8]) -> Option<Self> {
                b.try_into().ok().map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&hex(&self.0))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), hex(&self.0))
            }
        }

        impl FromStr for $name {
            type Err = ParseIdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                parse_hex16(s).map(Self).ok_or_else(|| ParseIdError(s.to_owned()))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&hex(&self.0))
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

id_type!(
    /// A team (a supervisor and her counselors); records and keys belong to a team.
    TeamId
);
id_type!(
    /// A member of the organisation (a counselor, supervisor...).
    MemberId
);
id_type!(
    /// One installation of Teduh; each device writes its own record log.
    DeviceId
);
id_type!(
    /// A client (data subject).
    ClientId
);
id_type!(
    /// A case opened for a client.
    CaseId
);

impl ClientId {
    /// The id of a client created by the member whose Ed25519 signing key is `creator`: the
    /// first 16 bytes of SHA-256("teduh/client-id/v2" || creator || nonce). The nonce travels
    /// (encrypted) in the client's data-key record, so every receiver can check who created the
    /// client. The signing key, unlike the device number, is the same before and after the
    /// device joins a team, so a client recorded before joining is proven too.
    pub fn derived(creator: &[u8; 32], nonce: &[u8; 16]) -> Self {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(b"teduh/client-id/v2");
        h.update(creator);
        h.update(nonce);
        let digest = h.finalize();
        let mut id = [0u8; 16];
        id.copy_from_slice(&digest[..16]);
        ClientId(id)
    }

    /// Whether `nonce` proves that the holder of signing key `creator` created this client.
    pub fn created_by(&self, creator: &[u8; 32], nonce: &[u8]) -> bool {
        <&[u8; 16]>::try_from(nonce).is_ok_and(|n| Self::derived(creator, n) == *self)
    }
}
id_type!(
    /// A consent record (append-only).
    ConsentId
);
id_type!(
    /// A session note.
    NoteId
);
id_type!(
    /// An addendum to a finalised session note.
    AddendumId
);
id_type!(
    /// A follow-up task.
    TaskId
);
id_type!(
    /// A completed screening instrument.
    ScreeningId
);
id_type!(
    /// A referral to a directory partner.
    ReferralId
);
id_type!(
    /// A supervisor's review of a finalised note (approve, return, comment).
    ReviewId
);
id_type!(
    /// A hotline or chat contact. An original contact's id is also the id of its own data key
    /// (derived like a client's, [`ClientId::derived`]).
    ContactId
);
id_type!(
    /// A risk episode (issue 22) on a client or a contact.
    EpisodeId
);
id_type!(
    /// A data-subject request under UU PDP (issue 25).
    RequestId
);
id_type!(
    /// An incident of the breach register (issue 26): the id of its own data key too.
    BreachId
);
id_type!(
    /// An approved erasure of a client (issue 26): the id of its own data key too.
    ErasureId
);
id_type!(
    /// Any entity in the record log, whatever its kind.
    EntityId
);
id_type!(
    /// Identifies a key (team key, client data key, key-encryption key) in envelope headers.
    KeyId
);

macro_rules! server_ids {
    ($($name:ident),*) => {
        $(impl $name {
            /// The id of something the sync server numbered (`n`): 8 zero bytes, then `n`
            /// big-endian. Random ids practically never look like this.
            pub fn from_server(n: u64) -> Self {
                let mut b = [0u8; 16];
                b[8..].copy_from_slice(&n.to_be_bytes());
                Self(b)
            }

            /// The server's number for this id, if it is one ([`Self::from_server`]).
            pub fn server_number(&self) -> Option<u64> {
                let (zero, n) = self.0.split_at(8);
                if zero.iter().all(|b| *b == 0) {
                    n.try_into().ok().map(u64::from_be_bytes)
                } else {
                    None
                }
            }
        })*
    };
}
server_ids!(TeamId, MemberId, DeviceId);

macro_rules! into_entity {
    ($($name:ident),*) => {
        $(impl From<$name> for EntityId {
            fn from(id: $name) -> Self {
                EntityId(id.0)
            }
        })*
    };
}
into_entity!(
    ClientId,
    CaseId,
    ConsentId,
    NoteId,
    AddendumId,
    TaskId,
    ScreeningId,
    ReferralId,
    ReviewId,
    ContactId,
    EpisodeId,
    RequestId,
    BreachId,
    ErasureId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text_and_json() {
        let id = NoteId::random();
        let text = id.to_string();
        assert_eq!(text.len(), 32, "ids are shown as 32 hex digits");
        assert_eq!(
            text.parse::<NoteId>().expect("parses"),
            id,
            "text round trip"
        );
        let json = serde_json::to_string(&id).expect("serialises");
        assert_eq!(
            serde_json::from_str::<NoteId>(&json).expect("deserialises"),
            id,
            "json round trip"
        );
        assert!("xyz".parse::<NoteId>().is_err(), "garbage must not parse");
    }
}
