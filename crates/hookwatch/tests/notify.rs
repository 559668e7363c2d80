//! Attention notifications ([notify]) through the real hook path: events
//! go into `hookwatch hook`, the worker the hook starts decides, and a real
//! webhook receiver on 127.0.0.1 gets what a person would. Every
//! Notification type of Claude Code 2.1.330 is fed in; noise control
//! (cooldown, one "done" per turn, a turn that went on, quiet hours,
//! unattended runs, needs-you then done) and the link to alerts are
//! checked without sleeping for timers: the limits are set so each rule
//! decides at once.

mod common;
use common::*;
use hookwatch_testkit::receiver::{Plan, Received, Receiver};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// A home whose [notify] sends every kind to a webhook at `url`. `extra`
/// goes into [notify]; `more` after it (other sections).
fn home(url: &str, extra: &str, more: &str) -> Home {
    let h = Home::new();
    // Defaults for tests unless `extra` sets them.
    let mut extra = extra.to_string();
    for (k, v) in [("min_turn", "\"0s\""), ("settle", "\"300ms\"")] {
        if !extra.contains(k) {
            extra.push_str(&format!("\n{k} = {v}"));
        }
    }
    std::fs::write(
        h.path().join("config.toml"),
        format!(
            r#"
[notify]
targets = ["hook"]
{extra}

[alerts.delivery]
backoff_base = "50ms"
backoff_cap = "200ms"
timeout = "2s"
linger = "3s"

[alerts.targets.hook]
type = "webhook"
url = "{url}/hook"
alerts = false
{more}
"#
        ),
    )
    .unwrap();
    h
}

