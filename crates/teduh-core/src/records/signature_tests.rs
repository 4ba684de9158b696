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
        erased: None,
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

#[test]
fn an_erased_body_leaves_a_header_that_still_verifies_and_nothing_else_does() {
    let signing = SigningKey::from_bytes(&[7; 32]);
    let team = TeamId([4; 16]);
    let mut row = RecordRow {
        device: DeviceId([1; 16]),
        seq: 9,
        hlc: Hlc(1 << 20),
        kind: RecordKind::Note,
        op: Op::Create,
        entity: EntityId([2; 16]),
        client: ClientId([3; 16]),
        parent: None,
        epoch: 2,
        format: CURRENT_FORMAT,
        payload: b"sealed body of a note that will be erased".to_vec(),
        signature: Vec::new(),
        erased: None,
    };
    sign(&team, &signing, &mut row);
    let key = signing.verifying_key();
    verify(&team, &key, &row).expect("the whole record verifies");

    // Erasure: the body goes, its digest stays.
    let digest = body_digest(&row);
    let mut erased = row.clone();
    erased.payload.clear();
    verify_erased(&team, &key, &erased, &digest).expect("the header still verifies");
    assert!(
        verify(&team, &key, &erased).is_err(),
        "without the digest the erased record is not the signed one"
    );
    // As the log keeps it: the digest in the row, so every check of the log verifies it.
    let mut kept = erased.clone();
    kept.erased = Some(digest);
    verify(&team, &key, &kept).expect("the row with its digest verifies");
    assert_eq!(signing_bytes(&team, &kept), signing_bytes(&team, &row));
    kept.erased = Some(BodyDigest {
        len: digest.len + 1,
        ..digest
    });
    assert!(verify(&team, &key, &kept).is_err(), "another length");

    // Nothing else passes for it: another body, another header field, a format-2 record.
    let other = BodyDigest {
        sha256: [0; 32],
        ..digest
    };
    assert!(verify_erased(&team, &key, &erased, &other).is_err());
    let mut moved = erased.clone();
    moved.client = ClientId([5; 16]);
    assert!(verify_erased(&team, &key, &moved, &digest).is_err());
    let mut clear = row.clone();
    clear.format = FORMAT_CLEAR_HEADER;
    sign(&team, &signing, &mut clear);
    assert!(verify_erased(&team, &key, &clear, &body_digest(&clear)).is_err());
}
