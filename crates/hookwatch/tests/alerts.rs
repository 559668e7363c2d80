//! Alerts end to end through the real binary: hook → spool → worker →
//! outbox → a real HTTP receiver on 127.0.0.1. Routing, grouping, dedup,
//! silences, inhibition, expected failures, retries, dead-letters, leases
//! after a SIGKILL, and 100 hooks at once.

mod common;
use common::*;
use hookwatch_testkit::receiver::{Plan, Receiver, Reply};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::Write;
use std::time::{Duration, Instant};

const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

/// A home whose config sends every alert to a signed webhook at `url`, with
/// timers short enough for tests. `extra` is appended (more sections).
fn home_with(url: &str, extra: &str) -> Home {
    let h = Home::new();
    let config = format!(
        r#"
[alerts.route]
group_wait = "0s"
group_interval = "1s"

[alerts.delivery]
backoff_base = "50ms"
backoff_cap = "200ms"
timeout = "1s"
lease = "2s"
linger = "3s"

[alerts.targets.hook]
type = "webhook"
url = "{url}/hook"
secret_env = "HW_TEST_WEBHOOK_SECRET"
{extra}
"#
    );
    std::fs::write(h.path().join("config.toml"), config).unwrap();
    h
}

fn cmd(h: &Home) -> std::process::Command {
    let mut c = h.cmd();
    c.env("HW_TEST_WEBHOOK_SECRET", SECRET);
    c
}

