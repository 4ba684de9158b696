//! A hostile server operator: what she can write straight into her server's database, and the
//! oracle that shows what she can read.
//!
//! The oracle ([`opened_by`]) walks everything the server holds for a team, every record field
//! and every client-key wrap, and names each one sealed under a key the attacker holds. Every
//! sealed byte string names the id of the key that sealed it ([`Envelope::parse`]), and its
//! associated data is made of routing fields the server sees in clear, so a ciphertext under one
//! of her keys is one she can open, and one under no key of hers is one she cannot. An empty
//! answer means zero plaintext.

use teduh_core::crypto::{self, DataKey};
use teduh_protocol::envelope::Envelope;

use crate::TestServer;

/// What the server holds for `team` that one of `keys` opens, described for an assertion.
#[allow(clippy::expect_used)]
pub fn opened_by(server: &TestServer, team: u64, keys: &[DataKey]) -> Vec<String> {
    let ids: Vec<[u8; 16]> = keys.iter().map(|k| k.id.0).collect();
    let storage = server.storage();
    let mut opened = Vec::new();
    let mut after = 0;
    loop {
        let page = server
            .block_on(storage.pull(team, after, 1 << 20, 1000))
            .expect("pull");
        for r in &page.records {
            let rec = &r.record;
            let Some(fields) = teduh_core::records::decode_payload(&rec.payload) else {
                continue;
            };
            for (name, value) in fields {
                if let Ok(env) = Envelope::parse(value) {
                    if ids.contains(&env.key_id) {
                        opened.push(format!(
                            "record {}/{} field {name}",
                            rec.device_id, rec.device_seq
                        ));
                    }
                }
            }
        }
        if !page.more || page.records.is_empty() {
            break;
        }
        after = page.next_cursor;
    }
    for wrap in server
        .block_on(storage.client_keys(team, None))
        .expect("client keys")
    {
        if Envelope::parse(&wrap.wrap).is_ok_and(|e| ids.contains(&e.key_id)) {
            opened.push(format!("client-key wrap of epoch {}", wrap.epoch));
        }
    }
    opened
}

/// The server's devices of `team` as (device id, member id, X25519 public key).
#[allow(clippy::expect_used)]
pub fn device_keys(server: &TestServer, team: u64) -> Vec<(u64, u64, [u8; 32])> {
    server
        .block_on(
            server
                .storage()
                .devices(teduh_server::storage::DeviceFilter::Team(team)),
        )
        .expect("devices")
        .into_iter()
        .filter(|d| d.public_keys.len() == 64 && d.revoked_at.is_none())
        .map(|d| {
            let mut x = [0u8; 32];
            x.copy_from_slice(&d.public_keys[..32]);
            (d.id, d.member_id, x)
        })
        .collect()
}

/// The operator makes team-key epoch `epoch` herself: a key of her own, sealed in the team-key
/// format to every device's public key and signed with a key of her own in the name of the
/// device `claimed_signer` (a supervisor's), stored straight into her database. Returns her key.
#[allow(clippy::expect_used)]
pub fn forge_epoch(server: &TestServer, team: u64, epoch: u32, claimed_signer: u64) -> DataKey {
    let raw = crypto::random_bytes::<32>();
    let key = DataKey::from_parts(
        teduh_core::ids::KeyId::random(),
        zeroize::Zeroizing::new(raw),
    );
    let mut plain = epoch.to_be_bytes().to_vec();
    plain.extend_from_slice(&key.id.0);
    plain.extend_from_slice(&raw);
    let mut ctx = b"teduh/team-keys/v1".to_vec();
    ctx.extend_from_slice(&team.to_be_bytes());
    ctx.extend_from_slice(&epoch.to_be_bytes());
    let forger = ed25519_dalek::SigningKey::from_bytes(&crypto::random_bytes::<32>());
    let envelopes = device_keys(server, team)
        .into_iter()
        .map(|(device, _, x)| {
            let sealed = crypto::seal_bytes_to(&x25519_dalek::PublicKey::from(x), &ctx, &plain);
            let signed = teduh_core::team::envelope::sign(
                team,
                epoch,
                device,
                &sealed,
                claimed_signer,
                &forger,
            );
            (device, signed)
        })
        .collect();
    server
        .block_on(server.storage().add_epoch(team, epoch, envelopes))
        .expect("the operator writes the epoch into her database");
    key
}

/// The kinds of the security alarms a device raised.
#[allow(clippy::expect_used)]
pub fn alarm_kinds(d: &crate::device::Device) -> Vec<String> {
    d.vault
        .security_alarms()
        .expect("alarms")
        .into_iter()
        .map(|a| a.kind)
        .collect()
}

/// The operator's own key pair, as she would put it in place of a member's.
pub struct OperatorKeys {
    /// Her X25519 secret (what a team-key envelope sealed to her key opens with).
    pub x25519: x25519_dalek::StaticSecret,
    /// Her Ed25519 key.
    pub ed25519: ed25519_dalek::SigningKey,
}

impl OperatorKeys {
    /// A fresh pair.
    pub fn new() -> Self {
        Self {
            x25519: x25519_dalek::StaticSecret::from(crypto::random_bytes::<32>()),
            ed25519: ed25519_dalek::SigningKey::from_bytes(&crypto::random_bytes::<32>()),
        }
    }

