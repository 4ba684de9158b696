use super::*;

#[test]
fn payload_framing_round_trips_and_rejects_trailing_bytes() {
    let fields = vec![
        ("name".to_owned(), vec![1, 2, 3]),
        ("narrative".to_owned(), vec![]),
    ];
    let enc = encode_payload(&fields);
    let dec = decode_payload(&enc).expect("decodes");
    assert_eq!(
        dec,
        vec![("name", &[1u8, 2, 3][..]), ("narrative", &[][..])],
        "round trip"
    );
    let mut longer = enc.clone();
    longer.push(0);
    assert!(
        decode_payload(&longer).is_none(),
        "trailing garbage is malformed"
    );
    assert!(
        decode_payload(&enc[..enc.len() - 1]).is_none(),
        "truncation is malformed"
    );
}

type Fields = Vec<(String, Vec<u8>)>;

fn note_record(seq: u64, hlc: u64, op: Op, fields: &[(&str, &[u8])]) -> (RecordRow, Fields) {
    let row = RecordRow {
        device: DeviceId([1; 16]),
        seq,
        hlc: Hlc(hlc),
        kind: RecordKind::Note,
        op,
        entity: EntityId([2; 16]),
        client: ClientId([3; 16]),
        parent: None,
        epoch: 1,
        format: CURRENT_FORMAT,
        payload: vec![],
        signature: vec![],
        erased: None,
    };
    let sealed = fields
        .iter()
        .map(|(n, v)| ((*n).to_owned(), v.to_vec()))
        .collect();
    (row, sealed)
}

#[test]
fn finalised_text_wins_over_earlier_and_later_edits_in_any_arrival_order() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let records = [
        note_record(1, 10, Op::Create, &[("narrative", b"draft")]),
        note_record(2, 20, Op::Update, &[("narrative", b"edited")]),
        note_record(
            3,
            30,
            Op::Update,
            &[("narrative", b"edited"), (FINALISED_FIELD, b"t")],
        ),
        // An edit made after finalisation (e.g. on a device that had not synced yet).
        note_record(4, 40, Op::Update, &[("narrative", b"too late")]),
    ];
    let orders = [
        [0, 1, 2, 3],
        [3, 2, 1, 0],
        [0, 3, 1, 2],
        [2, 3, 0, 1],
        [1, 0, 3, 2],
    ];
    for (i, order) in orders.iter().enumerate() {
        let store =
            crate::store::LocalStore::open(&tmp.path().join(format!("{i}.db"))).expect("store");
        for &k in order {
            let (row, fields) = &records[k];
            apply(store.connection(), row, fields).expect("applies");
        }
        let v: Vec<u8> = store
            .connection()
            .query_row(
                "SELECT value FROM entity_fields WHERE field = 'narrative'",
                [],
                |r| r.get(0),
            )
            .expect("narrative");
        assert_eq!(
            v, b"edited",
            "order {order:?}: the finalised text must stay final"
        );
    }
}
