//! Golden vectors freezing envelope format version 1.
//!
//! The vectors in `tests/vectors/envelope_v1.json` were produced once by this crate and are never
//! regenerated: if this test fails, the format changed, and old data would no longer open.
//! (To create the file for a *new* format version, run with `TEDUH_WRITE_VECTORS=1`.)

use serde_json::{json, Value};
use teduh_protocol::envelope::{self, RecordBinding, SealingKey};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("vector file holds hex"))
        .collect()
}

fn arr<const N: usize>(v: &[u8]) -> [u8; N] {
    v.try_into()
        .expect("vector field has the documented length")
}

/// One case: (name, key, key id, nonce, context, plaintext).
type Case = (String, Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>);

fn cases() -> Vec<Case> {
    let binding = RecordBinding {
        team: [0x11; 16],
        device: [0x22; 16],
        device_seq: 42,
        kind: "note",
        entity: [0x33; 16],
        field: "narrative",
    };
    vec![
        (
            "empty plaintext, empty context".into(),
            vec![0u8; 32],
            vec![0u8; 16],
            vec![0u8; 12],
            vec![],
            vec![],
        ),
        (
            "record field bound to its record".into(),
            (0u8..32).collect(),
            vec![0xAB; 16],
            (100u8..112).collect(),
            binding.to_aad(),
            "\"Klien melaporkan tidur membaik.\"".as_bytes().to_vec(),
        ),
        (
            "binary payload, 100 bytes".into(),
            vec![0xFE; 32],
            (0u8..16).collect(),
            vec![0x01; 12],
            b"key-wrap".to_vec(),
            (0u8..100).collect(),
        ),
    ]
}

#[test]
fn envelope_v1_matches_the_golden_vectors() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/envelope_v1.json"
    );
    if std::env::var_os("TEDUH_WRITE_VECTORS").is_some() {
        let vectors: Vec<Value> = cases()
            .into_iter()
            .map(|(name, key, key_id, nonce, context, plaintext)| {
                let env = envelope::seal(
                    &SealingKey {
                        id: arr(&key_id),
                        key: &arr(&key),
                    },
                    arr(&nonce),
                    &context,
                    &plaintext,
                );
                json!({
                    "name": name, "key": hex(&key), "key_id": hex(&key_id), "nonce": hex(&nonce),
                    "context": hex(&context), "plaintext": hex(&plaintext), "envelope": hex(&env),
                })
            })
            .collect();
        let text = serde_json::to_string_pretty(&vectors).expect("serialises");
        std::fs::write(path, text + "\n").expect("writes vectors");
    }
    let text = std::fs::read_to_string(path).expect("golden vectors are committed");
    let vectors: Vec<Value> = serde_json::from_str(&text).expect("vector file is JSON");
    assert_eq!(
        vectors.len(),
        cases().len(),
        "every case has a frozen vector"
    );
    for v in vectors {
        let f = |k: &str| unhex(v[k].as_str().expect("hex string field"));
        let name = v["name"].as_str().expect("name");
        let key: [u8; 32] = arr(&f("key"));
        let sk = SealingKey {
            id: arr(&f("key_id")),
            key: &key,
        };
        let sealed = envelope::seal(&sk, arr(&f("nonce")), &f("context"), &f("plaintext"));
        assert_eq!(
            hex(&sealed),
            hex(&f("envelope")),
            "{name}: sealing must reproduce the frozen bytes exactly"
        );
        let opened = envelope::open(&sk, &f("context"), &f("envelope")).expect("vector opens");
        assert_eq!(
            opened,
            f("plaintext"),
            "{name}: the frozen envelope must still open"
        );
        let mut tampered = f("envelope");
        let last = tampered.len() - 1;
        tampered[last] ^= 0x80;
        assert_eq!(
            envelope::open(&sk, &f("context"), &tampered),
            Err(envelope::EnvelopeError::Integrity),
            "{name}: a flipped tag bit must be an integrity error"
        );
    }
}
