//! `hookwatch test` on hooks as people write them, in bash and Python: a
//! correct guard, one that exits 1 meaning to block, one that prints
//! invalid JSON, one too slow for its timeout, one whose shell profile
//! prints before the JSON, a Stop hook that loops; and `hookwatch hook`
//! itself. Fixtures with expectations (TOML), recorded events, TAP and
//! JUnit output, `fixtures export`.

mod common;
use common::*;
use serde_json::json;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

fn script(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

fn fixtures(dir: &Path) -> PathBuf {
    std::fs::write(
        dir.join("rm.json"),
        json!({"hook_event_name": "PreToolUse", "session_id": "s", "cwd": dir, "tool_name": "Bash",
               "tool_use_id": "t1", "tool_input": {"command": "rm -rf /"}})
        .to_string(),
    )
    .unwrap();
    let p = dir.join("cases.toml");
    std::fs::write(
        &p,
        r#"
[[case]]
name = "rm -rf / is blocked"
event = "rm.json"
expect_outcome = "deny"

[[case]]
name = "ls passes"
payload = { hook_event_name = "PreToolUse", session_id = "s", tool_name = "Bash", tool_use_id = "t2", tool_input = { command = "ls" } }
expect_outcome = "nothing"
expect_exit = 0
"#,
    )
    .unwrap();
    p
}

const GOOD: &str = r#"#!/bin/bash
input=$(cat)
cmd=$(printf '%s' "$input" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tool_input"].get("command",""))')
case "$cmd" in
  *'rm -rf /'*) printf '%s' '{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"deny","permissionDecisionReason":"refusing rm -rf /"}}' ;;
esac
exit 0
"#;

fn test_cmd(h: &Home, project: &Path, args: &[&str], hook: &[&str]) -> std::process::Output {
    h.cmd()
        .arg("test")
        .arg("--project")
        .arg(project)
        .args(args)
        .arg("--")
        .args(hook)
        .output()
        .unwrap()
}

#[test]
fn a_correct_guard_passes_its_fixtures_in_every_format() {
    let h = Home::new();
    let d = tempfile::tempdir().unwrap();
    let good = script(d.path(), "good.sh", GOOD);
    let cases = fixtures(d.path());
    let f = cases.to_str().unwrap();
    let out = test_cmd(&h, d.path(), &["--fixture", f], &[good.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("PASS  rm -rf / is blocked  → deny"), "{text}");
    assert!(text.contains("2 run(s): 2 passed, 0 failed"), "{text}");
    let tap = test_cmd(
        &h,
        d.path(),
        &["--fixture", f, "--format", "tap"],
        &[good.to_str().unwrap()],
    );
    let tap = String::from_utf8_lossy(&tap.stdout);
    assert!(
        tap.starts_with("TAP version 13\n1..2\nok 1 - rm -rf / is blocked"),
        "{tap}"
    );
    let junit = test_cmd(
        &h,
        d.path(),
        &["--fixture", f, "--format", "junit"],
        &[good.to_str().unwrap()],
    );
    let junit = String::from_utf8_lossy(&junit.stdout);
    assert!(
        junit.contains("<testsuite name=\"hookwatch test\" tests=\"2\" failures=\"0\""),
        "{junit}"
    );
}

#[test]
fn broken_hooks_are_caught_with_the_reason() {
    let h = Home::new();
    let d = tempfile::tempdir().unwrap();
    let cases = fixtures(d.path());
    let f = cases.to_str().unwrap();
    let run = |name: &str, text: &str, extra: &[&str]| {
        let s = script(d.path(), name, text);
        let mut args = vec!["--fixture", f];
        args.extend_from_slice(extra);
        let out = test_cmd(&h, d.path(), &args, &[s.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{name} must fail");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // exit 1 meaning to block (bash).
    let t = run(
        "exit1.sh",
        "#!/bin/bash\ngrep -q 'rm -rf' && { echo 'no!' >&2; exit 1; }\nexit 0\n",
        &[],
    );
    assert!(
        t.contains("expected outcome deny, got error") && t.contains("only 2 blocks"),
        "{t}"
    );
    // Invalid JSON (Python).
    let t = run(
        "badjson.py",
        "#!/usr/bin/env python3\nimport sys\nsys.stdin.read()\nprint(\"{'decision': 'block'}\")\n",
        &[],
    );
    assert!(t.contains("not valid JSON"), "{t}");
    // Too slow for its timeout.
    let t = run(
        "slow.sh",
        "#!/bin/bash\ncat >/dev/null\nsleep 5\n",
        &["--timeout", "0.5"],
    );
    assert!(t.contains("timed out") && t.contains("not blocked"), "{t}");
    // A shell profile's echo before the JSON.
    let t = run(
        "chatty.sh",
        &format!(
            "#!/bin/bash\necho 'Welcome back!'\n{}",
            GOOD.trim_start_matches("#!/bin/bash\n")
        ),
        &[],
    );
    assert!(t.contains("printed before the JSON"), "{t}");
}

#[test]
fn a_stop_hook_that_ignores_stop_hook_active_is_a_loop() {
    let h = Home::new();
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join("src")).unwrap();
    std::fs::write(d.path().join("src/main.rs"), "fn main() {}\n").unwrap();
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .arg("-C")
            .arg(d.path())
            .args(args)
            .output()
            .unwrap();
        assert!(ok.status.success(), "git {args:?}: {ok:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&[
        "-c",
        "user.email=t@e",
        "-c",
        "user.name=t",
        "commit",
        "-qm",
        "x",
    ]);
    let stop = d.path().join("stop.json");
    std::fs::write(
        &stop,
        json!({"hook_event_name": "Stop", "session_id": "s", "stop_hook_active": false})
            .to_string(),
    )
    .unwrap();
    let hook = script(d.path(), "gate.py", "#!/usr/bin/env python3\nimport sys\nsys.stdin.read()\nprint('tests fail', file=sys.stderr)\nsys.exit(2)\n");
    let out = test_cmd(
        &h,
        d.path(),
        &["--fixture", stop.to_str().unwrap(), "--variants"],
        &[hook.to_str().unwrap()],
    );
    let t = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("(stop_hook_active)") && t.contains("Claude Code's cap"),
        "{t}"
    );
    assert!(
        t.contains("(from src)"),
        "runs from a subdirectory too: {t}"
    );
    assert!(t.contains("(in a git worktree)"), "and in a worktree: {t}");
    let wts = std::process::Command::new("git")
        .arg("-C")
        .arg(d.path())
        .args(["worktree", "list"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&wts.stdout).lines().count(),
        1,
        "the worktree is removed again"
    );
}

#[test]
fn hookwatchs_own_hook_passes_against_recorded_events() {
    let h = Home::new();
    let d = tempfile::tempdir().unwrap();
    // A pnpm project: a missing module gets advice.
    std::fs::write(d.path().join("package.json"), "{}").unwrap();
    std::fs::write(d.path().join("pnpm-lock.yaml"), "lockfileVersion: '9.0'\n").unwrap();
    // Record a few events through the real hook.
    for e in [
        json!({"hook_event_name": "PreToolUse", "session_id": "s", "cwd": d.path(), "tool_name": "Bash", "tool_use_id": "t1", "tool_input": {"command": "chmod -R 777 /"}}),
        json!({"hook_event_name": "PostToolUseFailure", "session_id": "s", "cwd": d.path(), "tool_name": "Bash", "tool_use_id": "t2", "tool_input": {"command": "pnpm test"}, "error": "Error: Cannot find module 'vitest'"}),
        json!({"hook_event_name": "Stop", "session_id": "s", "cwd": d.path(), "stop_hook_active": false}),
    ] {
        assert!(h.hook(e.to_string().as_bytes()).status.success());
    }
    let hw = format!(
        "HOOKWATCH_HOME={} {BIN} hook",
        h.path().join("other").display()
    );
    let out = h
        .cmd()
        .args(["test", "--session", "s", "--variants", "--project"])
        .arg(d.path())
        .args(["--", &hw])
        .output()
        .unwrap();
    let t = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{t}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        t.contains("PreToolUse #1 Bash  → deny"),
        "the guard's answer: {t}"
    );
    assert!(
        t.contains("PostToolUseFailure #2 Bash  → context"),
        "advice: {t}"
    );
    // Fixtures from the same store.
    let dir = d.path().join("fx");
    let out = h
        .cmd()
        .args(["fixtures", "export"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(dir.join("PreToolUse.json").is_file() && dir.join("cases.toml").is_file());
    let out = h
        .cmd()
        .args(["test", "--fixture"])
        .arg(dir.join("cases.toml"))
        .args(["--", &hw])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// `hookwatch replay`: recorded events through a changed config show what
/// would now be decided differently; `-- CMD` feeds them to a hook.
#[test]
fn replay_shows_what_a_rules_change_would_change() {
    let h = Home::new();
    let d = tempfile::tempdir().unwrap();
    for e in [
        json!({"hook_event_name": "PreToolUse", "session_id": "s", "cwd": d.path(), "tool_name": "Bash", "tool_use_id": "t1", "tool_input": {"command": "psql -h prod-db -c 'select 1'"}}),
        json!({"hook_event_name": "PreToolUse", "session_id": "s", "cwd": d.path(), "tool_name": "Bash", "tool_use_id": "t2", "tool_input": {"command": "ls"}}),
        json!({"hook_event_name": "PostToolUseFailure", "session_id": "s", "cwd": d.path(), "tool_name": "Bash", "tool_use_id": "t3", "tool_input": {"command": "npm run e2e"}, "error": "Exit code 1\nError: the browser crashed unexpectedly"}),
    ] {
        assert!(h.hook(e.to_string().as_bytes()).status.success());
    }
    let same = h.run(&["replay", "--session", "s", "--json", "--all"]);
    assert!(same.status.success(), "{same:?}");
    let rows = json_lines(&same);
    assert!(
        rows.len() >= 3 && rows.iter().all(|r| r["changed"] == false),
        "{rows:?}"
    );
    // A new guard rule and a failure rule, as a person would add them.
    std::fs::write(
        h.path().join("config.toml"),
        "[[guard.rules]]\nname = \"no-prod-db\"\ntool = \"Bash\"\ncommand = \"*psql*prod*\"\ndecision = \"deny\"\nreason = \"Production database: ask the user.\"\n\n[[failure.rules]]\nname = \"flaky-e2e\"\ntool = \"Bash\"\ncommand = \"npm run e2e*\"\nexpected = true\n",
    )
    .unwrap();
    let out = h.run(&["replay", "--session", "s"]);
    let t = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{t}");
    assert!(
        t.contains("CHANGED event 1      guard    Bash psql -h prod-db")
            && t.contains("no decision → deny  (rule:no-prod-db)"),
        "{t}"
    );
    assert!(
        t.contains("CHANGED event 3      class") && t.contains("(expected)  (user:flaky-e2e)"),
        "{t}"
    );
    assert!(!t.contains("event 2 "), "ls is unchanged: {t}");
    assert!(t.contains("would change"), "{t}");
    // Into a foreign hook.
    let hook = script(
        d.path(),
        "count.sh",
        "#!/bin/sh\ncat >> \"$CLAUDE_PROJECT_DIR/seen\"\necho >> \"$CLAUDE_PROJECT_DIR/seen\"\n",
    );
    let out = h
        .cmd()
        .current_dir(d.path())
        .args(["replay", "--session", "s", "--"])
        .arg(&hook)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let seen = std::fs::read_to_string(d.path().join("seen")).unwrap();
    assert_eq!(seen.lines().filter(|l| !l.is_empty()).count(), 3);
}

/// `hookwatch new-hook`: the bash and Python templates pass the test cases
/// written with them.
#[test]
fn new_hook_templates_pass_their_own_cases() {
    let h = Home::new();
    let d = tempfile::tempdir().unwrap();
    for lang in ["bash", "python"] {
        let path = d.path().join(format!("hooks/guard-{lang}"));
        let out = h
            .cmd()
            .args(["new-hook", lang, "PreToolUse"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let cases = path.with_extension("cases.toml");
        let out = test_cmd(
            &h,
            d.path(),
            &["--fixture", cases.to_str().unwrap()],
            &[path.to_str().unwrap()],
        );
        let t = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{lang}: {t}");
        assert!(
            t.contains("→ deny") && t.contains("2 passed"),
            "{lang}: {t}"
        );
        // Not twice.
        let again = h
            .cmd()
            .args(["new-hook", lang, "PreToolUse"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(!again.status.success());
    }
    let bad = h
        .cmd()
        .args(["new-hook", "bash", "pretooluse"])
        .arg(d.path().join("x"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&bad.stderr).contains("case-sensitive"));
}