/// Run the real hook with a person at the terminal (as Claude Code says
/// with CLAUDE_CODE_SESSION_ATTENDED=1), or not.
fn hook(h: &Home, event: Value, attended: bool) {
    let out = run_with_stdin(
        h.cmd().arg("hook").env(
            "CLAUDE_CODE_SESSION_ATTENDED",
            if attended { "1" } else { "0" },
        ),
        event.to_string().as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

fn ev(session: &str, name: &str, fields: Value) -> Value {
    let mut v = json!({
        "hook_event_name": name, "session_id": session, "cwd": "/tmp/notify-proj",
        "transcript_path": "", "prompt_id": format!("{session}-p1"),
    });
    for (k, x) in fields.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

fn notification(session: &str, ty: &str) -> Value {
    ev(
        session,
        "Notification",
        json!({"notification_type": ty, "message": format!("message of {ty}")}),
    )
}

/// Decisions as `hookwatch notify log --json` prints them, after a drain.
fn decisions(h: &Home) -> Vec<Value> {
    let out = h.run(&["drain", "--wait"]);
    assert!(out.status.success(), "{out:?}");
    json_lines(&h.run(&["notify", "log", "--json", "--limit", "1000"]))
}

fn attention(r: &Received) -> Value {
    r.json()["data"]["attention"].clone()
}

#[test]
fn every_2_1_330_notification_type_becomes_its_kind_or_nothing() {
    let rx = Receiver::start(Plan::always(200, "{}"));
    let h = home(&rx.url(), "cooldown = \"0s\"", "");
    let table = [
        ("permission_prompt", Some("needs_you")),
        ("idle_prompt", Some("idle")),
        ("auth_success", None),
        ("elicitation_dialog", Some("needs_you")),
        ("agent_needs_input", Some("needs_you")),
        ("agent_completed", None),
        ("elicitation_url_dialog", Some("needs_you")),
        ("worker_permission_prompt", Some("needs_you")),
        ("push_notification", None),
        ("computer_use_enter", None),
        ("computer_use_exit", None),
        ("quota_auto_resume_fired", None),
        ("quota_auto_resume_stale", None),
        ("quota_auto_resume_disabled", None),
        ("model_refusal_fallback", None),
        ("auth_storage_failure", None),
        ("plugin_notification", None),
        ("elicitation_complete", None),
        ("elicitation_response", None),
        // A type a newer Claude Code may add: kept, sent as needs_you.
        ("brand_new_type_2027", Some("needs_you")),
    ];
    // One session per type, so no cooldown or ordering rule interferes.
    for (i, (ty, _)) in table.iter().enumerate() {
        hook(&h, notification(&format!("s{i}"), ty), true);
    }
    let d = decisions(&h);
    let expected_sent = table.iter().filter(|(_, k)| k.is_some()).count();
    assert!(rx.wait_for(expected_sent, Duration::from_secs(10)));
    std::thread::sleep(Duration::from_millis(300));
    let got = rx.requests();
    assert_eq!(got.len(), expected_sent, "one notification per mapped type");
    for (i, (ty, kind)) in table.iter().enumerate() {
        let session = format!("s{i}");
        let row = d.iter().find(|r| r["session"] == session.as_str());
        match kind {
            None => assert!(row.is_none(), "{ty} must be ignored, got {row:?}"),
            Some(k) => {
                let row = row.unwrap_or_else(|| panic!("{ty}: no decision"));
                assert_eq!(row["kind"], *k, "{ty}");
                assert_eq!(row["state"], "sent", "{ty}: {row}");
                let r = got
                    .iter()
                    .find(|r| r.json()["data"]["session"] == session.as_str())
                    .unwrap_or_else(|| panic!("{ty}: nothing received"));
                assert_eq!(attention(r)["kind"], *k);
                assert_eq!(attention(r)["cause"], *ty);
                assert_eq!(attention(r)["message"], format!("message of {ty}"));
            }
        }
    }
}

#[test]
fn ignore_types_drops_a_type_and_malformed_notifications_do_not_break_anything() {
    let rx = Receiver::start(Plan::always(200, "{}"));
    let h = home(&rx.url(), "ignore_types = [\"brand_new_type_2027\"]", "");
    hook(&h, notification("a", "brand_new_type_2027"), true);
    // No type, a type that is not a string, a huge message with binary-ish
    // bytes and a secret: recorded, decided, never crashing the hook.
    hook(
        &h,
        ev("b", "Notification", json!({"message": "no type at all"})),
        true,
    );
    hook(
        &h,
        ev("c", "Notification", json!({"notification_type": 42})),
        true,
    );
    let huge = format!(
        "{}\u{0}\u{7}\u{fffd} token ghp_R8kq2VnX7pLm4TzW9cYb3HsJ6dFg1QaE5uNo",
        "é".repeat(200_000)
    );
    hook(
        &h,
        ev(
            "d",
            "Notification",
            json!({"notification_type": "permission_prompt", "message": huge}),
        ),
        true,
    );
    let d = decisions(&h);
    assert!(d.iter().all(|r| r["session"] != "a"), "ignored type: {d:?}");
    assert!(rx.wait_for(3, Duration::from_secs(10)));
    let got = rx.requests();
    for r in &got {
        assert!(!contains(
            &r.body,
            "ghp_R8kq2VnX7pLm4TzW9cYb3HsJ6dFg1QaE5uNo"
        ));
        assert!(r.body.len() <= 20_000, "webhook bodies stay small");
    }
    let big = got
        .iter()
        .find(|r| r.json()["data"]["session"] == "d")
        .unwrap();
    let m = attention(big)["message"].as_str().unwrap().to_string();
    assert!(m.chars().count() <= 400 && m.ends_with('…'), "{}", m.len());
}

#[test]
fn cooldown_per_session_and_kind() {
    let rx = Receiver::start(Plan::always(200, "{}"));
    let h = home(&rx.url(), "cooldown = \"1h\"", "");
    hook(&h, notification("s", "permission_prompt"), true);
    hook(&h, notification("s", "permission_prompt"), true);
    // Another kind and another session are not held back.
    hook(&h, notification("s", "idle_prompt"), true);
    hook(&h, notification("t", "permission_prompt"), true);
    let d = decisions(&h);
    let states: Vec<(String, String, String)> = d
        .iter()
        .map(|r| {
            (
                r["session"].as_str().unwrap().into(),
                r["kind"].as_str().unwrap().into(),
                r["state"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("s".into(), "needs_you".into(), "sent".into()),
            ("s".into(), "needs_you".into(), "suppressed".into()),
            ("s".into(), "idle".into(), "sent".into()),
            ("t".into(), "needs_you".into(), "sent".into()),
        ]
    );
    assert!(d[1]["reason"].as_str().unwrap().contains("cooldown"));
    assert!(rx.wait_for(3, Duration::from_secs(10)));
}

#[test]
fn needs_you_reaches_the_target_within_two_seconds_of_the_hook() {
    let rx = Receiver::start(Plan::always(200, "{}"));
    let h = home(&rx.url(), "", "");
    // Twice in a row: the second hook may find the first one's worker
    // still running (it must pick the event up, not leave it).
    for session in ["cold", "warm"] {
        let start = Instant::now();
        hook(&h, notification(session, "permission_prompt"), true);
        let n = rx.requests().len();
        assert!(
            rx.wait_for(n + 1, Duration::from_secs(2)),
            "{session}: not delivered within 2 s"
        );
        let r = rx.requests().pop().unwrap();
        assert!(r.at.duration_since(start) < Duration::from_secs(2));
        assert_eq!(attention(&r)["kind"], "needs_you");
    }
    // AskUserQuestion: the question and its options are the message.
    let ask = ev(
        "ask",
        "PreToolUse",
        json!({"tool_name": "AskUserQuestion", "tool_use_id": "t1", "tool_input": {"questions": [
            {"question": "Which database should the cache use?", "header": "DB", "multiSelect": false,
             "options": [{"label": "Postgres", "description": "the existing one"}, {"label": "SQLite", "description": "a file"}]}
        ]}}),
    );
    let start = Instant::now();
    hook(&h, ask, true);
    assert!(
        rx.wait_for(3, Duration::from_secs(2)),
        "AskUserQuestion not within 2 s"
    );
    let r = rx.requests().pop().unwrap();
    assert!(r.at.duration_since(start) < Duration::from_secs(2));
    assert_eq!(attention(&r)["cause"], "AskUserQuestion");
    assert_eq!(
        attention(&r)["message"],
        "Which database should the cache use? (Postgres / SQLite)"
    );
    assert!(r.json()["data"]["title"]
        .as_str()
        .unwrap()
        .contains("has a question"));
}

/// A turn: prompt, a write, a failure, Stop(s).
fn turn(h: &Home, session: &str, stops: usize) {
    hook(
        h,
        ev(
            session,
            "UserPromptSubmit",
            json!({"prompt": "Please add a retry to the uploader"}),
        ),
        true,
    );
    hook(
        h,
        ev(
            session,
            "PostToolUse",
            json!({"tool_name": "Write", "tool_use_id": "w1",
            "tool_input": {"file_path": "/tmp/notify-proj/up.rs", "content": "x"}, "tool_response": {}}),
        ),
        true,
    );
    hook(
        h,
        ev(
            session,
            "PostToolUseFailure",
            json!({"tool_name": "Bash", "tool_use_id": "b1",
            "tool_input": {"command": "cargo test"}, "error": "test failed"}),
        ),
        true,
    );
    for _ in 0..stops {
        hook(
            h,
            ev(
                session,
                "Stop",
                json!({"stop_hook_active": false,
                "last_assistant_message": "## Done\nAdded a **retry** with `backoff` to [the uploader](https://x.test)."}),
            ),
            true,
        );
    }
}

#[test]
fn one_done_per_turn_with_what_the_turn_did() {
    let rx = Receiver::start(Plan::always(200, "{}"));
    let h = home(&rx.url(), "", "");
    // Two Stop hooks (say, user and project settings both run hookwatch).
    turn(&h, "s", 2);
    let d = decisions(&h);
    assert!(rx.wait_for(1, Duration::from_secs(10)));
    std::thread::sleep(Duration::from_millis(500));
    let got = rx.requests();
    assert_eq!(got.len(), 1, "one done for the turn: {d:?}");
    let a = attention(&got[0]);
    assert_eq!(a["kind"], "done");
    assert_eq!(
        a["message"],
        "Done\nAdded a retry with backoff to the uploader."
    );
    assert_eq!(a["tool_calls"], 2);
    assert_eq!(a["files_written"], 1);
    assert_eq!(a["failures"], 1);
    assert!(a["turn_ms"].as_i64().unwrap() >= 0);
    assert_eq!(a["session_name"], "add-retry-uploader");
    let states: Vec<&str> = d.iter().map(|r| r["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["suppressed", "sent"], "{d:?}");
}

#[test]
fn a_turn_that_went_on_is_not_done_and_short_turns_stay_quiet() {
    let rx = Receiver::start(Plan::always(200, "{}"));
    let h = home(&rx.url(), "settle = \"1h\"", "");
    turn(&h, "s", 1);
    // Another Stop hook blocked: Claude goes on with a tool call.
    hook(
        &h,
        ev(
            "s",
            "PreToolUse",
            json!({"tool_name": "Bash", "tool_use_id": "b2", "tool_input": {"command": "ls"}}),
        ),
        true,
    );
    let out = h.run(&["drain"]);
    assert!(out.status.success());
    let d = json_lines(&h.run(&["notify", "log", "--json"]));
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["state"], "held", "waits for settle: {d:?}");

    let rx2 = Receiver::start(Plan::always(200, "{}"));
    let h2 = home(&rx2.url(), "min_turn = \"1h\"", "");
    turn(&h2, "short", 1);
    let d = decisions(&h2);
    assert_eq!(d[0]["state"], "suppressed");
    assert!(
        d[0]["reason"].as_str().unwrap().contains("min_turn"),
        "{d:?}"
    );
    // A subagent's Stop is SubagentStop, and a Stop with agent_id is a
    // subagent's too: neither is "done".
    hook(
        &h2,
        ev(
            "sub",
            "SubagentStop",
            json!({"agent_id": "a1", "agent_type": "x"}),
        ),
        true,
    );
    hook(&h2, ev("sub", "Stop", json!({"agent_id": "a1"})), true);
    let d = decisions(&h2);
    assert!(d.iter().all(|r| r["session"] != "sub"), "{d:?}");
    std::thread::sleep(Duration::from_millis(300));
    assert!(rx2.requests().is_empty());
}

#[test]
fn the_session_went_on_within_settle() {
    let rx = Receiver::start(Plan::always(200, "{}"));
    let h = home(&rx.url(), "settle = \"2s\"", "");
    turn(&h, "s", 1);
    hook(
        &h,
        ev(
            "s",
            "PostToolUse",
            json!({"tool_name": "Bash", "tool_use_id": "b3",
            "tool_input": {"command": "ls"}, "tool_response": {}}),
        ),
        true,
    );
    let d = decisions(&h);
    assert_eq!(d[0]["state"], "suppressed", "{d:?}");
    assert!(d[0]["reason"].as_str().unwrap().contains("went on"));
    assert!(rx.requests().is_empty());
}

#[test]
fn done_right_after_needs_you_is_not_sent_and_unattended_runs_stay_quiet() {
    let rx = Receiver::start(Plan::always(200, "{}"));
    let h = home(&rx.url(), "", "");
    hook(&h, notification("s", "permission_prompt"), true);
    turn(&h, "s", 1);
    hook(&h, notification("ci", "permission_prompt"), false);
    let d = decisions(&h);
    let done = d.iter().find(|r| r["kind"] == "done").unwrap();
    assert_eq!(done["state"], "suppressed");
    assert!(done["reason"].as_str().unwrap().contains("needs you"));
    let ci = d.iter().find(|r| r["session"] == "ci").unwrap();
    assert_eq!(ci["state"], "suppressed");
    assert!(ci["reason"].as_str().unwrap().contains("unattended"));
    assert!(rx.wait_for(1, Duration::from_secs(10)));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(rx.requests().len(), 1);

    // headless = true: unattended runs notify too.
    let rx = Receiver::start(Plan::always(200, "{}"));
    let h = home(&rx.url(), "headless = true", "");
    hook(&h, notification("ci", "permission_prompt"), false);
    assert!(rx.wait_for(1, Duration::from_secs(10)));
}

#[test]
fn quiet_hours_hold_back_their_kinds_only() {
    // Quiet hours around the current UTC time: the clock is the event's,
    // the window is where it falls, so nothing waits for a real night.
    let now_min = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 60
        % 1440) as i64;
    let hm = |m: i64| {
        let m = m.rem_euclid(1440);
        format!("{:02}:{:02}", m / 60, m % 60)
    };
    let inside = format!("{}-{}", hm(now_min - 60), hm(now_min + 60));
    let outside = format!("{}-{}", hm(now_min + 120), hm(now_min + 180));
    let rx = Receiver::start(Plan::always(200, "{}"));
    let h = home(
        &rx.url(),
        &format!("timezone = \"UTC\"\nquiet_hours = \"{inside}\"\nquiet_kinds = [\"idle\"]"),
        "",
    );
    hook(&h, notification("s", "idle_prompt"), true);
    hook(&h, notification("s", "permission_prompt"), true);
    let d = decisions(&h);
    assert_eq!(d[0]["state"], "suppressed");
    assert_eq!(d[0]["reason"], "quiet hours");
    assert_eq!(d[1]["state"], "sent");

    let h = home(
        &rx.url(),
        &format!("timezone = \"UTC\"\nquiet_hours = \"{outside}\"\nquiet_kinds = [\"idle\"]"),
        "",
    );
    hook(&h, notification("s", "idle_prompt"), true);
    assert_eq!(decisions(&h)[0]["state"], "sent");
}

#[test]
fn failed_goes_once_to_a_target_the_alert_already_reached() {
    let rx = Receiver::start(Plan::always(200, "{}"));
    // "hook" takes alerts too here; "side" takes only notifications.
    let h = Home::new();
    std::fs::write(
        h.path().join("config.toml"),
        format!(
            r#"
[notify]
targets = ["hook", "side"]

[alerts.route]
group_wait = "0s"

[alerts.delivery]
timeout = "2s"
linger = "3s"

[alerts.targets.hook]
type = "webhook"
url = "{0}/hook"

[alerts.targets.side]
type = "webhook"
url = "{0}/side"
alerts = false
"#,
            rx.url()
        ),
    )
    .unwrap();
    hook(
        &h,
        ev(
            "s",
            "StopFailure",
            json!({"error": "rate_limit", "error_details": "429 Too Many Requests",
            "last_assistant_message": "API Error: Rate limit reached"}),
        ),
        true,
    );
    let d = decisions(&h);
    assert!(rx.wait_for(2, Duration::from_secs(10)));
    std::thread::sleep(Duration::from_millis(500));
    let got = rx.requests();
    let to = |p: &str| got.iter().filter(|r| r.path == p).count();
    assert_eq!(to("/hook"), 1, "the alert, not a second message");
    assert_eq!(to("/side"), 1);
    let side = got.iter().find(|r| r.path == "/side").unwrap();
    assert_eq!(attention(side)["kind"], "failed");
    assert_eq!(d[0]["state"], "sent");
    assert!(d[0]["reason"]
        .as_str()
        .unwrap()
        .contains("also sent as an alert to hook"));
    // The alert target did not get attention JSON: it got the alert.
    let alert = got.iter().find(|r| r.path == "/hook").unwrap();
    assert!(alert.json()["data"]["attention"].is_null());
}

#[test]
fn setup_writes_the_config_and_test_sends_every_kind() {
    let rx = Receiver::start(Plan::always(200, "{}"));
    let h = Home::new();
    let out = h
        .cmd()
        .args(["notify", "setup", "webhook", "--secret-env", "HW_TEST_URL"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = std::fs::read_to_string(h.path().join("config.toml")).unwrap();
    assert!(
        text.contains("[alerts.targets.webhook]") && text.contains("url_env = \"HW_TEST_URL\""),
        "{text}"
    );
    assert!(
        text.contains("alerts = false") && text.contains("targets = [\"webhook\"]"),
        "{text}"
    );
    // A second setup of the same name is refused, the file untouched.
    let again = h
        .cmd()
        .args(["notify", "setup", "webhook"])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert_eq!(
        std::fs::read_to_string(h.path().join("config.toml")).unwrap(),
        text
    );
    let out = h
        .cmd()
        .env("HW_TEST_URL", format!("{}/t", rx.url()))
        .args(["notify", "test", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 4);
    assert!(lines.iter().all(|l| l["result"] == "delivered"));
    let kinds: Vec<String> = rx
        .requests()
        .iter()
        .map(|r| attention(r)["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["done", "needs_you", "idle", "failed"]);
}

#[test]
fn install_with_notify_registers_the_hook_sets_up_the_target_and_sends_samples() {
    let h = Home::new();
    let project = tempfile::tempdir().unwrap();
    let got = h.path().join("got.jsonl");
    let script = h.path().join("notifier.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ncat >> '{}'\necho >> '{}'\n",
            got.display(),
            got.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let out = h
        .cmd()
        .args(["install", "--scope", "project", "--project-dir"])
        .arg(project.path())
        .arg("--notify")
        .arg(format!("command={}", script.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let settings = std::fs::read_to_string(project.path().join(".claude/settings.json")).unwrap();
    assert!(
        settings.contains("\"Notification\"") && settings.contains("hookwatch"),
        "{settings}"
    );
    let config = std::fs::read_to_string(h.path().join("config.toml")).unwrap();
    assert!(
        config.contains("[alerts.targets.command]") && config.contains("targets = [\"command\"]"),
        "{config}"
    );
    let text = std::fs::read_to_string(&got).unwrap();
    let kinds: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["attention"]["kind"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(kinds, ["done", "needs_you", "idle", "failed"]);
    // --dry-run writes nothing and sends nothing.
    let h2 = Home::new();
    let out = h2
        .cmd()
        .args([
            "install",
            "--scope",
            "project",
            "--dry-run",
            "--project-dir",
        ])
        .arg(project.path())
        .args(["--notify", "desktop"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(!h2.path().join("config.toml").exists());
    assert!(String::from_utf8_lossy(&out.stdout).contains("[alerts.targets.desktop]"));
}
