//! `hookwatch top`: its text through the real binary (`--once`, a pipe,
//! `--json`, filters), and the live view in a real terminal (tmux): the
//! figures on screen, a failure arriving while it runs, the event pane,
//! `q`. The last screen is kept in target/test-artifacts/top.txt.

mod common;
#[path = "common/tmux.rs"]
mod tmux;
use common::*;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tmux::Tmux;

/// Scrubbed before it is stored: never on screen.
const TOKEN: &str = "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8";

fn bash(session: &str, cwd: &str, id: &str, command: &str, error: Option<&str>) -> Value {
    let mut e = json!({
        "session_id": session, "transcript_path": "/tmp/t.jsonl", "cwd": cwd,
        "hook_event_name": "PostToolUse", "tool_name": "Bash", "tool_use_id": id,
        "tool_input": {"command": command}, "tool_response": {"stdout": "ok"},
    });
    if let Some(err) = error {
        e["hook_event_name"] = json!("PostToolUseFailure");
        e["error"] = json!(err);
        e["is_interrupt"] = json!(false);
    }
    e
}

/// /w/app: Bash 5 calls, 2 failed (40.0 %); the MCP server `github` 2
/// calls, 1 failed; /w/api: one StopFailure `rate_limit`.
fn seed(h: &Home) {
    let test_failure = format!(
        "Exit code 1\nFAIL src/db.test.ts\n  ● connects to the database\n    GITHUB_TOKEN={TOKEN} rejected"
    );
    let mut evs = vec![];
    for i in 0..3 {
        evs.push(bash("A", "/w/app", &format!("ok{i}"), "ls", None));
    }
    for i in 0..2 {
        evs.push(bash(
            "A",
            "/w/app",
            &format!("f{i}"),
            "npm test",
            Some(&test_failure),
        ));
    }
    evs.push(json!({
        "session_id": "A", "cwd": "/w/app", "hook_event_name": "PostToolUse",
        "tool_name": "mcp__github__create_issue", "tool_use_id": "m1", "tool_input": {"title": "x"},
        "tool_response": {"ok": true},
    }));
    evs.push(json!({
        "session_id": "A", "cwd": "/w/app", "hook_event_name": "PostToolUseFailure",
        "tool_name": "mcp__github__create_issue", "tool_use_id": "m2", "tool_input": {"title": "y"},
        "error": "connect ECONNREFUSED 127.0.0.1:443", "is_interrupt": false,
    }));
    evs.push(json!({
        "session_id": "B", "cwd": "/w/api", "hook_event_name": "StopFailure",
        "error": "rate_limit", "last_assistant_message": "API Error: Request rejected (429) · rate limit",
    }));
    for e in evs {
        assert!(h.hook(e.to_string().as_bytes()).status.success());
    }
}

