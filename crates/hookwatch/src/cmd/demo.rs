//! `hookwatch demo`: for people without Claude Code (or before installing
//! into it). Runs the real hook binary as separate processes on a realistic
//! session, secrets included, then shows what was recorded.

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A realistic session: one failing test run whose output leaks a database
/// password and a GitHub token, an interrupted command, a rate limit.
pub fn session_events(cwd: &str) -> Vec<Value> {
    // Built at run time so the source holds no token-shaped literal.
    let gh_token = format!("ghp_{}", "R7dK2mQ9xW4vB8nL3pT6yH1jF5sZ0cE9aU2i");
    let db_password = "Tr0ub4dor-and-3";
    let sid = "7f3c2a9e-5b1d-4e8f-9a6c-2d4b8e1f0a37";
    let base = |name: &str| {
        json!({"session_id": sid, "transcript_path": format!("/home/dev/.claude/projects/-work-shop/{sid}.jsonl"),
               "cwd": cwd, "hook_event_name": name, "permission_mode": "default"})
    };
    let with = |name: &str, extra: Value| {
        let mut v = base(name);
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        v
    };
    let failing_output = format!(
        "Exit code 1\n> shop@1.4.2 test\n> jest --ci\n\nFAIL src/db.test.ts\n  ● connects to the database\n    \
         Error: connect ECONNREFUSED postgres://shop:{db_password}@db.internal:5432/shop\n    \
         GITHUB_TOKEN={gh_token} npm run deploy\n\nTests: 1 failed, 41 passed, 42 total"
    );
    vec![
        with(
            "SessionStart",
            json!({"source": "startup", "model": "claude-sonnet-4-5"}),
        ),
        with(
            "UserPromptSubmit",
            json!({"prompt": "run the tests and fix what fails", "prompt_id": "p-1"}),
        ),
        with(
            "PreToolUse",
            json!({"tool_name": "Bash", "tool_input": {"command": "npm test"}, "tool_use_id": "toolu_01A"}),
        ),
        with(
            "PostToolUseFailure",
            json!({"tool_name": "Bash", "tool_input": {"command": "npm test"}, "tool_use_id": "toolu_01A",
            "error": failing_output, "is_interrupt": false, "duration_ms": 8312}),
        ),
        with(
            "PreToolUse",
            json!({"tool_name": "Read", "tool_input": {"file_path": format!("{cwd}/src/db.ts")}, "tool_use_id": "toolu_01B"}),
        ),
        with(
            "PostToolUse",
            json!({"tool_name": "Read", "tool_input": {"file_path": format!("{cwd}/src/db.ts")}, "tool_use_id": "toolu_01B",
            "tool_response": {"type": "text", "file": {"numLines": 48}}, "duration_ms": 3}),
        ),
        with(
            "PreToolUse",
            json!({"tool_name": "Bash", "tool_input": {"command": "sudo rm -rf ~/ 2>/dev/null; npm test"}, "tool_use_id": "toolu_01D"}),
        ),
        with(
            "PostToolUseFailure",
            json!({"tool_name": "Bash", "tool_input": {"command": "git push origin main"}, "tool_use_id": "toolu_01E",
            "error": "Exit code 1\nTo github.com:acme/shop.git\n ! [rejected]        main -> main (non-fast-forward)\nerror: failed to push some refs to 'github.com:acme/shop.git'\nhint: Updates were rejected because the tip of your current branch is behind",
            "is_interrupt": false, "duration_ms": 1402}),
        ),
        with(
            "PostToolUseFailure",
            json!({"tool_name": "Bash", "tool_input": {"command": "npm run e2e"}, "tool_use_id": "toolu_01C",
            "error": "Command interrupted by user", "is_interrupt": true, "duration_ms": 20511}),
        ),
        with(
            "StopFailure",
            json!({"error": "rate_limit",
            "last_assistant_message": "API Error: Request rejected (429) · This request would exceed your rate limit"}),
        ),
        with("SessionEnd", json!({"reason": "other"})),
        with("BrandNewEvent", json!({"field_from_the_future": true})),
    ]
}

pub fn run(home: Option<PathBuf>) -> Result<()> {
    let home = match home {
        Some(h) => h,
        None => std::env::temp_dir().join(format!("hookwatch-demo-{}", std::process::id())),
    };
    std::fs::create_dir_all(&home).with_context(|| format!("cannot create {}", home.display()))?;
    let exe = std::env::current_exe()?;
    let events = session_events("/work/shop");
    println!(
        "Feeding {} events of a realistic session through `hookwatch hook` (HOOKWATCH_HOME={})\n",
        events.len(),
        home.display()
    );
    for ev in &events {
        let answer = feed(&exe, &home, ev.to_string().as_bytes())?;
        if !answer.is_empty() {
            println!(
                "{} {}: hookwatch answered {}",
                ev["hook_event_name"].as_str().unwrap_or(""),
                ev["tool_input"]["command"].as_str().unwrap_or(""),
                answer.trim()
            );
        }
    }
    println!();
    feed(
        &exe,
        &home,
        b"{\"hook_event_name\": \"PostToolUse\", \"truncated json",
    )?;
    for args in [
        &["events"][..],
        &["show", "4"],
        &["stats"],
        &["guard", "log"],
    ] {
        println!("$ hookwatch {}", args.join(" "));
        let status = Command::new(&exe)
            .args(args)
            .env("HOOKWATCH_HOME", &home)
            .status()?;
        if !status.success() {
            bail!("`hookwatch {}` failed", args.join(" "));
        }
        println!();
    }
    println!(
        "The password and the GitHub token in event 4 were scrubbed before anything was written."
    );
    println!(
        "Explore further with: HOOKWATCH_HOME={} hookwatch events --json",
        home.display()
    );
    Ok(())
}

/// Run the hook on one event; returns what it printed (its answer).
fn feed(exe: &Path, home: &Path, input: &[u8]) -> Result<String> {
    let mut child = Command::new(exe)
        .arg("hook")
        .env("HOOKWATCH_HOME", home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    child.stdin.take().expect("piped").write_all(input)?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!("hookwatch hook exited with {}", out.status);
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
