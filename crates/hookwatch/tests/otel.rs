//! OpenTelemetry export ([otel]) end to end: events go through the real
//! hook, the worker exports them, and a receiver built on the official
//! protobuf definitions (crates/testkit/otlp/receiver.py, PyPI
//! opentelemetry-proto) decodes every request, in http/protobuf and
//! http/json. Checked: every record's fields and attributes for a seeded
//! session (a failure, a guard block, a StopFailure with recovery), trace
//! and span ids and parent links, metrics equal to `hookwatch stats`, and
//! faults (503 with Retry-After, 429, a collector down, partial success)
//! losing nothing and keeping each session's order.

mod common;
use common::*;
use hookwatch_testkit::otlp::{attrs, Collector};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

const PROJECT: &str = "/tmp/otel-proj";

fn home(collector: &Collector, otel: &str, more: &str) -> Home {
    let h = Home::new();
    std::fs::write(
        h.path().join("config.toml"),
        format!(
            // A worker a hook started stays this long for retries due
            // soon; `drain` waits for it.
            "[otel]\nendpoint = \"{}\"\n{otel}\n[alerts.delivery]\nlinger = \"1s\"\n{more}\n",
            collector.url()
        ),
    )
    .unwrap();
    h
}

/// The real hook, without the OTEL_* variables of whoever runs the tests.
fn hook(h: &Home, event: &Value) {
    let mut c = h.cmd();
    for (k, _) in std::env::vars() {
        if k.starts_with("OTEL_") {
            c.env_remove(k);
        }
    }
    let out = run_with_stdin(c.arg("hook"), event.to_string().as_bytes());
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

fn drain(h: &Home) {
    let mut c = h.cmd();
    for (k, _) in std::env::vars() {
        if k.starts_with("OTEL_") {
            c.env_remove(k);
        }
    }
    let out = c.arg("drain").output().unwrap();
    assert!(out.status.success(), "{out:?}");
}

fn ev(session: &str, prompt: Option<&str>, name: &str, fields: Value) -> Value {
    let mut v = json!({
        "hook_event_name": name, "session_id": session, "cwd": PROJECT,
        "transcript_path": "",
    });
    if let Some(p) = prompt {
        v["prompt_id"] = p.into();
    }
    for (k, x) in fields.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

/// A session with a failure, a guard block, a successful call, a Stop, a
/// StopFailure that recovery decides about, and its end.
fn seed_session(h: &Home, s: &str) -> usize {
    let events = vec![
        ev(s, None, "SessionStart", json!({"source": "startup"})),
        ev(
            s,
            Some("p1"),
            "UserPromptSubmit",
            json!({"prompt": "fix the build, my key is sk-ant-api03-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-bbbbbbAA"}),
        ),
        ev(
            s,
            Some("p1"),
            "PreToolUse",
            json!({"tool_name": "Bash", "tool_use_id": "t1", "tool_input": {"command": "cargo build"}}),
        ),
        ev(
            s,
            Some("p1"),
            "PostToolUseFailure",
            json!({"tool_name": "Bash", "tool_use_id": "t1", "tool_input": {"command": "cargo build"},
            "error": "error[E0425]: cannot find value `x` in this scope\n --> src/main.rs:2:5", "is_interrupt": false, "duration_ms": 1500}),
        ),
        ev(
            s,
            Some("p1"),
            "PreToolUse",
            json!({"tool_name": "Bash", "tool_use_id": "t2", "tool_input": {"command": "rm -rf /"}}),
        ),
        ev(
            s,
            Some("p1"),
            "PreToolUse",
            json!({"tool_name": "Read", "tool_use_id": "t3", "tool_input": {"file_path": "/tmp/otel-proj/src/main.rs"}}),
        ),
        ev(
            s,
            Some("p1"),
            "PostToolUse",
            json!({"tool_name": "Read", "tool_use_id": "t3", "tool_input": {"file_path": "/tmp/otel-proj/src/main.rs"},
            "tool_response": {}, "duration_ms": 12}),
        ),
        ev(
            s,
            Some("p1"),
            "SubagentStart",
            json!({"agent_id": "a1", "agent_type": "Explore"}),
        ),
        ev(
            s,
            Some("p1"),
            "PreToolUse",
            json!({"tool_name": "Grep", "tool_use_id": "t4", "agent_id": "a1", "agent_type": "Explore", "tool_input": {"pattern": "fn main"}}),
        ),
        ev(
            s,
            Some("p1"),
            "PostToolUse",
            json!({"tool_name": "Grep", "tool_use_id": "t4", "agent_id": "a1", "agent_type": "Explore", "tool_input": {"pattern": "fn main"}, "tool_response": {}}),
        ),
        ev(
            s,
            Some("p1"),
            "SubagentStop",
            json!({"agent_id": "a1", "agent_type": "Explore", "stop_hook_active": false}),
        ),
        ev(
            s,
            Some("p1"),
            "Stop",
            json!({"stop_hook_active": false, "last_assistant_message": "Done."}),
        ),
        ev(
            s,
            Some("p2"),
            "UserPromptSubmit",
            json!({"prompt": "again"}),
        ),
        ev(
            s,
            Some("p2"),
            "StopFailure",
            json!({"error": "rate_limit", "last_assistant_message": "API Error: Rate limit reached"}),
        ),
        ev(s, Some("p2"), "SessionEnd", json!({"reason": "other"})),
    ];
    for e in &events {
        hook(h, e);
        // Distinct times: spans have a start before their end.
        std::thread::sleep(Duration::from_millis(5));
    }
    events.len()
}

fn bodies<'a>(reqs: &'a [Value], path: &str) -> Vec<&'a Value> {
    reqs.iter()
        .filter(|r| r["path"] == path && r["status"] == 200)
        .map(|r| &r["body"])
        .collect()
}

