//! PostToolUseFailure answers: advice for known failures, the repeat
//! warning, and the caps that keep both from ever driving a loop, across
//! processes and under concurrency.

mod common;
use common::*;
use serde_json::{json, Value};
use std::io::Write;
use std::process::Child;

/// A pnpm project where a test run cannot find a module.
fn pnpm_project(h: &Home) -> String {
    let dir = h.path().join("shop");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("pnpm-lock.yaml"), "lockfileVersion: '9.0'\n").unwrap();
    std::fs::write(dir.join("package.json"), "{}").unwrap();
    dir.display().to_string()
}

fn missing_module(session: &str, cwd: &str, id: usize) -> Vec<u8> {
    json!({
        "session_id": session, "transcript_path": "/tmp/t.jsonl", "cwd": cwd,
        "hook_event_name": "PostToolUseFailure", "tool_name": "Bash",
        "tool_input": {"command": "pnpm test"},
        "tool_use_id": format!("toolu_{id:04}"),
        "error": format!("Exit code 1\nError: Cannot find module 'vitest'\nRequire stack:\n- {cwd}/node_modules/.bin/vitest.js\n    at Module._resolveFilename (node:internal/modules/cjs/loader:1145:15) after {id}ms"),
        "is_interrupt": false, "duration_ms": 100 + id
    })
    .to_string()
    .into_bytes()
}

fn context(out: &std::process::Output) -> Option<String> {
    let v = answer(out)?;
    if v["hookSpecificOutput"].is_null() {
        return None; // a systemMessage only
    }
    assert_eq!(
        v["hookSpecificOutput"]["hookEventName"],
        "PostToolUseFailure"
    );
    v["hookSpecificOutput"]["additionalContext"]
        .as_str()
        .map(str::to_owned)
}

#[test]
fn advice_then_repeat_warning_then_silence() {
    let h = Home::new();
    let cwd = pnpm_project(&h);
    let answers: Vec<Option<String>> = (1..=8)
        .map(|i| context(&h.hook(&missing_module("s1", &cwd, i))))
        .collect();
    let advice = |a: &Option<String>| a.as_deref().is_some_and(|t| t.contains("pnpm install"));
    let repeat = |a: &Option<String>| {
        a.as_deref()
            .is_some_and(|t| t.contains("times in this session"))
    };
    // Default cap 2, repeat threshold 3.
    assert!(advice(&answers[0]) && advice(&answers[1]), "{answers:?}");
    assert!(!advice(&answers[2]), "{answers:?}");
    assert!(repeat(&answers[2]) && repeat(&answers[3]), "{answers:?}");
    assert!(answers[4..].iter().all(Option::is_none), "{answers:?}");
    assert!(answers[2].as_deref().unwrap().contains("3 times"));

    // Another session starts from zero.
    assert!(advice(&context(&h.hook(&missing_module("s2", &cwd, 1)))));

    // Every failure recorded with one fingerprint, its class and what it got.
    let ev = h.events(&["--event", "PostToolUseFailure", "--session", "s1"]);
    assert_eq!(ev.len(), 8);
    let fp = ev[0]["fingerprint"].as_str().unwrap().to_owned();
    assert!(ev.iter().all(|e| e["fingerprint"] == fp.as_str()));
    assert_eq!(ev[0]["class"], "missing_dependency");
    let given: Vec<Value> = ev
        .iter()
        .map(|e| e["outcome"]["failure"]["advice"].clone())
        .collect();
    assert_eq!(given[0].as_array().unwrap().len(), 1);
    assert_eq!(given[2], json!(["repeat"]));
    assert_eq!(ev[7]["outcome"]["failure"]["occurrence"], 8);

    // stats sees the repeat.
    let st: Value = serde_json::from_slice(&h.run(&["stats", "--json"]).stdout).unwrap();
    assert_eq!(st["repeated"][0]["fingerprint"], fp.as_str());
    assert_eq!(st["repeated"][0]["count"], 8);
    assert_eq!(st["top_fingerprints"][0]["sessions"], 2);
}

