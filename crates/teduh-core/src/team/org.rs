//! The organisation root key (trust 2/3): an Ed25519 key made on an administrator's Teduh device
//! and kept in her vault (a recovery sheet to print restores it on another of her devices). It
//! never leaves her devices; rosters carry its public half. Once a team's roster names it, only a
//! member it granted a key-manager role (supervisor, admin) counts as a key manager there: her
//! device's signature on a roster or a team-key envelope counts, an ungranted "supervisor" the
//! server or another member wrote in does not. A newcomer's safety number covers it, and an
//! invitation anchors the roster that names it.
//!
//! Whoever holds the organisation key can make herself a key manager of any team that names it;
//! she should not be the one who runs the server (decision 0005).

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use teduh_protocol::sync::Role;
use zeroize::Zeroizing;

use crate::ids::hex;

const GRANT_PREFIX: &[u8] = b"teduh/role-grant/v1";
const REMOVAL_PREFIX: &[u8] = b"teduh/role-removal/v1";
const SHEET_PREFIX: &str = "TEDUH-ORG1";

/// Crockford's base32 alphabet (no I, L, O, U): the recovery sheet survives being typed back.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The organisation's signed decision about one member's key-manager role in one team: a grant
/// ([`grant`]) or, once granted, its removal ([`removal`]); the two are signed under different
/// prefixes, so neither passes for the other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleGrant {
    /// The member granted.
    pub member: u64,
    /// The role granted (supervisor or admin).
    pub role: Role,
    /// Ed25519 signature by the organisation key, hex.
    pub signature: String,
}

fn grant_message(team: u64, member: u64, role: Role) -> Vec<u8> {
    decision_message(GRANT_PREFIX, team, member, role)
}

fn decision_message(prefix: &[u8], team: u64, member: u64, role: Role) -> Vec<u8> {
    let mut m = prefix.to_vec();
    m.extend_from_slice(&team.to_be_bytes());
    m.extend_from_slice(&member.to_be_bytes());
    m.extend_from_slice(role.as_str().as_bytes());
    m
}

/// The organisation's grant of `role` to `member` in `team`.
pub fn grant(key: &SigningKey, team: u64, member: u64, role: Role) -> RoleGrant {
    RoleGrant {
        member,
        role,
        signature: hex(&key.sign(&grant_message(team, member, role)).to_bytes()),
    }
}

/// The organisation's removal of `member`'s key-manager `role` in `team` (she is removed from
/// the team, or no longer holds that role): without it, no roster may take a granted role away,
/// so one supervisor cannot strip the others and keep the team to herself.
pub fn removal(key: &SigningKey, team: u64, member: u64, role: Role) -> RoleGrant {
    RoleGrant {
        member,
        role,
        signature: hex(&key
            .sign(&decision_message(REMOVAL_PREFIX, team, member, role))
            .to_bytes()),
    }
}

/// Whether `grant` is the organisation key `org_key`'s (hex) grant of its role in `team`.
pub fn grant_holds(org_key: &str, team: u64, grant: &RoleGrant) -> bool {
    decision_holds(
        org_key,
        &grant_message(team, grant.member, grant.role),
        grant,
    )
}

/// Whether `removal` is the organisation key `org_key`'s (hex) removal of its role in `team`.
pub fn removal_holds(org_key: &str, team: u64, removal: &RoleGrant) -> bool {
    let message = decision_message(REMOVAL_PREFIX, team, removal.member, removal.role);
    decision_holds(org_key, &message, removal)
}

fn decision_holds(org_key: &str, message: &[u8], decision: &RoleGrant) -> bool {
    let Some(key) =
        crate::ids::unhex::<32>(org_key).and_then(|k| VerifyingKey::from_bytes(&k).ok())
    else {
        return false;
    };
    let Some(sig) = crate::ids::unhex::<64>(&decision.signature) else {
        return false;
    };
    key.verify_strict(message, &Signature::from_bytes(&sig))
        .is_ok()
}

/// The public half of an organisation key, hex (what rosters carry).
pub fn public_hex(key: &SigningKey) -> String {
    hex(key.verifying_key().as_bytes())
}