/// (resource attributes, record) for every log record accepted.
fn log_records(reqs: &[Value]) -> Vec<(Map<String, Value>, Value)> {
    let mut out = Vec::new();
    for b in bodies(reqs, "/v1/logs") {
        for rl in b["resource_logs"].as_array().into_iter().flatten() {
            let res = attrs(&rl["resource"]["attributes"]);
            for sl in rl["scope_logs"].as_array().into_iter().flatten() {
                assert_eq!(sl["scope"]["name"], "hookwatch");
                for r in sl["log_records"].as_array().into_iter().flatten() {
                    out.push((res.clone(), r.clone()));
                }
            }
        }
    }
    out
}

fn spans(reqs: &[Value]) -> Vec<Value> {
    let mut out = Vec::new();
    for b in bodies(reqs, "/v1/traces") {
        for rs in b["resource_spans"].as_array().into_iter().flatten() {
            for ss in rs["scope_spans"].as_array().into_iter().flatten() {
                out.extend(ss["spans"].as_array().into_iter().flatten().cloned());
            }
        }
    }
    out
}

/// metric name → (attributes, data point) list.
type Points = BTreeMap<String, Vec<(Map<String, Value>, Value)>>;

/// metric name → list of (attributes, point) of the last request that had it.
fn metric_points(reqs: &[Value]) -> Points {
    let mut out: Points = BTreeMap::new();
    for b in bodies(reqs, "/v1/metrics") {
        let mut this: Points = BTreeMap::new();
        for rm in b["resource_metrics"].as_array().into_iter().flatten() {
            for sm in rm["scope_metrics"].as_array().into_iter().flatten() {
                for m in sm["metrics"].as_array().into_iter().flatten() {
                    let name = m["name"].as_str().unwrap().to_string();
                    let data = m.get("sum").or_else(|| m.get("histogram")).unwrap();
                    for p in data["data_points"].as_array().into_iter().flatten() {
                        this.entry(name.clone())
                            .or_default()
                            .push((attrs(&p["attributes"]), p.clone()));
                    }
                }
            }
        }
        // Cumulative: each request holds every series' total.
        out.extend(this);
    }
    out
}

fn int(v: &Value) -> i64 {
    v.as_i64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or_else(|| panic!("not an int: {v}"))
}