    /// Her Ed25519 public key in hex, as a roster lists a device's.
    pub fn ed25519_hex(&self) -> String {
        self.ed25519
            .verifying_key()
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// A device with her keys as a roster would list it: what she slips into one.
    pub fn as_device(&self, device: u64, member: u64) -> teduh_core::team::roster::RosterDevice {
        teduh_core::team::roster::RosterDevice::admitted(device, member, &self.public_keys())
    }

    /// The public keys as the server stores a device's: X25519 || Ed25519.
    pub fn public_keys(&self) -> Vec<u8> {
        let mut k = x25519_dalek::PublicKey::from(&self.x25519)
            .as_bytes()
            .to_vec();
        k.extend_from_slice(self.ed25519.verifying_key().as_bytes());
        k
    }
}

impl Default for OperatorKeys {
    fn default() -> Self {
        Self::new()
    }
}

/// Every team-key envelope the server holds for `team` (for every device it lists) that the
/// operator's X25519 secret opens: a real decryption attempt of the sealed box inside each.
#[allow(clippy::expect_used)]
pub fn envelopes_opened_by(
    server: &TestServer,
    team: u64,
    secret: &x25519_dalek::StaticSecret,
) -> Vec<String> {
    let storage = server.storage();
    let mut opened = Vec::new();
    let devices = server
        .block_on(storage.devices(teduh_server::storage::DeviceFilter::Team(team)))
        .expect("devices");
    for d in devices {
        let (_, envelopes) = server
            .block_on(storage.envelopes(team, d.id))
            .expect("envelopes");
        for (epoch, bytes) in envelopes {
            let mut ctx = b"teduh/team-keys/v1".to_vec();
            ctx.extend_from_slice(&team.to_be_bytes());
            ctx.extend_from_slice(&epoch.to_be_bytes());
            // Signed envelopes carry the sealed box after the signature and the signer's id.
            let sealed = bytes.get(72..).unwrap_or_default();
            if crypto::open_sealed_bytes(secret, &ctx, sealed).is_ok()
                || crypto::open_sealed_bytes(secret, &ctx, &bytes).is_ok()
            {
                opened.push(format!("epoch {epoch} envelope of device {}", d.id));
            }
        }
    }
    opened
}

/// Runs one statement straight on the server's SQLite database, as its operator can.
#[allow(clippy::expect_used)]
pub fn operator_sql(server: &TestServer, sql: &str, params: impl rusqlite::Params) -> usize {
    let db = rusqlite::Connection::open(server.data_dir().join("server.sqlite3")).expect("db");
    db.busy_timeout(std::time::Duration::from_secs(5))
        .expect("busy timeout");
    db.execute(sql, params).expect("the operator's statement")
}

/// A counselor writes a note with `marker`, and she and her supervisor sync until each holds
/// the other's records: the honest devices converge after an attack.
#[allow(clippy::expect_used)]
pub fn write_and_converge(
    sup: &mut crate::device::Device,
    c: &mut crate::device::Device,
    marker: &str,
) {
    use crate::device::{draft, profile};
    let client = c
        .vault
        .add_client(&profile(&format!("K-{marker}"), "Klien Uji"))
        .expect("client");
    c.vault.add_note(client, &draft(marker)).expect("note");
    for _ in 0..3 {
        sup.sync().expect("the supervisor syncs");
        c.sync().expect("the counselor syncs");
    }
    // A supervisor reads every client, a counselor her cases only (issue 23): on a
    // supervisor's device, put her on every case, so their states must then be the same.
    let name = c.username();
    let mut assigned = false;
    for listed in sup.vault.list_clients().expect("list") {
        let case = sup.vault.case_assignment(listed.id).expect("case");
        if case.may_assign && !case.workers.iter().any(|w| w.username == name) {
            sup.vault
                .assign_member(listed.id, &name)
                .expect("the supervisor assigns");
            assigned = true;
        }
    }
    if assigned {
        for _ in 0..2 {
            sup.sync().expect("the supervisor syncs");
            c.sync().expect("the counselor syncs");
        }
    }
    assert_eq!(
        c.vault.pending_count().expect("pending"),
        0,
        "the counselor sent everything"
    );
    assert_eq!(sup.state(), c.state(), "the honest devices converge");
}

/// The team-key epochs a device holds, oldest first (epoch 0, the provisional key of a vault
/// before it joined, left out).
pub fn key_epochs(d: &crate::device::Device) -> Vec<u32> {
    let mut e: Vec<u32> = d
        .vault
        .team_epochs()
        .into_iter()
        .filter(|e| *e > 0)
        .collect();
    e.sort_unstable();
    e
}

/// What someone who copied a device's sealed credentials (`copied`) sends to renew in its
/// place: the chain's next refresh token, the one the device itself would send next.
#[allow(clippy::expect_used)]
pub fn copied_renewal(
    copied: &teduh_core::vault::SyncCredentials,
    device: u64,
) -> teduh_protocol::sync::RenewRequest {
    use teduh_protocol::sync::refresh;
    let chain = copied.chain.as_ref().expect("a refresh chain");
    let token = refresh::token(&chain.seed, chain.used + 1).expect("within the chain");
    teduh_protocol::sync::RenewRequest {
        device_id: device,
        refresh_token: refresh::to_hex(&token),
        anchor: None,
    }
}