fn hook(h: &Home, ev: &Value) -> std::process::Output {
    let out = run_with_stdin(cmd(h).arg("hook"), ev.to_string().as_bytes());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn drain(h: &Home) -> Value {
    let out = cmd(h).args(["drain", "--wait", "--json"]).output().unwrap();
    assert!(
        out.status.success(),
        "drain: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn run_json(h: &Home, args: &[&str]) -> Vec<Value> {
    json_lines(&cmd(h).args(args).output().unwrap())
}

/// One hook process per event, all started before any gets its input, then
/// fed in one quick loop; each must exit 0 with nothing on stderr.
fn hooks_at_once(h: &Home, events: Vec<Value>) {
    let mut children: Vec<_> = events
        .iter()
        .map(|_| {
            cmd(h)
                .arg("hook")
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for (c, ev) in children.iter_mut().zip(&events) {
        let mut stdin = c.stdin.take().unwrap();
        stdin.write_all(ev.to_string().as_bytes()).unwrap();
    }
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.is_empty(), "{err}");
    }
}

fn failure(session: &str, id: &str, command: &str, error: &str) -> Value {
    json!({
        "session_id": session, "transcript_path": "/tmp/t.jsonl", "cwd": "/work/shop",
        "hook_event_name": "PostToolUseFailure", "tool_name": "Bash",
        "tool_input": {"command": command}, "tool_use_id": id,
        "error": error, "is_interrupt": false
    })
}

fn stop_failure(session: &str, kind: &str) -> Value {
    json!({
        "session_id": session, "transcript_path": "/tmp/t.jsonl", "cwd": "/work/shop",
        "hook_event_name": "StopFailure", "error": kind,
        "error_details": "429 {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\"}}",
        "last_assistant_message": "API Error: Rate limit reached"
    })
}

/// Standard Webhooks verification with the spec's algorithm.
fn verify(r: &hookwatch_testkit::receiver::Received) {
    let id = r.header("webhook-id").expect("webhook-id");
    let ts = r.header("webhook-timestamp").expect("webhook-timestamp");
    let sig = r.header("webhook-signature").expect("webhook-signature");
    let expected =
        hookwatch_sink::standard_webhooks_signature(SECRET, id, ts.parse().unwrap(), &r.body)
            .unwrap();
    assert!(sig.split(' ').any(|s| s == expected), "{sig} vs {expected}");
}

fn bodies(rx: &Receiver) -> Vec<Value> {
    rx.requests().iter().map(|r| r.json()).collect()
}

#[test]
fn a_failure_reaches_a_signed_webhook_with_context_and_no_secret() {
    let rx = Receiver::start(Plan::always(200, "ok"));
    let h = home_with(&rx.url(), "");
    let token = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
    hook(
        &h,
        &failure(
            "s1",
            "t1",
            &format!("curl -H 'Authorization: token {token}' https://api.github.com"),
            &format!("curl: (22) 401 Unauthorized, token {token}"),
        ),
    );
    // The hook starts the worker itself; no drain needed.
    assert!(rx.wait_for(1, Duration::from_secs(20)), "no delivery");
    let r = &rx.requests()[0];
    verify(r);
    assert!(!contains(&r.body, token), "secret in the alert");
    let v = r.json();
    assert_eq!(v["type"], "hookwatch.alert.firing");
    let n = &v["data"];
    assert_eq!(n["session"], "s1");
    assert_eq!(n["project"], "/work/shop");
    let a = &n["alerts"][0];
    assert_eq!(a["tool"], "Bash");
    assert!(a["command"].as_str().unwrap().starts_with("curl"));
    assert!(a["error"].as_str().unwrap().contains("401"));
    assert_eq!(a["count"], 1);
    let event_id = a["event_id"].as_i64().unwrap();
    assert!(r.body_str().contains(&format!("hookwatch show {event_id}")) || a["event_id"].is_i64());
    // The outbox says sent, once.
    std::thread::sleep(Duration::from_millis(300));
    let rows = run_json(&h, &["alerts", "--json"]);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["state"], "sent");
    assert_eq!(rx.requests().len(), 1);
}

#[test]
fn a_burst_in_one_session_is_one_notification_and_repeats_are_deduplicated() {
    let rx = Receiver::start(Plan::always(200, "ok"));
    let h = home_with(&rx.url(), "");
    // Group wait long enough to collect the burst.
    let cfg = std::fs::read_to_string(h.path().join("config.toml")).unwrap();
    std::fs::write(
        h.path().join("config.toml"),
        cfg.replace("group_wait = \"0s\"", "group_wait = \"2s\""),
    )
    .unwrap();
    for i in 0..5 {
        hook(
            &h,
            &failure(
                "s1",
                &format!("a{i}"),
                "pnpm test",
                "Error: Cannot find module 'left-pad'",
            ),
        );
    }
    hook(
        &h,
        &failure(
            "s1",
            "b",
            "cargo build",
            "error: could not find `Cargo.toml`",
        ),
    );
    drain(&h);
    assert_eq!(rx.requests().len(), 1, "{:?}", bodies(&rx));
    let n = &rx.requests()[0].json()["data"];
    let items = n["alerts"].as_array().unwrap();
    assert_eq!(items.len(), 2, "two fingerprints: {n}");
    let counts: BTreeSet<i64> = items.iter().map(|i| i["count"].as_i64().unwrap()).collect();
    assert_eq!(counts, BTreeSet::from([1, 5]));
    // The same failure in another session within repeat_interval: counted,
    // not sent again.
    hook(
        &h,
        &failure(
            "s2",
            "c",
            "pnpm test",
            "Error: Cannot find module 'left-pad'",
        ),
    );
    drain(&h);
    assert_eq!(rx.requests().len(), 1);
    let hist = run_json(&h, &["alerts", "history", "--json"]);
    assert_eq!(
        hist.iter().filter(|a| a["state"] == "deduplicated").count(),
        1,
        "{hist:?}"
    );
    assert_eq!(hist.iter().filter(|a| a["state"] == "notified").count(), 6);
}

#[test]
fn expected_failures_go_nowhere() {
    let rx = Receiver::start(Plan::always(200, "ok"));
    let h = home_with(&rx.url(), "");
    // grep finding nothing is an expected failure.
    hook(&h, &failure("s1", "g", "grep -r TODO src", "Exit code 1"));
    let t = drain(&h);
    assert_eq!(t["alerts"], 0, "{t}");
    assert!(rx.requests().is_empty());
}

#[test]
fn silences_mute_and_expire() {
    let rx = Receiver::start(Plan::always(200, "ok"));
    let h = home_with(&rx.url(), "");
    let out = cmd(&h)
        .args([
            "silence",
            "add",
            "tool=Bash",
            "project=~/work/.*",
            "--for",
            "1h",
            "--comment",
            "known breakage",
            "--author",
            "ana",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    hook(
        &h,
        &failure("s1", "x", "make", "make: *** No rule to make target 'all'"),
    );
    drain(&h);
    assert!(rx.requests().is_empty());
    let hist = run_json(&h, &["alerts", "history", "--json"]);
    assert_eq!(hist[0]["state"], "silenced");
    assert!(hist[0]["reason"].as_str().unwrap().contains("ana"));
    let list = run_json(&h, &["silence", "list", "--json"]);
    assert_eq!(list[0]["state"], "active");
    let id = s["id"].to_string();
    assert!(cmd(&h)
        .args(["silence", "expire", &id])
        .output()
        .unwrap()
        .status
        .success());
    hook(
        &h,
        &failure("s1", "y", "make", "make: *** No rule to make target 'all'"),
    );
    drain(&h);
    assert_eq!(rx.requests().len(), 1);
    assert!(run_json(&h, &["silence", "list", "--json"]).is_empty());
    assert_eq!(
        run_json(&h, &["silence", "list", "--all", "--json"])[0]["state"],
        "expired"
    );
}

#[test]
fn a_rate_limit_mutes_the_sessions_tool_failures() {
    let rx = Receiver::start(Plan::always(200, "ok"));
    let h = home_with(&rx.url(), "");
    let cfg = std::fs::read_to_string(h.path().join("config.toml")).unwrap();
    std::fs::write(
        h.path().join("config.toml"),
        cfg.replace("group_wait = \"0s\"", "group_wait = \"2s\""),
    )
    .unwrap();
    hook(
        &h,
        &failure("s1", "x", "curl https://x", "curl: (7) Failed to connect"),
    );
    hook(&h, &stop_failure("s1", "rate_limit"));
    // Another session's failure is not muted.
    hook(
        &h,
        &failure("s2", "y", "curl https://x", "curl: (7) Failed to connect"),
    );
    drain(&h);
    let all = bodies(&rx);
    let sessions: Vec<&str> = all
        .iter()
        .map(|b| b["data"]["session"].as_str().unwrap())
        .collect();
    assert_eq!(all.len(), 2, "{all:?}");
    let s1 = all.iter().find(|b| b["data"]["session"] == "s1").unwrap();
    let items = s1["data"]["alerts"].as_array().unwrap();
    assert_eq!(items.len(), 1, "only the StopFailure: {s1}");
    assert_eq!(items[0]["event"], "StopFailure");
    assert_eq!(items[0]["error_type"], "rate_limit");
    assert!(sessions.contains(&"s2"));
    let hist = run_json(&h, &["alerts", "history", "--state", "inhibited", "--json"]);
    assert_eq!(hist.len(), 1);
    assert!(hist[0]["reason"].as_str().unwrap().contains("rate_limit"));
}

#[test]
fn server_errors_are_retried_until_delivered() {
    let rx = Receiver::start(Plan::always(200, "ok").then(Reply::status(500)).times(3));
    let h = home_with(&rx.url(), "");
    hook(&h, &failure("s1", "x", "make", "make: *** [all] Error 2"));
    drain(&h);
    let reqs = rx.requests();
    assert_eq!(reqs.len(), 4);
    // The same webhook-id on every attempt: receivers deduplicate on it.
    let ids: BTreeSet<&str> = reqs
        .iter()
        .map(|r| r.header("webhook-id").unwrap())
        .collect();
    assert_eq!(ids.len(), 1);
    let rows = run_json(&h, &["alerts", "--json"]);
    assert_eq!(rows[0]["state"], "sent");
    assert_eq!(rows[0]["attempts"], 4);
}

#[test]
fn retry_after_is_honoured() {
    let rx = Receiver::start(
        Plan::always(200, "ok").then(Reply::status(429).header("Retry-After", "2")),
    );
    let h = home_with(&rx.url(), "");
    hook(&h, &failure("s1", "x", "make", "make: *** [all] Error 2"));
    drain(&h);
    let reqs = rx.requests();
    assert_eq!(reqs.len(), 2);
    let gap = reqs[1].at.duration_since(reqs[0].at);
    assert!(gap >= Duration::from_millis(1900), "retried after {gap:?}");
}

#[test]
fn timeouts_and_refused_connections_are_retried_then_dead_lettered() {
    // A receiver slower than the timeout, then a good answer.
    let rx = Receiver::start(
        Plan::always(200, "ok").then(Reply::status(200).delayed(Duration::from_millis(1500))),
    );
    let h = home_with(&rx.url(), "");
    hook(&h, &failure("s1", "x", "make", "make: *** [all] Error 2"));
    drain(&h);
    let rows = run_json(&h, &["alerts", "--json"]);
    assert_eq!(rows[0]["state"], "sent");
    assert_eq!(rows[0]["attempts"], 2);
    // Nobody listening: retried max_attempts times, then dead.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let h = home_with(&format!("http://127.0.0.1:{closed}"), "");
    let cfg = std::fs::read_to_string(h.path().join("config.toml")).unwrap();
    std::fs::write(
        h.path().join("config.toml"),
        format!("{cfg}max_attempts = 3\n"),
    )
    .unwrap();
    hook(&h, &failure("s1", "x", "make", "make: *** [all] Error 2"));
    drain(&h);
    let rows = run_json(&h, &["alerts", "--json"]);
    assert_eq!(rows[0]["state"], "dead", "{rows:?}");
    assert_eq!(rows[0]["attempts"], 3);
    assert!(rows[0]["last_error"]
        .as_str()
        .unwrap()
        .contains("gave up after 3"));
    // Not reported as a broken target: the network may come back.
    let t = run_json(&h, &["alerts", "targets", "--json"]);
    assert!(t[0]["broken_since"].is_null(), "{t:?}");
}

#[test]
fn a_permanent_error_is_dead_lettered_once_and_reported_once() {
    let bad = Receiver::start(Plan::always(400, "invalid_payload"));
    let good = Receiver::start(Plan::always(200, "ok"));
    let extra = format!(
        r#"
[alerts]
report_broken_to = ["ops"]

[alerts.targets.ops]
type = "webhook"
url = "{}/ops"
"#,
        good.url()
    );
    let h = home_with(&bad.url(), &extra);
    // Only "hook" gets alerts; "ops" only hears about broken targets.
    let cfg = std::fs::read_to_string(h.path().join("config.toml")).unwrap();
    std::fs::write(
        h.path().join("config.toml"),
        cfg.replace(
            "group_interval = \"1s\"",
            "group_interval = \"1s\"\ntargets = [\"hook\"]",
        ),
    )
    .unwrap();
    hook(&h, &failure("s1", "x", "make", "make: *** [all] Error 2"));
    hook(
        &h,
        &failure("s2", "y", "cargo build", "error: could not compile `x`"),
    );
    drain(&h);
    assert_eq!(bad.requests().len(), 2, "one attempt each, no retry");
    let dead = run_json(&h, &["alerts", "--state", "dead", "--json"]);
    assert_eq!(dead.len(), 2);
    assert!(dead
        .iter()
        .all(|d| d["attempts"] == 1 && d["last_status"] == 400));
    let reports = bodies(&good);
    assert_eq!(reports.len(), 1, "reported once: {reports:?}");
    assert!(reports[0]["data"]["title"]
        .as_str()
        .unwrap()
        .contains("\"hook\" is broken"));
    // Fixed: retry the dead ones.
    bad.set_plan(Plan::always(200, "ok"));
    assert!(cmd(&h)
        .args(["alerts", "retry", "--dead"])
        .output()
        .unwrap()
        .status
        .success());
    drain(&h);
    assert_eq!(
        run_json(&h, &["alerts", "--state", "sent", "--json"])
            .iter()
            .filter(|r| r["target"] == "hook")
            .count(),
        2
    );
}

#[test]
fn a_worker_killed_mid_batch_loses_nothing() {
    let rx = Receiver::start(Plan::default_reply(
        Reply::status(200).delayed(Duration::from_millis(300)),
    ));
    let h = home_with(&rx.url(), "");
    // Queue 8 notifications without delivering them: the hooks' own workers
    // are kept out by holding the worker lock.
    let lock = std::fs::File::create(h.path().join("worker.lock")).unwrap();
    lock.lock().unwrap();
    for i in 0..8 {
        hook(
            &h,
            &failure(
                &format!("s{i}"),
                "x",
                &format!("make t{i}"),
                &format!("make: *** [t{i}] Error {i}"),
            ),
        );
    }
    drop(lock);
    let mut child = cmd(&h)
        .args(["drain", "--wait"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while rx.requests().len() < 3 && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let before = rx.requests().len();
    assert!(before < 8, "killed too late to test anything ({before})");
    // The killed worker's leases expire (2 s), then everything is sent.
    drain(&h);
    let keys: BTreeSet<String> = rx
        .requests()
        .iter()
        .map(|r| r.header("webhook-id").unwrap().to_string())
        .collect();
    assert_eq!(keys.len(), 8, "every notification delivered at least once");
    let rows = run_json(&h, &["alerts", "--json"]);
    assert!(rows.iter().all(|r| r["state"] == "sent"), "{rows:?}");
}

#[test]
fn a_hundred_hooks_at_once_alert_once_each() {
    let rx = Receiver::start(Plan::always(200, "ok"));
    let h = home_with(&rx.url(), "");
    hooks_at_once(
        &h,
        (0..100)
            .map(|i| {
                failure(
                    &format!("s{i:03}"),
                    "x",
                    "npm ci",
                    &format!("npm ERR! code E{i:03}"),
                )
            })
            .collect(),
    );
    drain(&h);
    let sessions: Vec<String> = bodies(&rx)
        .iter()
        .map(|b| b["data"]["session"].as_str().unwrap().to_string())
        .collect();
    let unique: BTreeSet<&String> = sessions.iter().collect();
    assert_eq!(unique.len(), 100, "every session alerted");
    assert_eq!(sessions.len(), 100, "none twice");
    assert_eq!(h.events(&[]).len(), 100);
}

#[test]
fn pagerduty_triggers_and_resolves_when_the_session_recovers() {
    let rx = Receiver::start(Plan::always(202, "{\"status\":\"success\"}"));
    let extra = format!(
        r#"
[alerts.targets.pd]
type = "pagerduty"
routing_key_env = "HW_TEST_PD_KEY"
url = "{}/v2/enqueue"
rate_limit = "100/1s"
"#,
        rx.url()
    );
    let h = home_with("http://127.0.0.1:9", &extra);
    let cfg = std::fs::read_to_string(h.path().join("config.toml")).unwrap();
    std::fs::write(
        h.path().join("config.toml"),
        cfg.replace(
            "group_interval = \"1s\"",
            "group_interval = \"1s\"\ntargets = [\"pd\"]",
        ),
    )
    .unwrap();
    let pd = |c: &mut std::process::Command| {
        c.env("HW_TEST_PD_KEY", "R0123456789abcdef0123456789abcde");
    };
    let mut c = cmd(&h);
    pd(&mut c);
    run_with_stdin(
        c.arg("hook"),
        stop_failure("s1", "rate_limit").to_string().as_bytes(),
    );
    let mut c = cmd(&h);
    pd(&mut c);
    c.args(["drain", "--wait"]).output().unwrap();
    let mut c = cmd(&h);
    pd(&mut c);
    let stop = json!({"session_id": "s1", "transcript_path": "/tmp/t", "cwd": "/work/shop",
        "hook_event_name": "Stop", "stop_hook_active": false});
    run_with_stdin(c.arg("hook"), stop.to_string().as_bytes());
    let mut c = cmd(&h);
    pd(&mut c);
    c.args(["drain", "--wait"]).output().unwrap();
    let b = bodies(&rx);
    assert_eq!(b.len(), 2, "{b:?}");
    assert_eq!(b[0]["event_action"], "trigger");
    assert_eq!(b[1]["event_action"], "resolve");
    assert_eq!(b[0]["dedup_key"], b[1]["dedup_key"]);
    assert_eq!(b[0]["payload"]["severity"], "warning");
}

#[test]
fn alerts_test_reports_what_the_target_answered() {
    let rx = Receiver::start(Plan::always(200, "thanks"));
    let h = home_with(&rx.url(), "");
    let out = cmd(&h).args(["alerts", "test", "hook"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("delivered") && text.contains("200") && text.contains("thanks"),
        "{text}"
    );
    assert_eq!(rx.requests()[0].json()["type"], "hookwatch.test");
    rx.set_plan(Plan::always(404, "no_service"));
    let out = cmd(&h)
        .args(["alerts", "test", "hook", "--json"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], 404);
    assert_eq!(v["result"], "permanent failure");
}

#[test]
fn a_secret_in_the_config_text_is_refused_and_loose_permissions_warned() {
    let h = Home::new();
    std::fs::write(
        h.path().join("config.toml"),
        "[alerts.targets.s]\ntype = \"slack\"\nurl = \"https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX\"\n",
    )
    .unwrap();
    let out = cmd(&h).args(["alerts", "test", "s"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("url_env") || err.contains("url_file"), "{err}");
    assert!(!err.contains("XXXXXXXXXXXXXXXXXXXXXXXX"), "{err}");
    let f = h.path().join("slack.url");
    std::fs::write(&f, "http://127.0.0.1:9/x\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::write(
        h.path().join("config.toml"),
        format!(
            "[alerts.targets.s]\ntype = \"slack\"\nurl_file = \"{}\"\n",
            f.display()
        ),
    )
    .unwrap();
    let t = run_json(&h, &["alerts", "targets", "--json"]);
    assert_eq!(t[0]["ready"], true, "{t:?}");
    assert!(t[0]["warnings"].to_string().contains("chmod 600"), "{t:?}");
}

fn set_config(h: &Home, from: &str, to: &str) {
    let p = h.path().join("config.toml");
    let cfg = std::fs::read_to_string(&p).unwrap();
    assert!(cfg.contains(from), "{from} not in config");
    std::fs::write(p, cfg.replacen(from, to, 1)).unwrap();
}

#[test]
fn after_a_flush_new_alerts_wait_for_the_group_interval() {
    let rx = Receiver::start(Plan::always(200, "ok"));
    let h = home_with(&rx.url(), "");
    set_config(&h, "group_interval = \"1s\"", "group_interval = \"2s\"");
    hook(&h, &failure("s1", "a", "make", "make: *** [all] Error 2"));
    drain(&h);
    hook(
        &h,
        &failure("s1", "b", "cargo build", "error: could not compile `x`"),
    );
    drain(&h);
    let reqs = rx.requests();
    assert_eq!(reqs.len(), 2);
    let gap = reqs[1].at.duration_since(reqs[0].at);
    assert!(
        gap >= Duration::from_millis(1800),
        "second notification after {gap:?}"
    );
}

#[test]
fn a_target_rate_limit_spaces_notifications_without_dropping_any() {
    let rx = Receiver::start(Plan::always(200, "ok"));
    let h = home_with(&rx.url(), "rate_limit = \"1/1s\"\n");
    let lock = std::fs::File::create(h.path().join("worker.lock")).unwrap();
    lock.lock().unwrap();
    for i in 0..3 {
        hook(
            &h,
            &failure(
                &format!("s{i}"),
                "x",
                "make",
                &format!("make: *** [t{i}] Error 2"),
            ),
        );
    }
    drop(lock);
    let t = drain(&h);
    let reqs = rx.requests();
    assert_eq!(reqs.len(), 3, "{t}");
    for w in reqs.windows(2) {
        let gap = w[1].at.duration_since(w[0].at);
        assert!(gap >= Duration::from_millis(900), "sent {gap:?} apart");
    }
    assert!(t["deferred"].as_u64().unwrap() >= 2, "{t}");
}

#[test]
fn work_left_for_later_is_picked_up_by_a_later_hook() {
    let rx = Receiver::start(Plan::always(200, "ok").then(Reply::status(503)));
    let h = home_with(&rx.url(), "");
    set_config(&h, "linger = \"3s\"", "linger = \"0s\"");
    set_config(&h, "backoff_base = \"50ms\"", "backoff_base = \"1s\"");
    set_config(&h, "backoff_cap = \"200ms\"", "backoff_cap = \"1s\"");
    hook(&h, &failure("s1", "x", "make", "make: *** [all] Error 2"));
    // The hook's worker tries once, gets 503, and leaves: the retry is due
    // later than it may linger.
    assert!(rx.wait_for(1, Duration::from_secs(10)));
    let start = Instant::now();
    while !h.path().join("outbox.due").exists() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(h.path().join("outbox.due").exists(), "no marker left");
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(rx.requests().len(), 1, "nobody should have retried yet");
    // Any later event, even one that cannot alert, starts a worker.
    let prompt = json!({"session_id": "s1", "transcript_path": "/tmp/t", "cwd": "/work/shop",
        "hook_event_name": "UserPromptSubmit", "prompt": "try again"});
    hook(&h, &prompt);
    assert!(
        rx.wait_for(2, Duration::from_secs(10)),
        "the retry never happened"
    );
    let start = Instant::now();
    while h.path().join("outbox.due").exists() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!h.path().join("outbox.due").exists(), "marker not cleared");
}

#[test]
fn config_mistakes_are_reported_with_what_to_fix() {
    let h = Home::new();
    let p = h.path().join("config.toml");
    for (cfg, needle) in [
        ("[alerts.targets.a]\ntype = \"command\"\nargv = [\"true\"]\n[[alerts.route.routes]]\ntargets = [\"nope\"]\n", "nope"),
        ("[alerts.targets.a]\ntype = \"command\"\nargv = [\"true\"]\n[[alerts.route.routes]]\nmatchers = [\"tool\"]\n", "operator"),
        ("[alerts.targets.a]\ntype = \"command\"\nargv = [\"true\"]\n[alerts.route]\ngroup_wait = \"soon\"\n", "group_wait"),
        ("[alerts.targets.a]\ntype = \"command\"\nargv = [\"true\"]\nrate_limit = \"lots\"\n", "rate_limit"),
        ("[alerts.targets.a]\ntype = \"pager\"\n", "pager"),
    ] {
        std::fs::write(&p, cfg).unwrap();
        let out = h.cmd().arg("config").output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{cfg}");
        assert!(err.contains(needle), "{cfg}: {err}");
        // The hook still records, whatever the alerts section says.
        let out = h.hook(failure("s", "t", "make", "Error 2").to_string().as_bytes());
        assert_eq!(out.status.code(), Some(0));
    }
}

#[test]
fn the_daemon_delivers_while_it_runs() {
    let rx = Receiver::start(Plan::always(200, "ok"));
    let h = home_with(&rx.url(), "");
    let mut daemon = cmd(&h)
        .arg("daemon")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Give it the worker lock first: hooks then leave the work to it.
    let start = Instant::now();
    while !h.path().join("worker.lock").exists() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    for i in 0..3 {
        hook(
            &h,
            &failure(
                &format!("d{i}"),
                "x",
                "make",
                &format!("make: *** [t{i}] Error 2"),
            ),
        );
    }
    let got = rx.wait_for(3, Duration::from_secs(15));
    daemon.kill().unwrap();
    daemon.wait().unwrap();
    assert!(got, "the daemon delivered {} of 3", rx.requests().len());
}

#[test]
fn a_hundred_identical_failures_at_once_in_one_session_are_one_notification() {
    let rx = Receiver::start(Plan::always(200, "ok"));
    let h = home_with(&rx.url(), "");
    set_config(&h, "group_wait = \"0s\"", "group_wait = \"2s\"");
    hooks_at_once(
        &h,
        (0..100)
            .map(|i| {
                failure(
                    "same",
                    &format!("t{i}"),
                    "npm ci",
                    "npm ERR! code ECONNRESET",
                )
            })
            .collect(),
    );
    // No drain: the hooks' own worker routes, groups and delivers.
    assert!(rx.wait_for(1, Duration::from_secs(20)), "nothing delivered");
    std::thread::sleep(Duration::from_secs(3));
    let b = bodies(&rx);
    assert_eq!(b.len(), 1, "{b:#?}");
    let items = b[0]["data"]["alerts"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["count"], 100);
}

#[test]
fn credentials_in_a_webhook_url_or_header_must_come_from_env_or_file() {
    let h = Home::new();
    let p = h.path().join("config.toml");
    for (cfg, needle) in [
        ("[alerts.targets.w]\ntype = \"webhook\"\nurl = \"https://user:pw@example.com/h\"\n", "url_env"),
        ("[alerts.targets.w]\ntype = \"webhook\"\nurl = \"https://example.com/h?token=abc\"\n", "url_env"),
        ("[alerts.targets.w]\ntype = \"webhook\"\nurl = \"https://example.com/h\"\n[alerts.targets.w.headers]\nAuthorization = \"Bearer abc123\"\n", "env:VAR"),
    ] {
        std::fs::write(&p, cfg).unwrap();
        let out = cmd(&h).args(["alerts", "test", "w"]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{cfg}");
        assert!(err.contains(needle), "{cfg}: {err}");
        assert!(!err.contains("abc123") && !err.contains(":pw@"), "{err}");
    }
    // From the environment it works.
    let rx = Receiver::start(Plan::always(200, "ok"));
    std::fs::write(
        &p,
        format!("[alerts.targets.w]\ntype = \"webhook\"\nurl = \"{}/h\"\n[alerts.targets.w.headers]\nAuthorization = \"env:HW_TEST_AUTH\"\n", rx.url()),
    )
    .unwrap();
    let out = cmd(&h)
        .env("HW_TEST_AUTH", "Bearer abc123")
        .args(["alerts", "test", "w"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        rx.requests()[0].header("authorization"),
        Some("Bearer abc123")
    );
}