/// The recovery sheet's code for `key`: `TEDUH-ORG1-` and the 32-byte secret with a 2-byte
/// check, as 55 base32 characters in groups of five.
pub fn recovery_code(key: &SigningKey) -> Zeroizing<String> {
    use sha2::{Digest, Sha256};
    let secret = Zeroizing::new(key.to_bytes());
    let check = Sha256::digest(&secret[..]);
    let mut bytes = Zeroizing::new(secret.to_vec());
    bytes.extend_from_slice(&check[..2]);
    let mut chars = Vec::with_capacity(55);
    let bits = bytes.len() * 8;
    let mut i = 0;
    while i < bits {
        let mut v = 0usize;
        for b in 0..5 {
            let bit = i + b;
            let set = bit < bits && bytes[bit / 8] & (0x80 >> (bit % 8)) != 0;
            v = (v << 1) | usize::from(set);
        }
        chars.push(CROCKFORD[v] as char);
        i += 5;
    }
    let groups: Vec<String> = chars
        .chunks(5)
        .map(|c| c.iter().collect::<String>())
        .collect();
    Zeroizing::new(format!("{SHEET_PREFIX}-{}", groups.join("-")))
}

/// The key a recovery sheet's code (as typed: case, spaces and dashes do not matter) restores.
/// `None` when it is not such a code or its check fails (a typing mistake).
pub fn from_recovery_code(code: &str) -> Option<SigningKey> {
    use sha2::{Digest, Sha256};
    let cleaned: String = code
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\u{a0}' | '\n'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let body = cleaned.strip_prefix(&SHEET_PREFIX.replace('-', ""))?;
    let values: Vec<u8> = body
        .chars()
        .map(|c| match c {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .map(|c| {
            CROCKFORD
                .iter()
                .position(|&a| a as char == c)
                .map(|v| v as u8)
        })
        .collect::<Option<_>>()?;
    let mut bytes = Zeroizing::new(vec![0u8; 34]);
    if values.len() != 55 {
        return None;
    }
    for (i, v) in values.iter().enumerate() {
        for b in 0..5 {
            let bit = i * 5 + b;
            if bit < 34 * 8 && v & (0x10 >> b) != 0 {
                bytes[bit / 8] |= 0x80 >> (bit % 8);
            }
        }
    }
    let secret: [u8; 32] = bytes[..32].try_into().ok()?;
    let check = Sha256::digest(secret);
    if check[..2] != bytes[32..34] {
        return None;
    }
    Some(SigningKey::from_bytes(&secret))
}

/// The organisation key's fingerprint, as the recovery sheet and Settings show it: the first
/// 16 hex digits of its public half in groups of four.
pub fn fingerprint(public_hex: &str) -> String {
    public_hex
        .chars()
        .take(16)
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_holds_for_its_team_member_and_role_only() {
        let org = SigningKey::from_bytes(&[7; 32]);
        let g = grant(&org, 3, 5, Role::Supervisor);
        let public = public_hex(&org);
        assert!(grant_holds(&public, 3, &g));
        assert!(!grant_holds(&public, 4, &g), "another team");
        let mut other = g.clone();
        other.member = 6;
        assert!(!grant_holds(&public, 3, &other), "another member");
        other = g.clone();
        other.role = Role::Admin;
        assert!(!grant_holds(&public, 3, &other), "another role");
        let stranger = public_hex(&SigningKey::from_bytes(&[8; 32]));
        assert!(!grant_holds(&stranger, 3, &g), "another organisation key");
        assert!(!removal_holds(&public, 3, &g), "a grant is no removal");
        let r = removal(&org, 3, 5, Role::Supervisor);
        assert!(removal_holds(&public, 3, &r));
        assert!(!grant_holds(&public, 3, &r), "nor a removal a grant");
    }

    #[test]
    fn the_recovery_code_restores_the_key_and_catches_a_typo() {
        let org = SigningKey::from_bytes(&[9; 32]);
        let code = recovery_code(&org);
        assert!(code.starts_with("TEDUH-ORG1-"), "{}", code.as_str());
        let typed = code.to_lowercase().replace('-', " ");
        let back = from_recovery_code(&typed).expect("restores");
        assert_eq!(back.to_bytes(), org.to_bytes());
        let mut wrong: Vec<char> = code.chars().collect();
        let at = wrong.len() - 10;
        wrong[at] = if wrong[at] == 'A' { 'B' } else { 'A' };
        let wrong: String = wrong.into_iter().collect();
        assert!(from_recovery_code(&wrong).is_none(), "a typo is caught");
        assert_eq!(fingerprint(&public_hex(&org)).len(), 19);
    }
}
