//! Hook doctor and health with the real Claude Code CLI (2.1.330) and the
//! API stand-in: a project with a slow foreign Stop hook, a failing
//! PreToolUse hook and one that never fires (a lower-case matcher).
//! `hookwatch doctor` names the matcher statically; after a real session,
//! `hookwatch health` reports the slow and the failing hook with the
//! numbers Claude Code recorded.

mod common;
use common::{json_lines, BIN};
use hookwatch_testkit::{require_claude, Action, ApiStandin, TempProject};
use serde_json::{json, Value};
use std::process::Command;
use std::time::Duration;

#[test]
fn doctor_finds_the_dead_matcher_and_health_the_slow_and_failing_hooks() {
    let claude = require_claude();
    let tp = TempProject::new().unwrap();
    tp.write_project_settings(&json!({"hooks": {
        "PreToolUse": [
            {"matcher": "Bash", "hooks": [{"type": "command", "command": "echo 'lint failed: 3 problems' >&2; exit 1", "timeout": 10}]},
            {"matcher": "bash", "hooks": [{"type": "command", "command": "echo never >> /tmp/never-fires", "timeout": 10}]}
        ],
        "Stop": [{"hooks": [{"type": "command", "command": "sleep 1.5", "timeout": 10}]}]
    }}))
    .unwrap();
    let hw = |args: &[&str]| {
        Command::new(BIN)
            .env("HOME", tp.home())
            .env("HOOKWATCH_HOME", tp.hookwatch_home())
            .env_remove("CLAUDE_CONFIG_DIR")
            .args(args)
            .output()
            .unwrap()
    };
    let project = tp.project().to_str().unwrap().to_owned();
    let out = hw(&["doctor", "--json", "--project", &project]);
    assert_eq!(out.status.code(), Some(1), "an error-level finding");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "matcher-tool-case")
        .unwrap_or_else(|| panic!("{report:#}"));
    let text = std::fs::read_to_string(tp.project().join(".claude/settings.json")).unwrap();
    let line = text
        .lines()
        .nth(f["line"].as_u64().unwrap() as usize - 1)
        .unwrap();
    assert!(
        line.contains("\"bash\""),
        "the finding names the matcher's line: {line}"
    );
    assert!(f["fix"].as_str().unwrap().contains("Bash"));

    // --live: Claude Code really runs (the stand-in answers its one turn):
    // the lower-case matcher's hook did not run on the Bash call.
    let api = ApiStandin::start(vec![Action::bash("true"), Action::text("done")]).unwrap();
    let out = Command::new(BIN)
        .env("HOME", tp.home())
        .env("HOOKWATCH_HOME", tp.hookwatch_home())
        .env("ANTHROPIC_BASE_URL", api.base_url())
        .env("ANTHROPIC_API_KEY", "sk-ant-test")
        .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
        .env("DISABLE_AUTOUPDATER", "1")
        .env("CLAUDE_CODE_MAX_RETRIES", "0")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env_remove("CLAUDE_CONFIG_DIR")
        .env_remove("CLAUDECODE")
        .args([
            "doctor",
            "--json",
            "--live",
            "--spend-tokens",
            "--project",
            &project,
            "--claude",
        ])
        .arg(&claude)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let live = v["live"].as_array().unwrap();
    let by = |cmd: &str| {
        live.iter()
            .find(|l| l["command"].as_str().unwrap().starts_with(cmd))
            .unwrap()
            .clone()
    };
    assert_eq!(by("echo never")["status"], "did-not-run", "{live:#?}");
    assert_eq!(by("echo 'lint failed")["status"], "ran");
    assert_eq!(by("echo 'lint failed")["exit"], 1);
    assert_eq!(by("sleep 1.5")["status"], "ran");
    assert!(by("sleep 1.5")["ms"].as_u64().unwrap() >= 1500);

    for _ in 0..2 {
        let api = ApiStandin::start(vec![Action::bash("echo hi"), Action::text("done")]).unwrap();
        let run = tp
            .run_claude(
                &claude,
                &api.base_url(),
                "say hi",
                "Bash",
                &[],
                Duration::from_secs(120),
            )
            .unwrap();
        assert!(run.status.success(), "{}", run.stderr);
    }
    let out = hw(&["health", "--json", "--project", &project]);
    assert!(out.status.success(), "{out:?}");
    let rows = json_lines(&out);
    let by = |cmd: &str| {
        rows.iter()
            .find(|r| r["command"].as_str().unwrap().starts_with(cmd))
            .unwrap_or_else(|| panic!("{cmd}: {rows:#?}"))
            .clone()
    };
    let failing = by("echo 'lint failed");
    assert_eq!(failing["event"], "PreToolUse");
    // Two sessions, and the --live probe's turn.
    assert_eq!(failing["runs"], 3);
    assert_eq!(failing["errors"], 3);
    assert_eq!(failing["exit_codes"]["1"], 3);
    assert_eq!(failing["last_stderr"], "lint failed: 3 problems");
    assert_eq!(failing["sessions"], 3);
    let slow = by("sleep 1.5");
    assert_eq!(slow["event"], "Stop");
    assert_eq!(slow["runs"], 3);
    assert!(slow["p50_ms"].as_u64().unwrap() >= 1500, "{slow}");
    assert!(
        rows.iter()
            .all(|r| !r["command"].as_str().unwrap().contains("never-fires")),
        "the dead hook never ran"
    );
    assert_eq!(failing["registered"], true);
    // Drift: the Stop hook is removed from the settings; the sessions that
    // ran it ran an older configuration.
    tp.write_project_settings(&json!({"hooks": {
        "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "echo 'lint failed: 3 problems' >&2; exit 1", "timeout": 10}]}]
    }}))
    .unwrap();
    let rows = json_lines(&hw(&["health", "--json", "--project", &project]));
    let slow = rows.iter().find(|r| r["command"] == "sleep 1.5").unwrap();
    assert_eq!(slow["registered"], false, "{slow}");
    let text = hw(&["health", "--project", &project]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("lower bound"));
}
