//! One secret of every scrub rule, planted in failures that alert: none of
//! them may reach the spool, the database, the worker log or any other file
//! of the data dir, any alert body at the loopback receivers (webhook, Slack
//! and Discord formats), or `hookwatch events --json`.

mod common;
use common::*;
use hookwatch_testkit::receiver::{Plan, Receiver};
use serde_json::json;
use std::time::Duration;

/// The first positive of each rule in the scrub corpus, as (rule, text,
/// secrets): realistic tool output around one secret of that rule.
fn one_case_per_rule() -> Vec<(String, String, Vec<String>)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scrub/tests/corpus/positives.txt"
    );
    let corpus = std::fs::read_to_string(path).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let mut cases = Vec::new();
    for line in corpus
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let (rule, text) = line.split_once(" | ").unwrap();
        if !seen.insert(rule.to_string()) {
            continue;
        }
        let mut secrets = Vec::new();
        let mut plain = String::new();
        let mut rest = text.replace('⏎', "\n");
        while let Some(open) = rest.find(['«', '‹']) {
            let close_char = if rest[open..].starts_with('«') {
                '»'
            } else {
                '›'
            };
            let after = open + rest[open..].chars().next().unwrap().len_utf8();
            let close = after + rest[after..].find(close_char).unwrap();
            plain.push_str(&rest[..open]);
            plain.push_str(&rest[after..close]);
            secrets.push(rest[after..close].to_string());
            rest = rest[close + close_char.len_utf8()..].to_string();
        }
        plain.push_str(&rest);
        cases.push((rule.to_string(), plain, secrets));
    }
    cases
}

#[test]
fn no_secret_of_any_rule_leaves_unscrubbed() {
    let rx = Receiver::start(Plan::always(200, "ok"));
    let h = Home::new();
    let url = rx.url();
    std::fs::write(
        h.path().join("config.toml"),
        format!(
            r#"
[alerts.route]
group_wait = "0s"
group_interval = "50ms"
[alerts.delivery]
backoff_base = "50ms"
timeout = "2s"
linger = "2s"
[alerts.targets.hook]
type = "webhook"
url = "{url}/webhook"
[alerts.targets.chat]
type = "slack"
url_env = "HW_TEST_SLACK_URL"
rate_limit = "1000/1s"
[alerts.targets.ops]
type = "discord"
url_env = "HW_TEST_DISCORD_URL"
rate_limit = "1000/1s"
"#
        ),
    )
    .unwrap();
    let cmd = || {
        let mut c = h.cmd();
        c.env("HW_TEST_SLACK_URL", format!("{url}/slack"))
            .env("HW_TEST_DISCORD_URL", format!("{url}/discord"));
        c
    };
    let cases = one_case_per_rule();
    let ids: std::collections::BTreeSet<&str> =
        hookwatch_scrub::rules().iter().map(|r| r.id).collect();
    let planted: std::collections::BTreeSet<&str> =
        cases.iter().map(|(r, _, _)| r.as_str()).collect();
    assert_eq!(planted, ids, "one corpus case for every rule");

    for (i, (rule, text, _)) in cases.iter().enumerate() {
        // The secret in the error, and in the command that failed.
        let ev = json!({
            "session_id": format!("s-{rule}"), "transcript_path": "/tmp/t.jsonl", "cwd": "/work/shop",
            "hook_event_name": "PostToolUseFailure", "tool_name": "Bash",
            "tool_input": {"command": format!("./deploy.sh # {text}")}, "tool_use_id": format!("t{i}"),
            "error": format!("Exit code 1\n{text}"), "is_interrupt": false
        });
        let out = run_with_stdin(cmd().arg("hook"), ev.to_string().as_bytes());
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = cmd().args(["drain", "--wait", "--json"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every notification the outbox holds reached all three targets.
    let outbox = json_lines(
        &cmd()
            .args(["alerts", "--json", "--limit", "1000"])
            .output()
            .unwrap(),
    );
    let sent = outbox.iter().filter(|n| n["state"] == "sent").count();
    assert!(sent >= 3, "alerts were sent: {outbox:?}");
    assert_eq!(sent, outbox.len(), "nothing pending or dead: {outbox:?}");
    assert!(rx.wait_for(sent, Duration::from_secs(10)));
    eprintln!("{} failures, {sent} notifications delivered", cases.len());
    let events = cmd()
        .args(["events", "--json", "--limit", "1000"])
        .output()
        .unwrap();
    assert!(events.status.success());

    let files = h.all_bytes();
    let bodies: Vec<Vec<u8>> = rx.requests().iter().map(|r| r.body.clone()).collect();
    let mut leaks = Vec::new();
    for (rule, _, secrets) in &cases {
        for s in secrets {
            if contains(&files, s) {
                leaks.push(format!("{rule}: in a file of the data dir"));
            }
            if bodies.iter().any(|b| contains(b, s)) {
                leaks.push(format!("{rule}: in an alert body"));
            }
            if contains(&events.stdout, s) {
                leaks.push(format!("{rule}: in `hookwatch events --json`"));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
    // And the markers are there: the events were recorded, not dropped.
    assert!(contains(&events.stdout, "[REDACTED:"), "events were stored");
}