#[test]
fn one_hundred_simultaneous_failures_get_the_advice_exactly_cap_times() {
    const N: usize = 100;
    let h = Home::new();
    let cwd = pnpm_project(&h);
    let mut children: Vec<Child> = h.spawn_hooks(N);
    // All started and blocked on stdin; release them together.
    let bodies: Vec<Vec<u8>> = (0..N).map(|i| missing_module("burst", &cwd, i)).collect();
    for (c, b) in children.iter_mut().zip(&bodies) {
        let mut stdin = c.stdin.take().unwrap();
        stdin.write_all(b).unwrap();
    }
    let mut advice = 0;
    let mut repeat = 0;
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if let Some(t) = context(&out) {
            advice += t.contains("pnpm install") as usize;
            repeat += t.contains("times in this session") as usize;
        }
    }
    assert_eq!(advice, 2, "advice cap");
    assert_eq!(repeat, 2, "repeat warning cap");
    let ev = h.events(&["--session", "burst"]);
    assert_eq!(ev.len(), N);
    let mut occ: Vec<u64> = ev
        .iter()
        .map(|e| e["outcome"]["failure"]["occurrence"].as_u64().unwrap())
        .collect();
    occ.sort();
    assert_eq!(
        occ,
        (1..=N as u64).collect::<Vec<_>>(),
        "each failure a distinct ticket"
    );
}

#[test]
fn caps_budget_and_user_rules_come_from_config() {
    let h = Home::new();
    std::fs::write(
        h.path().join("config.toml"),
        r#"
[failure]
advice_cap = 1
repeat_threshold = 2
session_budget_chars = 400

[[failure.rules]]
name = "flaky-e2e"
command = "npm run e2e*"
expected = true
advice = "The e2e suite is flaky here; run it once more at most, then report."
system_message = "e2e flaked"
"#,
    )
    .unwrap();
    let ev = |i: usize| {
        json!({"session_id": "c1", "cwd": "/w", "hook_event_name": "PostToolUseFailure",
               "tool_name": "Bash", "tool_input": {"command": "npm run e2e -- --grep cart"},
               "tool_use_id": format!("t{i}"), "error": "Exit code 1\nTimeoutError: page.goto: Timeout 30000ms exceeded."})
        .to_string()
    };
    let first = h.hook(ev(1).as_bytes());
    let v: Value = serde_json::from_slice(&first.stdout).unwrap();
    assert!(v["hookSpecificOutput"]["additionalContext"]
        .as_str()
        .unwrap()
        .contains("flaky"));
    assert_eq!(v["systemMessage"], "hookwatch: e2e flaked");
    // Second: repeat warning (threshold 2), no advice (cap 1).
    let second: Value = serde_json::from_slice(&h.hook(ev(2).as_bytes()).stdout).unwrap();
    let t = second["hookSpecificOutput"]["additionalContext"]
        .as_str()
        .unwrap();
    assert!(t.contains("2 times") && !t.contains("flaky"), "{t}");
    // Third: nothing (repeat cap 1).
    assert!(h.hook(ev(3).as_bytes()).stdout.is_empty());
    let rows = h.events(&["--session", "c1"]);
    assert_eq!(rows[0]["expected"], true);
    assert_eq!(rows[0]["outcome"]["failure"]["rule"], "user:flaky-e2e");

    // The budget: 400 chars per session run out after a few answers.
    let mut answered = 0;
    for i in 0..20 {
        let e = json!({"session_id": "budget", "cwd": "/w", "hook_event_name": "PostToolUseFailure",
            "tool_name": "Bash", "tool_input": {"command": format!("npm run e2e -- {i}")},
            "tool_use_id": format!("b{i}"), "error": format!("Exit code 1\nfailure number {i} kind {}", "x".repeat(i))});
        answered += context(&h.hook(e.to_string().as_bytes())).is_some() as usize;
    }
    // ~85 chars per answer: four fit in 400.
    assert!((3..=5).contains(&answered), "answered {answered}");
}

