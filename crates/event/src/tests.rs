use super::*;
use proptest::prelude::*;
use serde_json::json;

#[test]
fn registry_has_the_33_events_of_2_1_330_once_each() {
    assert_eq!(EVENTS.len(), 33);
    let mut names: Vec<_> = EVENTS.iter().map(|e| e.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 33);
}

#[test]
fn every_registered_event_has_a_typed_body() {
    for info in EVENTS {
        let ev = Event::parse(
            json!({"hook_event_name": info.name, "session_id": "s"})
                .to_string()
                .as_bytes(),
        )
        .unwrap();
        assert!(ev.is_known(), "{} has no typed body", info.name);
        assert_eq!(ev.name, info.name);
    }
}

#[test]
fn post_tool_use_failure_as_observed_from_the_real_cli() {
    let raw = br#"{"session_id":"abc","transcript_path":"/t.jsonl","cwd":"/p","prompt_id":"u1","permission_mode":"default","effort":{"level":"high"},"hook_event_name":"PostToolUseFailure","tool_name":"Bash","tool_input":{"command":"ls /definitely/missing/path"},"tool_use_id":"toolu_1","error":"Exit code 2\nls: cannot access '/definitely/missing/path': No such file or directory","is_interrupt":false,"duration_ms":41}"#;
    let ev = Event::parse(raw).unwrap();
    assert_eq!(ev.tool_name(), Some("Bash"));
    assert_eq!(ev.tool_use_id(), Some("toolu_1"));
    assert_eq!(ev.is_interrupt(), Some(false));
    assert_eq!(ev.duration_ms(), Some(41));
    assert!(ev.error().unwrap().starts_with("Exit code 2"));
    assert_eq!(
        ev.common.effort.as_ref().unwrap().level.as_deref(),
        Some("high")
    );
    assert!(ev.extra.is_empty(), "nothing unclaimed: {:?}", ev.extra);
}

#[test]
fn unknown_fields_and_mistyped_fields_are_kept_not_rejected() {
    let ev = Event::parse(br#"{"hook_event_name":"StopFailure","error":"rate_limit","brand_new":{"x":1},"duration_ms":"soon","session_id":42}"#).unwrap();
    assert_eq!(ev.error(), Some("rate_limit"));
    assert_eq!(ev.extra["brand_new"], json!({"x":1}));
    assert_eq!(
        ev.extra["session_id"],
        json!(42),
        "wrong type stays in extra"
    );
    assert_eq!(ev.common.session_id, None);
}

#[test]
fn unknown_event_names_are_kept_with_all_their_fields() {
    let ev =
        Event::parse(br#"{"hook_event_name":"FutureEvent","session_id":"s","foo":"bar"}"#).unwrap();
    assert!(!ev.is_known());
    assert_eq!(ev.name, "FutureEvent");
    assert_eq!(ev.common.session_id.as_deref(), Some("s"));
    assert_eq!(ev.extra["foo"], "bar");
}

#[test]
fn missing_event_name_is_an_unknown_event_not_an_error() {
    let ev = Event::parse(br#"{"session_id":"s"}"#).unwrap();
    assert_eq!(ev.name, "");
    assert!(!ev.is_known());
}

#[test]
fn null_counts_as_missing() {
    let ev = Event::parse(
        br#"{"hook_event_name":"PostToolUseFailure","error":null,"tool_name":"Bash"}"#,
    )
    .unwrap();
    assert_eq!(ev.error(), None);
    assert!(ev.extra.is_empty());
}

#[test]
fn bad_input_is_a_parse_error_with_position() {
    match Event::parse(b"{\"a\":") {
        Err(ParseError::NotJson { line: 1, .. }) => {}
        other => panic!("{other:?}"),
    }
    assert!(matches!(Event::parse(b"[1,2]"), Err(ParseError::NotObject)));
    assert!(Event::parse(b"").is_err());
    assert!(Event::parse(&[0xff, 0xfe, 0x00, 0x01]).is_err());
}

proptest! {
    #[test]
    fn parse_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = Event::parse(&bytes);
    }

    #[test]
    fn parse_never_panics_on_arbitrary_json_objects(
        name in prop::sample::select(EVENTS.iter().map(|e| e.name).chain(["", "Nope"]).collect::<Vec<_>>()),
        keys in proptest::collection::vec("[a-z_]{1,20}", 0..8),
        vals in proptest::collection::vec(prop_oneof![Just(json!(null)), Just(json!(1)), Just(json!("s")), Just(json!([1])), Just(json!({"a":true}))], 0..8),
    ) {
        let mut m = serde_json::Map::new();
        m.insert("hook_event_name".into(), json!(name));
        for (k, v) in keys.iter().zip(vals) { m.insert(k.clone(), v); }
        let n = m.len();
        let ev = Event::parse(serde_json::Value::Object(m).to_string().as_bytes()).unwrap();
        // Conservation: every non-null field is either modelled or in extra.
        prop_assert!(ev.extra.len() <= n);
    }
}
