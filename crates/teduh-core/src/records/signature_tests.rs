use super::*;

#[test]
fn a_small_order_device_key_cannot_vouch_for_any_record() {
    // The identity point as a "public key" and the all-identity signature satisfy the plain
    // Ed25519 equation for every message: a forger who gets such a key into a roster could
    // sign anything. Strict verification refuses weak keys.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let weak = VerifyingKey::from_bytes(&identity).expect("a point on the curve");
    let mut signature = vec![0u8; 64];
    signature[0] = 1;
    let forged = RecordRow {
        device: DeviceId([1; 16]),
        seq: 1,
        hlc: Hlc(1),
        kind: RecordKind::Note,
        op: Op::Create,
        entity: EntityId([2; 16]),
        client: ClientId([3; 16]),
        parent: None,
        epoch: 1,
        format: CURRENT_FORMAT,
        payload: b"anything the forger likes".to_vec(),
        signature: signature.clone(),
    };
    let team = TeamId([4; 16]);
    let sig = Signature::from_bytes(&signature.try_into().expect("64 bytes"));
    assert!(
        ed25519_dalek::Verifier::verify(&weak, &signing_bytes(&team, &forged), &sig).is_ok(),
        "the attack: plain verification accepts the forgery"
    );
    assert!(
        matches!(
            verify(&team, &weak, &forged),
            Err(RecordError::BadSignature { .. })
        ),
        "the record log refuses it"
    );
}
