//! OpenTelemetry export end to end: the real Claude Code CLI (2.1.330)
//! against the API stand-in, hookwatch installed as a user would with
//! `[otel]` pointed at an OTLP receiver built on the official protobuf
//! definitions, and Claude Code's own OTLP export pointed at the same
//! receiver. A backend joins the two on `session.id` and `prompt.id`.

mod common;
use common::BIN;
use hookwatch_testkit::otlp::{attrs, Collector};
use hookwatch_testkit::{require_claude, Action, ApiStandin, TempProject};
use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Command;
use std::time::Duration;

fn hw(tp: &TempProject) -> Command {
    let mut c = Command::new(BIN);
    c.env("HOOKWATCH_HOME", tp.hookwatch_home())
        .env("HOME", tp.home());
    for (k, _) in std::env::vars() {
        if k.starts_with("OTEL_") {
            c.env_remove(k);
        }
    }
    c
}

/// (scope name, record attributes) of every log record received.
fn records(reqs: &[Value]) -> Vec<(String, serde_json::Map<String, Value>)> {
    let mut out = Vec::new();
    for r in reqs
        .iter()
        .filter(|r| r["path"] == "/v1/logs" && r["status"] == 200)
    {
        for rl in r["body"]["resource_logs"].as_array().into_iter().flatten() {
            for sl in rl["scope_logs"].as_array().into_iter().flatten() {
                let scope = sl["scope"]["name"].as_str().unwrap_or("").to_string();
                for rec in sl["log_records"].as_array().into_iter().flatten() {
                    out.push((scope.clone(), attrs(&rec["attributes"])));
                }
            }
        }
    }
    out
}

#[test]
fn hookwatch_and_claude_code_records_share_session_and_prompt_ids() {
    let claude = require_claude();
    let tp = TempProject::new().unwrap();
    let collector = Collector::start();
    let project = tp.project().to_str().unwrap().to_owned();
    let out = hw(&tp)
        .args(["install", "--scope", "project", "--project-dir", &project])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(
        tp.hookwatch_home().join("config.toml"),
        format!(
            "[otel]\nendpoint = \"{}\"\n\n[alerts.delivery]\nlinger = \"1s\"\n",
            collector.url()
        ),
    )
    .unwrap();
    let api = ApiStandin::start(vec![
        Action::bash("ls /definitely-not-here"),
        Action::text("That path does not exist."),
    ])
    .unwrap();
    let url = collector.url();
    let run = tp
        .run_claude(
            &claude,
            &api.base_url(),
            "list a missing directory",
            "Bash",
            &[
                ("CLAUDE_CODE_ENABLE_TELEMETRY", "1"),
                ("OTEL_LOGS_EXPORTER", "otlp"),
                ("OTEL_METRICS_EXPORTER", "otlp"),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
                ("OTEL_EXPORTER_OTLP_ENDPOINT", &url),
                ("OTEL_LOGS_EXPORT_INTERVAL", "500"),
                ("OTEL_METRIC_EXPORT_INTERVAL", "1000"),
            ],
            Duration::from_secs(120),
        )
        .unwrap();
    let session = run.session_id().expect("a session id").to_string();
    let reqs = collector.wait_for(
        "hookwatch's and Claude Code's records of the session",
        Duration::from_secs(60),
        || {
            let _ = hw(&tp).arg("drain").output();
        },
        |r| {
            let recs = records(r);
            let mine = |scope: &str| {
                recs.iter().any(|(s, a)| {
                    s == scope && a.get("session.id").and_then(|v| v.as_str()) == Some(&session)
                })
            };
            mine("hookwatch")
                && mine("com.anthropic.claude_code.events")
                && recs
                    .iter()
                    .any(|(s, a)| s == "hookwatch" && a["hookwatch.event"] == "Stop")
        },
    );
    let recs = records(&reqs);
    let ours: Vec<_> = recs.iter().filter(|(s, _)| s == "hookwatch").collect();
    let theirs: Vec<_> = recs
        .iter()
        .filter(|(s, a)| {
            s == "com.anthropic.claude_code.events"
                && a.get("session.id").and_then(|v| v.as_str()) == Some(&session)
        })
        .collect();
    // Every hookwatch record of the run carries the session Claude Code's
    // records carry.
    for (_, a) in &ours {
        assert_eq!(a["session.id"], session.as_str(), "{a:?}");
    }
    assert!(
        ours.iter()
            .any(|(_, a)| a["hookwatch.event"] == "PostToolUseFailure"),
        "the failed ls: {ours:?}"
    );
    // The prompt ids: Claude Code's `prompt.id` is the hook input's
    // prompt_id, so both sides name the same turn.
    let our_prompts: BTreeSet<&str> = ours
        .iter()
        .filter_map(|(_, a)| a.get("prompt.id").and_then(|v| v.as_str()))
        .collect();
    let their_prompts: BTreeSet<&str> = theirs
        .iter()
        .filter_map(|(_, a)| a.get("prompt.id").and_then(|v| v.as_str()))
        .collect();
    assert!(!our_prompts.is_empty(), "{ours:?}");
    assert!(!their_prompts.is_empty(), "{theirs:?}");
    assert_eq!(
        our_prompts, their_prompts,
        "one prompt, named alike on both sides"
    );
    // Claude Code's own tool_result for the same call, by tool_use_id.
    let our_calls: BTreeSet<&str> = ours
        .iter()
        .filter_map(|(_, a)| a.get("gen_ai.tool.call.id").and_then(|v| v.as_str()))
        .collect();
    let their_calls: BTreeSet<&str> = theirs
        .iter()
        .filter_map(|(_, a)| a.get("tool_use_id").and_then(|v| v.as_str()))
        .collect();
    assert!(!their_calls.is_empty(), "{theirs:?}");
    assert_eq!(our_calls, their_calls, "the same tool call on both sides");
    let dir = hookwatch_testkit::claude::workspace_root().join("target/test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("e2e-otel-records.json"),
        serde_json::to_string_pretty(
            &recs
                .iter()
                .map(|(s, a)| serde_json::json!({"scope": s, "attributes": a}))
                .collect::<Vec<_>>(),
        )
        .unwrap(),
    )
    .unwrap();
    eprintln!(
        "{} hookwatch records, {} Claude Code records of session {session}; prompt ids: ours {our_prompts:?}, Claude Code's {their_prompts:?}",
        ours.len(),
        theirs.len()
    );
}