fn stdout(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// The words of the first line that starts with `first` (after indentation).
fn row(text: &str, first: &str) -> Vec<String> {
    text.lines()
        .find(|l| l.trim_start().starts_with(&format!("{first} ")))
        .unwrap_or_else(|| panic!("no row {first:?} in\n{text}"))
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

#[test]
fn top_once_prints_the_figures_as_plain_text() {
    let h = Home::new();
    seed(&h);
    let t = stdout(&h.run(&["top", "--once"]));
    assert!(t.starts_with("hookwatch top · last 7d · all projects · all sessions\n"));
    assert!(
        t.contains("events 8 · tool calls 7 · failures 3 (42.9 %) · sessions 2 · StopFailures 1"),
        "{t}"
    );
    assert_eq!(row(&t, "Bash"), ["Bash", "5", "2", "40.0", "%"]);
    assert_eq!(row(&t, "github"), ["github", "2", "1", "50.0", "%"]);
    assert_eq!(row(&t, "rate_limit"), ["rate_limit", "1"]);
    // The repeated test failure is one fingerprint, counted twice.
    let fp = t
        .lines()
        .find(|l| l.contains("npm test") && l.contains("Bash"))
        .unwrap_or_else(|| panic!("{t}"));
    assert_eq!(fp.split_whitespace().next(), Some("2"), "{fp}");
    assert!(t.contains("connect ECONNREFUSED 127.0.0.1:443"));
    assert!(t.contains("[REDACTED:github-token]") && !t.contains(TOKEN));
    assert!(
        t.contains("notifications: pending 0 · dead 0 · sent 0"),
        "{t}"
    );
    assert!(!t.contains('\x1b'));

    // Into a pipe it prints the same, never escape codes.
    let piped = stdout(&h.run(&["top"]));
    assert_eq!(piped.lines().count(), t.lines().count());
    assert!(!piped.contains('\x1b'));
    assert_eq!(row(&piped, "Bash"), row(&t, "Bash"));

    // Filters.
    let api = stdout(&h.run(&["top", "--once", "--project", "/w/api", "--range", "24h"]));
    assert!(api.starts_with("hookwatch top · last 24h · project /w/api · all sessions\n"));
    assert!(
        api.contains("events 1 · tool calls 0 · failures 0 (0 %) · sessions 1 · StopFailures 1")
    );
    let a = stdout(&h.run(&["top", "--once", "--session", "A"]));
    assert!(
        a.contains("failures 3") && a.contains("StopFailures 0"),
        "{a}"
    );

    let j: Value = serde_json::from_str(&stdout(&h.run(&["top", "--json"]))).unwrap();
    assert_eq!(j["overview"]["totals"]["failures"], 3);
    assert_eq!(j["recent_failures"][0]["item"]["event"], "StopFailure");

    let bad = h.run(&["top", "--range", "yesterday"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("24h"));
}

fn artifact(name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn top_live_in_a_real_terminal() {
    let h = Home::new();
    seed(&h);
    let tmux = Tmux::new("top", Duration::from_secs(15));
    let started = tmux
        .cmd()
        .args(["new-session", "-d", "-s", "top", "-x", "120", "-y", "40"])
        .args(["-e", &format!("HOOKWATCH_HOME={}", h.path().display())])
        .args(["-e", &format!("TMPDIR={}", h.path().join("tmp").display())])
        .arg(format!("{BIN} top; sleep 30"))
        .status()
        .unwrap();
    assert!(started.success());

    // The first frame is written top to bottom: with the footer, all of it.
    let s = tmux.wait_for("the figures", |s| {
        s.contains("Recent failures") && s.contains("? help")
    });
    assert!(
        s.contains("events 8 · tool calls 7 · failures 3 (42.9 %) · sessions 2 · StopFailures 1"),
        "{s}"
    );
    let bash_row = s
        .lines()
        .find(|l| l.contains("│Bash "))
        .unwrap_or_else(|| panic!("{s}"));
    for figure in [" 5 ", " 2 ", "40.0 %"] {
        assert!(bash_row.contains(figure), "{bash_row}");
    }
    assert!(s.contains("github") && s.contains("50.0 %"));
    assert!(s.contains("connect ECONNREFUSED 127.0.0.1:443"));
    assert!(s.contains("2 rate_limit") || s.contains("1 rate_limit"));
    assert!(!s.contains(TOKEN));
    // (wrapped in a third of 120 columns)
    assert!(s.contains("notifications: pending 0 · dead 0 ·"), "{s}");
    assert!(s.contains("alerts: none"), "{s}");

    // A failure recorded while it runs shows within a few seconds: top
    // takes in the spool itself.
    assert!(h
        .hook(
            bash(
                "A",
                "/w/app",
                "late",
                "make deploy",
                Some("make: *** [deploy] Error 2 (late arrival)")
            )
            .to_string()
            .as_bytes()
        )
        .status
        .success());
    let s = tmux.wait_for("the new failure", |s| {
        s.contains("(late arrival)") && s.contains("failures 4")
    });
    let path = artifact("top.txt", &s);
    eprintln!("screen kept in {}", path.display());

    // Enter opens the newest failure: its scrubbed payload and the answer.
    tmux.keys(&["Enter"]);
    // (a capture can catch the terminal halfway through a redraw: wait
    // for all of it)
    let e = tmux.wait_for("the event pane", |s| {
        s.contains("Esc back")
            && s.contains("PostToolUseFailure")
            && s.contains("make deploy")
            && s.contains("hookwatch's answer")
    });
    artifact("top-event.txt", &e);
    tmux.keys(&["Escape"]);
    tmux.wait_for("the main screen", |s| s.contains("Recent failures"));

    // The range key, then q ends it.
    tmux.keys(&["r"]);
    tmux.wait_for("the 30d range", |s| s.contains("last 30d"));
    tmux.keys(&["q"]);
    let start = Instant::now();
    // The pane's shell then sleeps: top has left the alternate screen and
    // the terminal shows the shell's screen again.
    tmux.wait_for("top to end", |s| !s.contains("Recent failures"));
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(tmux.alive());
}