/// The logs signal of `hookwatch otel status --json`.
fn logs_status(h: &Home) -> Value {
    let st: Value = serde_json::from_slice(&h.run(&["otel", "status", "--json"]).stdout).unwrap();
    st["signals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["signal"] == "logs")
        .unwrap()
        .clone()
}

/// The stored events (`hookwatch events --json`), each with its time in
/// µs from the database file (the command prints RFC 3339).
fn stored_events(h: &Home) -> Vec<Value> {
    let db = rusqlite::Connection::open(h.db()).unwrap();
    h.events(&[])
        .into_iter()
        .map(|mut e| {
            let t: i64 = db
                .query_row(
                    "SELECT time_us FROM events WHERE id = ?1",
                    [e["id"].as_i64().unwrap()],
                    |r| r.get(0),
                )
                .unwrap();
            e["time_us"] = t.into();
            e
        })
        .collect()
}

fn one_session_exported(protocol: &str) {
    let collector = Collector::start();
    let h = home(
        &collector,
        &format!("protocol = \"{protocol}\""),
        "[recover]\nenabled = true\nclaude = \"/bin/false\"\nbackoff_base = \"1h\"\nbackoff_cap = \"2h\"\n",
    );
    let s = "sess-otel-1";
    let n = seed_session(&h, s);
    let reqs = collector.wait_for(
        "every event as a log record, and the spans",
        Duration::from_secs(30),
        || drain(&h),
        |r| log_records(r).len() >= n && spans(r).len() >= 8,
    );
    for r in &reqs {
        assert_eq!(
            r["encoding"],
            if protocol == "http/json" {
                "json"
            } else {
                "protobuf"
            }
        );
    }
    let stored = stored_events(&h);
    assert_eq!(stored.len(), n);
    let by_id: BTreeMap<i64, &Value> = stored
        .iter()
        .map(|e| (e["id"].as_i64().unwrap(), e))
        .collect();

    // Logs: one per event, exactly once here (no faults).
    let logs = log_records(&reqs);
    assert_eq!(logs.len(), n, "{logs:#?}");
    let trace_hex = {
        let t = &logs[0].1["trace_id"];
        t.as_str().unwrap().to_string()
    };
    assert_eq!(trace_hex.len(), 32);
    let mut seen_ids = BTreeSet::new();
    for (res, r) in &logs {
        assert_eq!(res["service.name"], "hookwatch");
        assert_eq!(res["hookwatch.project"], PROJECT);
        assert!(res.contains_key("host.name") && res.contains_key("service.version"));
        let a = attrs(&r["attributes"]);
        let id = int(&a["hookwatch.event_id"]);
        seen_ids.insert(id);
        let stored = by_id[&id];
        let event = stored["event"].as_str().unwrap();
        assert_eq!(r["event_name"], format!("hookwatch.{event}"));
        assert_eq!(a["hookwatch.event"], event);
        assert_eq!(a["session.id"], s);
        assert_eq!(r["trace_id"], trace_hex.as_str(), "one session, one trace");
        assert_eq!(
            int(&r["time_unix_nano"]),
            stored["time_us"].as_i64().unwrap() * 1000
        );
        assert!(!r["body"]["string_value"].as_str().unwrap().is_empty());
        if let Some(p) = stored["payload"]["prompt_id"].as_str() {
            assert_eq!(a["prompt.id"], p);
        }
        match event {
            "PostToolUseFailure" => {
                // The failure's severity (syntax: a warning the agent can fix).
                assert_eq!(stored["severity"], "warning");
                assert_eq!(r["severity_number"], "SEVERITY_NUMBER_WARN");
                assert_eq!(r["severity_text"], "WARN");
                assert_eq!(a["error.type"], stored["class"]);
                assert_eq!(a["hookwatch.failure.class"], stored["class"]);
                assert_eq!(a["hookwatch.failure.fingerprint"], stored["fingerprint"]);
                assert_eq!(a["hookwatch.command_head"], stored["command_head"]);
                assert_eq!(a["gen_ai.tool.name"], "Bash");
                assert_eq!(a["gen_ai.tool.call.id"], "t1");
                assert_eq!(a["hookwatch.command"], "cargo build");
                assert!(a["hookwatch.error"].as_str().unwrap().contains("E0425"));
                assert_eq!(a["hookwatch.failure.expected"], false);
                let body = r["body"]["string_value"].as_str().unwrap();
                assert!(body.starts_with("Bash failed ("), "{body}");
            }
            "PreToolUse" if a["gen_ai.tool.call.id"] == "t2" => {
                assert_eq!(a["hookwatch.guard.decision"], "deny");
                assert!(!a["hookwatch.guard.policy"].as_str().unwrap().is_empty());
                assert_eq!(r["severity_number"], "SEVERITY_NUMBER_WARN");
                assert_eq!(a["hookwatch.command"], "rm -rf /");
            }
            "StopFailure" => {
                assert_eq!(r["severity_number"], "SEVERITY_NUMBER_ERROR");
                assert_eq!(a["error.type"], "rate_limit");
                assert_eq!(a["hookwatch.stop_failure.error_type"], "rate_limit");
                assert_eq!(a["hookwatch.recovery.decision"], "scheduled");
                assert_eq!(a["hookwatch.recovery.kind"], "retryable");
            }
            "UserPromptSubmit" => {
                // Prompts stay home unless include_prompts.
                assert!(!a.contains_key("hookwatch.prompt"), "{a:?}");
                assert_eq!(r["body"]["string_value"], "UserPromptSubmit");
            }
            _ => {}
        }
    }
    assert_eq!(seen_ids, by_id.keys().copied().collect());
    // Nothing secret left the machine, not even scrubbed prompts.
    let all = serde_json::to_string(&reqs).unwrap();
    assert!(!all.contains("sk-ant-api03"), "a key was sent");
    assert!(!all.contains("fix the build"), "a prompt was sent");

    // Traces: session → turns → tool calls.
    let sp = spans(&reqs);
    let by_name = |name: &str| -> Vec<&Value> { sp.iter().filter(|x| x["name"] == name).collect() };
    for x in &sp {
        assert_eq!(x["trace_id"], trace_hex.as_str());
        assert_eq!(x["kind"], "SPAN_KIND_INTERNAL");
        assert!(
            int(&x["start_time_unix_nano"]) <= int(&x["end_time_unix_nano"]),
            "{x}"
        );
    }
    let session = by_name("session");
    assert_eq!(session.len(), 1);
    let session_id = session[0]["span_id"].as_str().unwrap();
    assert!(session[0].get("parent_span_id").is_none_or(|p| p == ""));
    let turns = by_name("turn");
    assert_eq!(turns.len(), 2, "{sp:#?}");
    for t in &turns {
        assert_eq!(t["parent_span_id"], session_id);
    }
    let turn1 = turns
        .iter()
        .find(|t| attrs(&t["attributes"])["prompt.id"] == "p1")
        .unwrap();
    let turn2 = turns
        .iter()
        .find(|t| attrs(&t["attributes"])["prompt.id"] == "p2")
        .unwrap();
    assert!(turn1.get("status").is_none_or(|s| s.get("code").is_none()));
    assert_eq!(turn2["status"]["code"], "STATUS_CODE_ERROR");
    let ev2 = &turn2["events"][0];
    assert_eq!(ev2["name"], "stop_failure");
    assert_eq!(attrs(&ev2["attributes"])["error.type"], "rate_limit");
    assert_eq!(
        attrs(&ev2["attributes"])["hookwatch.recovery.decision"],
        "scheduled"
    );
    // The turn starts at its prompt.
    let prompt_us = stored
        .iter()
        .find(|e| e["event"] == "UserPromptSubmit" && e["payload"]["prompt_id"] == "p1")
        .unwrap()["time_us"]
        .as_i64()
        .unwrap();
    assert_eq!(int(&turn1["start_time_unix_nano"]), prompt_us * 1000);
    let tools = by_name("execute_tool Bash");
    assert_eq!(tools.len(), 2, "the failure and the blocked call");
    for t in &tools {
        assert_eq!(t["parent_span_id"], turn1["span_id"]);
        assert_eq!(t["status"]["code"], "STATUS_CODE_ERROR");
    }
    let failed = tools
        .iter()
        .find(|t| attrs(&t["attributes"])["gen_ai.tool.call.id"] == "t1")
        .unwrap();
    let fa = attrs(&failed["attributes"]);
    let stored_failure = stored
        .iter()
        .find(|e| e["event"] == "PostToolUseFailure")
        .unwrap();
    assert_eq!(fa["error.type"], stored_failure["class"]);
    let pre_us = stored
        .iter()
        .find(|e| e["event"] == "PreToolUse" && e["tool_use_id"] == "t1")
        .unwrap()["time_us"]
        .as_i64()
        .unwrap();
    assert_eq!(
        int(&failed["start_time_unix_nano"]),
        pre_us * 1000,
        "from PreToolUse"
    );
    let blocked = tools
        .iter()
        .find(|t| attrs(&t["attributes"])["gen_ai.tool.call.id"] == "t2")
        .unwrap();
    assert_eq!(
        blocked["start_time_unix_nano"],
        blocked["end_time_unix_nano"]
    );
    assert!(blocked["status"]["message"]
        .as_str()
        .unwrap()
        .starts_with("blocked by guard policy"));
    let read = by_name("execute_tool Read");
    assert_eq!(read.len(), 1);
    assert_eq!(read[0]["parent_span_id"], turn1["span_id"]);
    // A subagent is a span under its turn, its calls under it.
    let sub = by_name("subagent Explore");
    assert_eq!(sub.len(), 1, "{sp:#?}");
    assert_eq!(sub[0]["parent_span_id"], turn1["span_id"]);
    let grep = by_name("execute_tool Grep");
    assert_eq!(grep.len(), 1);
    assert_eq!(grep[0]["parent_span_id"], sub[0]["span_id"]);
    assert_eq!(attrs(&grep[0]["attributes"])["gen_ai.agent.id"], "a1");
    assert_eq!(sp.len(), 8, "{sp:#?}");
    // The failure's log record points at its span.
    let failure_log = logs
        .iter()
        .find(|(_, r)| r["event_name"] == "hookwatch.PostToolUseFailure")
        .unwrap();
    assert_eq!(failure_log.1["span_id"], failed["span_id"]);

    // Metrics equal `hookwatch stats` for the same window (all of it).
    let stats: Value = serde_json::from_slice(&h.run(&["stats", "--json"]).stdout).unwrap();
    let points = metric_points(&reqs);
    let sum_where = |metric: &str, pred: &dyn Fn(&Map<String, Value>) -> bool| -> i64 {
        points
            .get(metric)
            .into_iter()
            .flatten()
            .filter(|(a, _)| pred(a))
            .map(|(_, p)| int(&p["as_int"]))
            .sum()
    };
    for t in stats["per_tool"].as_array().unwrap() {
        let tool = t["tool"].as_str().unwrap();
        assert_eq!(
            sum_where("hookwatch.tool.calls", &|a| a["gen_ai.tool.name"] == tool),
            t["calls"].as_i64().unwrap(),
            "calls of {tool}"
        );
        assert_eq!(
            sum_where("hookwatch.tool.failures", &|a| a["gen_ai.tool.name"]
                == tool),
            t["failures"].as_i64().unwrap(),
            "failures of {tool}"
        );
    }
    for c in stats["stop_failures"].as_array().unwrap() {
        assert_eq!(
            sum_where("hookwatch.stop_failures", &|a| a["error.type"] == c["key"]),
            c["count"].as_i64().unwrap()
        );
    }
    let guard = stats["guard"].as_array().unwrap();
    assert!(!guard.is_empty());
    for g in guard {
        assert_eq!(
            sum_where("hookwatch.guard.decisions", &|a| a
                ["hookwatch.guard.decision"]
                == g["decision"]
                && a.get("hookwatch.guard.policy").unwrap_or(&json!(""))
                    == &g["policy"]),
            g["count"].as_i64().unwrap(),
            "{g}"
        );
    }
    for (_, p) in points.get("hookwatch.tool.calls").unwrap() {
        assert!(int(&p["start_time_unix_nano"]) < int(&p["time_unix_nano"]));
    }
    let durations = &points["hookwatch.tool.duration"];
    let total: i64 = durations.iter().map(|(_, p)| int(&p["count"])).sum();
    assert_eq!(total, 2, "the two calls with duration_ms");

    // Status agrees.
    let st: Value = serde_json::from_slice(&h.run(&["otel", "status", "--json"]).stdout).unwrap();
    assert_eq!(st["enabled"], true);
    for sig in st["signals"].as_array().unwrap() {
        assert_eq!(sig["state"]["lag"], 0, "{sig}");
        assert!(sig["state"]["last_ok_us"].is_i64(), "{sig}");
    }
}

#[test]
fn a_seeded_session_over_http_protobuf() {
    one_session_exported("http/protobuf");
}

#[test]
fn a_seeded_session_over_http_json() {
    one_session_exported("http/json");
}

#[test]
fn faults_lose_nothing_and_keep_each_sessions_order() {
    let mut collector = Collector::start();
    // Logs only, small batches: each fault hits a known request.
    let h = home(&collector, "signals = [\"logs\"]\nbatch = 4\n", "");
    collector.script(json!([
        {"status": 503, "retry_after": "1"},
        {"status": 429, "retry_after": "1"},
    ]));
    let mut expected = 0;
    for s in ["sa", "sb"] {
        expected += seed_session(&h, s);
    }
    let accepted_ids = |reqs: &[Value]| -> Vec<(String, i64)> {
        log_records(reqs)
            .iter()
            .map(|(_, r)| {
                let a = attrs(&r["attributes"]);
                (
                    a["session.id"].as_str().unwrap().to_string(),
                    int(&a["hookwatch.event_id"]),
                )
            })
            .collect()
    };
    let reqs = collector.wait_for(
        "the events after 503 and 429",
        Duration::from_secs(30),
        || drain(&h),
        |r| accepted_ids(r).len() >= expected,
    );
    assert_eq!(reqs[0]["status"], 503);
    assert_eq!(reqs[1]["status"], 429);
    // The refused batch was sent again, not skipped: the first accepted
    // request holds what the 503 was sent.
    let ids_of = |r: &Value| -> Vec<i64> {
        log_records(&[json!({"path": "/v1/logs", "status": 200, "body": r["body"].clone()})])
            .iter()
            .map(|(_, rec)| int(&attrs(&rec["attributes"])["hookwatch.event_id"]))
            .collect()
    };
    assert_eq!(ids_of(&reqs[2]), ids_of(&reqs[0]));
    assert_eq!(ids_of(&reqs[1]), ids_of(&reqs[0]));
    assert_eq!(ids_of(&reqs[0]).len(), 4, "batch = 4");
    let logs = logs_status(&h);
    assert_eq!(logs["state"]["last_status"], 200);
    assert!(
        logs["state"]["last_error"]
            .as_str()
            .unwrap()
            .contains("429"),
        "{logs}"
    );

    // The collector goes away; events keep coming and wait.
    collector.stop();
    expected += seed_session(&h, "sc");
    drain(&h);
    let logs = logs_status(&h);
    assert!(logs["state"]["lag"].as_i64().unwrap() > 0, "{logs}");
    assert!(logs["state"]["next_attempt_us"].is_i64(), "{logs}");
    assert_eq!(
        logs["state"]["last_status"],
        Value::Null,
        "no answer: {logs}"
    );
    let text = String::from_utf8(h.run(&["otel", "status"]).stdout).unwrap();
    assert!(text.contains("retrying"), "{text}");
    std::thread::sleep(Duration::from_millis(1500));
    drain(&h);

    // Back, and it refuses one record of the next batch.
    collector.restart();
    collector.script(json!([{"partial": {"rejected": 1, "message": "one record too old"}}]));
    let reqs = collector.wait_for(
        "everything after the collector came back",
        Duration::from_secs(60),
        || drain(&h),
        |r| {
            let ids: BTreeSet<i64> = accepted_ids(r).iter().map(|x| x.1).collect();
            ids.len() >= expected
        },
    );
    let ids = accepted_ids(&reqs);
    let stored: BTreeSet<i64> = stored_events(&h)
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    let got: BTreeSet<i64> = ids.iter().map(|x| x.1).collect();
    assert_eq!(got, stored, "every event accepted at least once");
    // Sent twice only where a request was refused as a whole: here none was
    // accepted twice.
    assert_eq!(ids.len(), got.len(), "no event accepted twice");
    // Each session's records arrive in the order they happened.
    let mut last: BTreeMap<String, i64> = BTreeMap::new();
    for (s, id) in &ids {
        let prev = last.insert(s.clone(), *id).unwrap_or(0);
        assert!(*id > prev, "session {s}: {id} after {prev}");
    }
    let logs = logs_status(&h);
    assert_eq!(logs["state"]["rejected"], 1, "{logs}");
    assert_eq!(logs["state"]["lag"], 0, "{logs}");
    assert!(
        logs["state"]["last_error"]
            .as_str()
            .unwrap()
            .contains("too old"),
        "{logs}"
    );
    assert_eq!(logs["state"]["dropped"], 0);
}

#[test]
fn a_request_too_large_is_split_not_skipped() {
    let collector = Collector::start();
    let h = home(&collector, "signals = [\"logs\"]\nbatch = 8\n", "");
    collector.script(json!([{"status": 413}]));
    let n = seed_session(&h, "big");
    let reqs = collector.wait_for(
        "every record after a 413",
        Duration::from_secs(30),
        || drain(&h),
        |r| log_records(r).len() >= n,
    );
    assert_eq!(reqs[0]["status"], 413);
    let as_accepted = |r: &Value| json!({"path": r["path"], "status": 200, "body": r["body"]});
    let first = log_records(&[as_accepted(&reqs[0])]).len();
    assert!(first > 1, "the refused request held {first}");
    let second = log_records(&reqs[1..2]).len();
    assert_eq!(
        second,
        first / 2,
        "the same events, half a batch per request"
    );
    let ids: BTreeSet<i64> = log_records(&reqs)
        .iter()
        .map(|(_, r)| int(&attrs(&r["attributes"])["hookwatch.event_id"]))
        .collect();
    assert_eq!(ids.len(), n);
    let logs = logs_status(&h);
    assert_eq!(logs["state"]["rejected"], 0, "{logs}");
}

#[test]
fn a_broken_otel_config_keeps_the_events_waiting() {
    let collector = Collector::start();
    // The header's variable is missing in this shell: export is off until
    // it is fixed, and nothing is skipped meanwhile.
    let h = home(
        &collector,
        "signals = [\"logs\"]\nheaders = { authorization = \"env:HOOKWATCH_TEST_OTEL_TOKEN_UNSET\" }\n",
        "",
    );
    let n = seed_session(&h, "broken");
    drain(&h);
    assert!(log_records(&collector.requests()).is_empty());
    let text = String::from_utf8(h.run(&["otel", "status"]).stdout).unwrap();
    assert!(text.contains("HOOKWATCH_TEST_OTEL_TOKEN_UNSET"), "{text}");
    let reqs = collector.wait_for(
        "the events once the token is there",
        Duration::from_secs(30),
        || {
            let _ = h
                .cmd()
                .env(
                    "HOOKWATCH_TEST_OTEL_TOKEN_UNSET",
                    "Bearer t0k3n-for-the-test",
                )
                .arg("drain")
                .output();
        },
        |r| log_records(r).len() >= n,
    );
    assert_eq!(
        reqs[0]["headers"]["authorization"],
        "Bearer t0k3n-for-the-test"
    );
}

#[test]
fn over_max_queue_the_oldest_are_dropped_and_counted() {
    let mut collector = Collector::start();
    let h = home(&collector, "signals = [\"logs\"]\nmax_queue = 5\n", "");
    collector.stop();
    let n = seed_session(&h, "sq");
    drain(&h);
    collector.restart();
    // The retry after a refused connection is due within a few seconds.
    let reqs = collector.wait_for(
        "the newest five",
        Duration::from_secs(30),
        || drain(&h),
        |r| log_records(r).len() >= 5,
    );
    let records = log_records(&reqs);
    assert_eq!(records.len(), 5);
    let logs = logs_status(&h);
    assert_eq!(logs["state"]["dropped"], (n - 5) as i64, "{logs}");
    let text = String::from_utf8(h.run(&["otel", "status"]).stdout).unwrap();
    assert!(
        text.contains(&format!("{} dropped over max_queue", n - 5)),
        "{text}"
    );
}

#[test]
fn otel_test_sends_each_signal_and_reports_the_answer() {
    let collector = Collector::start();
    let h = home(&collector, "protocol = \"http/json\"", "");
    let out = h.run(&["otel", "test", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 3);
    for l in &lines {
        assert_eq!(l["ok"], true, "{l}");
        assert_eq!(l["status"], 200);
    }
    let reqs = collector.requests();
    assert_eq!(reqs.len(), 3);
    assert!(reqs
        .iter()
        .all(|r| r["status"] == 200 && r["encoding"] == "json"));
    // A collector that refuses: exit 1 and its answer.
    collector.script(json!([{"status": 401}, {"status": 503, "retry_after": "7"}]));
    let out = h.run(&["otel", "test"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("FAIL") && text.contains("401") && text.contains("retry after 7 s"),
        "{text}"
    );
    // Off: says how to turn it on.
    let off = Home::new();
    let out = off.run(&["otel", "test"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("[otel]"));
}