#[test]
fn interrupts_and_unknown_failures_get_no_advice() {
    let h = Home::new();
    let ev = json!({"session_id": "i1", "cwd": "/w", "hook_event_name": "PostToolUseFailure",
        "tool_name": "Bash", "tool_input": {"command": "sleep 100"}, "tool_use_id": "t1",
        "error": "Interrupted by user", "is_interrupt": true});
    for _ in 0..5 {
        let out = h.hook(ev.to_string().as_bytes());
        assert!(out.stdout.is_empty() && out.stderr.is_empty());
    }
    let rows = h.events(&["--session", "i1"]);
    assert_eq!(rows[0]["class"], "interrupted");
    assert_eq!(rows[0]["expected"], true);
    // Malformed failure events: recorded, no answer, no error.
    for bad in [
        &br#"{"hook_event_name":"PostToolUseFailure"}"#[..],
        br#"{"hook_event_name":"PostToolUseFailure","tool_name":7,"error":[1]}"#,
        br#"{"hook_event_name":"PostToolUseFailure","tool_input":"x","error":"\u0000\uffff"}"#,
    ] {
        let out = h.hook(bad);
        assert_eq!(out.status.code(), Some(0));
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn rules_test_dry_runs_a_candidate_rule_over_recorded_failures() {
    let h = Home::new();
    let cwd = pnpm_project(&h);
    h.hook(&missing_module("r1", &cwd, 1));
    let cand = h.path().join("candidate.toml");
    std::fs::write(
        &cand,
        "[[failure.rules]]\nname = \"vitest\"\nerror = \"Cannot find module 'vitest'\"\nclass = \"test\"\nexpected = true\n",
    )
    .unwrap();
    let out = h.run(&["rules", "test", "--file", cand.to_str().unwrap(), "--json"]);
    let rows = json_lines(&out);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["now"]["rule"], "user:vitest");
    assert_eq!(rows[0]["now"]["class"], "test");
    assert_eq!(rows[0]["recorded"]["class"], "missing_dependency");
    assert_eq!(rows[0]["changed"], true);
    // Nothing was changed by the dry run.
    assert_eq!(
        h.events(&["--session", "r1"])[0]["class"],
        "missing_dependency"
    );
    let text = String::from_utf8(h.run(&["rules", "test", "--rule", "nope"]).stdout).unwrap();
    assert!(text.contains("matched nothing"), "{text}");
    assert!(h.run(&["rules", "list"]).status.success());
}

#[test]
fn subagents_get_their_own_caps_and_mcp_servers_are_counted() {
    let h = Home::new();
    let cwd = pnpm_project(&h);
    let with_agent = |agent: Option<&str>, i: usize| {
        let mut v: Value = serde_json::from_slice(&missing_module("sub", &cwd, i)).unwrap();
        if let Some(a) = agent {
            v["agent_id"] = json!(a);
        }
        v.to_string().into_bytes()
    };
    for i in 0..3 {
        h.hook(&with_agent(None, i));
    }
    // The main agent has had its advice twice; a subagent has not.
    let sub = context(&h.hook(&with_agent(Some("agent-7"), 9)));
    assert!(sub.is_some_and(|t| t.contains("pnpm install")));
    // A failure without any session: recorded, never answered.
    let mut v: Value = serde_json::from_slice(&missing_module("x", &cwd, 1)).unwrap();
    v.as_object_mut().unwrap().remove("session_id");
    v.as_object_mut().unwrap().remove("transcript_path");
    assert_eq!(context(&h.hook(v.to_string().as_bytes())), None);

    for (name, ok) in [
        ("PostToolUse", true),
        ("PostToolUseFailure", false),
        ("PostToolUse", true),
    ] {
        let mut e = json!({"session_id": "m", "cwd": "/w", "hook_event_name": name,
            "tool_name": "mcp__github__create_issue", "tool_input": {"title": "x"}, "tool_use_id": "t",
            "mcp_server": {"name": "github", "source": "project"}});
        if !ok {
            e["error"] = json!("MCP error -32603: Bad credentials");
        }
        h.hook(e.to_string().as_bytes());
    }
    let st: Value = serde_json::from_slice(&h.run(&["stats", "--json"]).stdout).unwrap();
    let gh = st["per_mcp_server"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["tool"] == "github")
        .unwrap();
    assert_eq!(
        (gh["calls"].as_i64(), gh["failures"].as_i64()),
        (Some(3), Some(1))
    );
    let ev = h.events(&["--session", "m", "--event", "PostToolUseFailure"]);
    assert_eq!(ev[0]["class"], "mcp_server");
}

#[test]
fn rules_test_finds_advice_only_rules() {
    let h = Home::new();
    let cwd = pnpm_project(&h);
    h.hook(&missing_module("r2", &cwd, 1));
    let cand = h.path().join("advice-only.toml");
    std::fs::write(
        &cand,
        "[[failure.rules]]\nname = \"hint\"\ntool = \"Bash\"\nadvice = \"Use the workspace root.\"\n",
    )
    .unwrap();
    let rows = json_lines(&h.run(&[
        "rules",
        "test",
        "--file",
        cand.to_str().unwrap(),
        "--rule",
        "hint",
        "--json",
    ]));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["now"]["advice"]["rule"], "user:hint");
    // A broken candidate is an error, not a quiet test of the built-ins.
    std::fs::write(&cand, "[[failure.rules]]\nname = \"bad\"\nerror = \"(\"\n").unwrap();
    let out = h.run(&["rules", "test", "--file", cand.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad"));
}
