//! Property tests: nothing panics on arbitrary input, fingerprints are
//! deterministic and bounded.

use hookwatch_failure::{command_head, fingerprint, Failure, Rules, UserRule};
use proptest::prelude::*;
use serde_json::Value;

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        ".{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("command".to_string()),
                        Just("file_path".to_string()),
                        ".{0,8}"
                    ],
                    inner
                ),
                0..4
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Error texts: lossy-decoded bytes, shell-ish text around keywords, or the
/// Bash "Exit code" framing.
fn arb_error() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..600)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        ".{0,300}",
        (
            0i64..300,
            prop::collection::vec(
                prop_oneof![
                    Just("error[E0425]: x".to_string()),
                    Just("Exit code 1".to_string()),
                    Just("/tmp/tmp.ab12/x.rs:3:5".to_string()),
                    Just("No module named '".to_string()),
                    Just("Cannot find module \"".to_string()),
                    Just("command not found: ".to_string()),
                    Just("sh: 1: ".to_string()),
                    Just("\u{1b}[31m".to_string()),
                    Just("https://a@b:1/".to_string()),
                    Just("0x".to_string()),
                    Just("~/".to_string()),
                    Just("=== 1 failed in 0.1s ===".to_string()),
                    "[ -~]{0,20}",
                    "\\PC{0,10}",
                ],
                0..20
            )
        )
            .prop_map(|(c, parts)| format!("Exit code {c}\n{}", parts.join(""))),
    ]
}

fn arb_tool() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Bash".to_string()),
        Just("Read".to_string()),
        Just("Edit".to_string()),
        Just("mcp__srv__tool".to_string()),
        ".{0,20}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn classify_never_panics(tool in arb_tool(), input in arb_json(), error in arb_error(),
                             interrupt in any::<bool>(), cwd in ".{0,20}") {
        let rules = Rules::new(&[UserRule {
            error: Some("(?i)boom".into()),
            advice: Some("a".into()),
            ..Default::default()
        }]).unwrap();
        let f = Failure {
            tool_name: &tool,
            tool_input: Some(&input),
            error: &error,
            is_interrupt: interrupt,
            mcp_server: None,
            cwd: Some(&cwd),
            project_dir: None,
        };
        let (v, errs) = rules.classify(&f);
        prop_assert!(errs.is_empty());
        prop_assert_eq!(v.fingerprint.id.len(), 16);
        prop_assert!(v.fingerprint.normalized_error.len() <= 512);
        // Deterministic.
        let again = fingerprint(&f);
        prop_assert_eq!(&v.fingerprint, &again);
    }

    #[test]
    fn command_head_never_panics(cmd in prop_oneof![".{0,200}", "[a-z =&|;'\"\\\\()-]{0,80}"]) {
        if let Some(h) = command_head(&cmd) {
            prop_assert!(!h.is_empty());
            prop_assert!(h.len() <= 200);
        }
    }

    #[test]
    fn bash_commands_never_panic(cmd in ".{0,120}", error in arb_error()) {
        let input = serde_json::json!({ "command": cmd });
        let f = Failure {
            tool_name: "Bash",
            tool_input: Some(&input),
            error: &error,
            is_interrupt: false,
            mcp_server: None,
            cwd: None,
            project_dir: None,
        };
        let (a, _) = Rules::new(&[]).unwrap().classify(&f);
        let (b, _) = Rules::new(&[]).unwrap().classify(&f);
        prop_assert_eq!(a.fingerprint, b.fingerprint);
        prop_assert_eq!(a.class, b.class);
    }
}

#[test]
fn huge_non_ascii_errors() {
    let mut s = String::from("Exit code 1\n");
    for i in 0..200_000 {
        s.push_str(
            [
                "é",
                "日本",
                "🙂",
                "\u{0}",
                "\r\n",
                "error ",
                "/tmp/x/é.rs:1:2 ",
            ][i % 7],
        );
    }
    let bytes: Vec<u8> = (0..2_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let lossy = String::from_utf8_lossy(&bytes).into_owned();
    for e in [s, lossy] {
        let input = serde_json::json!({ "command": "cargo test" });
        let f = Failure {
            tool_name: "Bash",
            tool_input: Some(&input),
            error: &e,
            is_interrupt: false,
            mcp_server: None,
            cwd: None,
            project_dir: None,
        };
        let (v, _) = Rules::new(&[]).unwrap().classify(&f);
        assert!(v.fingerprint.normalized_error.len() <= 512);
        assert_eq!(fingerprint(&f), v.fingerprint);
    }
}
