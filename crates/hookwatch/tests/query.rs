//! events, show, stats, tail, config, completions, demo.

mod common;
use common::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn seed(h: &Home) {
    let evs = [
        json!({"hook_event_name":"SessionStart","session_id":"A","cwd":"/w/a","source":"startup"}),
        json!({"hook_event_name":"PostToolUse","session_id":"A","cwd":"/w/a","tool_name":"Bash","tool_use_id":"t1","tool_input":{"command":"ls"},"duration_ms":4}),
        failure_event("A", "t2", 300),
        json!({"hook_event_name":"PostToolUseFailure","session_id":"B","cwd":"/w/b","tool_name":"Read","tool_use_id":"t3","error":"File does not exist.","is_interrupt":false}),
        json!({"hook_event_name":"PostToolUseFailure","session_id":"B","cwd":"/w/b","tool_name":"Bash","tool_use_id":"t4","error":"Interrupted","is_interrupt":true}),
        json!({"hook_event_name":"StopFailure","session_id":"B","cwd":"/w/b","error":"rate_limit"}),
    ];
    for e in evs {
        assert!(h.hook(e.to_string().as_bytes()).status.success());
    }
}

#[test]
fn events_json_has_the_documented_fields_and_filters_work() {
    let h = Home::new();
    seed(&h);
    let all = h.events(&[]);
    assert_eq!(all.len(), 6);
    for key in [
        "id",
        "time",
        "event",
        "session_id",
        "cwd",
        "tool_name",
        "tool_use_id",
        "error",
        "is_interrupt",
        "duration_ms",
        "payload",
    ] {
        assert!(all[0].get(key).is_some(), "missing {key}");
    }
    let ids: Vec<i64> = all.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "oldest first");
    assert_eq!(h.events(&["--event", "PostToolUseFailure"]).len(), 3);
    assert_eq!(h.events(&["--session", "B"]).len(), 3);
    assert_eq!(h.events(&["--tool", "Bash"]).len(), 3);
    assert_eq!(h.events(&["--tool", "Bash", "--session", "B"]).len(), 1);
    assert_eq!(h.events(&["--since", "1h"]).len(), 6);
    let last2 = h.events(&["--limit", "2"]);
    assert_eq!(last2.len(), 2);
    assert_eq!(last2[1]["event"], "StopFailure");
    let bad = h.run(&["events", "--since", "yesterday"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("e.g. 30s"));
}

#[test]
fn human_views_show_something_useful() {
    let h = Home::new();
    let empty = String::from_utf8(h.run(&["events"]).stdout).unwrap();
    assert!(empty.contains("hookwatch demo"), "{empty}");
    seed(&h);
    let out = String::from_utf8(h.run(&["events"]).stdout).unwrap();
    assert!(
        out.contains("PostToolUseFailure") && out.contains("File does not exist."),
        "{out}"
    );
    let show = String::from_utf8(h.run(&["show", "4"]).stdout).unwrap();
    assert!(
        show.contains("File does not exist.") && show.contains("payload (scrubbed)"),
        "{show}"
    );
    let missing = h.run(&["show", "999"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no event with id 999"));
}

#[test]
fn show_json_is_the_full_event() {
    let h = Home::new();
    seed(&h);
    let out = h.run(&["show", "6", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["event"], "StopFailure");
    assert_eq!(v["payload"]["error"], "rate_limit");
}

#[test]
fn stats_counts_failures_per_tool_event_project_and_stop_failure_type() {
    let h = Home::new();
    seed(&h);
    let out = h.run(&["stats", "--json"]);
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["events"], 6);
    assert_eq!(s["sessions"], 2);
    assert_eq!(
        s["per_tool"][0],
        json!({"tool":"Bash","calls":3,"failures":2,"interrupts":1})
    );
    assert_eq!(
        s["per_tool"][1],
        json!({"tool":"Read","calls":1,"failures":1,"interrupts":0})
    );
    assert_eq!(s["stop_failures"], json!([{"key":"rate_limit","count":1}]));
    assert_eq!(
        s["failures_per_project"],
        json!([{"key":"/w/b","count":3},{"key":"/work/shop","count":1}])
    );
    let text = String::from_utf8(h.run(&["stats"]).stdout).unwrap();
    assert!(
        text.contains("Failures per tool") && text.contains("66.7%"),
        "{text}"
    );
}

#[test]
fn tail_follows_new_events() {
    let h = Home::new();
    seed(&h);
    let mut child = h
        .cmd()
        .args([
            "tail",
            "--json",
            "--limit",
            "1",
            "--event",
            "PostToolUseFailure",
            "--interval-ms",
            "50",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(first["tool_use_id"], "t4");
    let start = Instant::now();
    h.hook(
        json!({"hook_event_name":"PostToolUse","session_id":"C","tool_name":"Bash"})
            .to_string()
            .as_bytes(),
    );
    h.hook(failure_event("C", "t-live", 200).to_string().as_bytes());
    let next: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(
        next["tool_use_id"], "t-live",
        "filtered: the PostToolUse is skipped"
    );
    assert!(start.elapsed() < Duration::from_secs(10));
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn config_shows_values_and_their_origin() {
    let h = Home::new();
    let v: Value = serde_json::from_slice(&h.run(&["config", "--json"]).stdout).unwrap();
    assert_eq!(v["paths_from"], "HOOKWATCH_HOME");
    assert_eq!(v["config"]["store"]["max_payload_bytes"], 262144);
    assert_eq!(v["origins"][0]["source"], "default");
    let env = h
        .cmd()
        .args(["config", "--json"])
        .env("HOOKWATCH_MAX_PAYLOAD_BYTES", "100000")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&env.stdout).unwrap();
    assert_eq!(v["config"]["store"]["max_payload_bytes"], 100000);
    assert_eq!(v["origins"][0]["source"], "env HOOKWATCH_MAX_PAYLOAD_BYTES");
    let default = String::from_utf8(h.run(&["config", "default"]).stdout).unwrap();
    assert!(default.contains("max_payload_bytes = 262144"));
}

#[test]
fn completions_and_help() {
    let h = Home::new();
    for shell in ["bash", "zsh", "fish"] {
        let out = h.run(&["completions", shell]);
        assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("hookwatch"));
    }
    let help = String::from_utf8(h.run(&["--help"]).stdout).unwrap();
    assert!(help.contains("Exit codes") && help.contains("HOOKWATCH_HOME"));
    assert_eq!(h.run(&["no-such-command"]).status.code(), Some(2));
}

#[test]
fn demo_runs_the_real_hook_path_and_scrubs() {
    let h = Home::new();
    let home = h.path().join("demo");
    let out = h.run(&["demo", "--home", home.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("PostToolUseFailure") && text.contains("[REDACTED:"),
        "{text}"
    );
    assert!(!text.contains("Tr0ub4dor-and-3"));
    // The guard's denial and the advice are part of the show.
    assert!(text.contains("\"permissionDecision\":\"deny\""), "{text}");
    assert!(text.contains("additionalContext"), "{text}");
    let rows = h
        .cmd()
        .env("HOOKWATCH_HOME", &home)
        .args(["events", "--json"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&rows.stdout).lines().count(), 13);
}

/// Session ids are kept as sent; a non-ASCII one must not crash the table view.
#[test]
fn non_ascii_session_ids_display() {
    let h = Home::new();
    h.hook(
        json!({"hook_event_name":"Stop","session_id":"séssion-ünïcode-🎉"})
            .to_string()
            .as_bytes(),
    );
    let out = h.run(&["events"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("séssion-"));
}
