//! Recovery decisions through the real binary, without the CLI: which
//! StopFailures are resumed, when, and what stops a resume. The resumes
//! themselves run against the real Claude Code CLI in e2e_recover.rs.

mod common;
use common::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn home(extra: &str) -> Home {
    let h = Home::new();
    std::fs::write(
        h.path().join("config.toml"),
        format!("[recover]\nenabled = true\nclaude = \"true\"\nbackoff_base = \"1h\"\nbackoff_cap = \"1h\"\n{extra}"),
    )
    .unwrap();
    h
}

fn stop(session: &str, error: &str, msg: Option<&str>, agent: Option<&str>) -> Value {
    let mut v = json!({"session_id": session, "transcript_path": "/tmp/t.jsonl", "cwd": "/work/shop",
        "hook_event_name": "StopFailure", "error": error});
    if let Some(m) = msg {
        v["last_assistant_message"] = m.into();
    }
    if let Some(a) = agent {
        v["agent_id"] = a.into();
        v["agent_type"] = "general-purpose".into();
    }
    v
}

fn jobs(h: &Home) -> Vec<Value> {
    let _ = h.run(&["drain"]);
    json_lines(&h.run(&["recover", "list", "--json"]))
}

#[test]
fn what_is_resumed_and_what_is_not() {
    let h = home("");
    let lock = std::fs::File::create(h.path().join("worker.lock")).unwrap();
    lock.lock().unwrap();
    h.hook(
        stop(
            "main",
            "rate_limit",
            Some("API Error: Request rejected (429) · Rate limited"),
            None,
        )
        .to_string()
        .as_bytes(),
    );
    h.hook(
        stop("sub", "rate_limit", Some("API Error: 429"), Some("agent-1"))
            .to_string()
            .as_bytes(),
    );
    h.hook(
        stop("helper", "rate_limit", None, None)
            .to_string()
            .as_bytes(),
    );
    h.hook(
        stop(
            "auth",
            "authentication_failed",
            Some("Invalid API key · Fix external API key"),
            None,
        )
        .to_string()
        .as_bytes(),
    );
    h.hook(
        stop(
            "billing",
            "billing_error",
            Some("Credit balance is too low"),
            None,
        )
        .to_string()
        .as_bytes(),
    );
    h.hook(
        stop(
            "odd",
            "some_new_error",
            Some("API Error: 529 overloaded_error"),
            None,
        )
        .to_string()
        .as_bytes(),
    );
    h.hook(
        stop(
            "long",
            "max_output_tokens",
            Some("Claude's response exceeded the output token maximum"),
            None,
        )
        .to_string()
        .as_bytes(),
    );
    drop(lock);
    let j = jobs(&h);
    let by = |s: &str| {
        j.iter()
            .find(|x| x["session"] == s)
            .unwrap_or_else(|| panic!("{s}: {j:#?}"))
            .clone()
    };
    assert_eq!(by("main")["state"], "scheduled");
    assert_eq!(by("main")["attempt"], 1);
    assert!(by("sub")["outcome"].as_str().unwrap().contains("subagent"));
    assert!(by("helper")["outcome"].as_str().unwrap().contains("91419"));
    assert_eq!(by("auth")["kind"], "needs_person");
    assert_eq!(by("auth")["state"], "not_retried");
    assert_eq!(by("billing")["kind"], "needs_person");
    assert_eq!(by("long")["kind"], "output_limited");
    // An error type hookwatch does not know is kept as written, and the
    // message decides.
    assert_eq!(by("odd")["error"], "some_new_error");
    assert_eq!(by("odd")["state"], "scheduled");
    // The stored event has its class too.
    let ev = h.events(&["--event", "StopFailure"]);
    let auth = ev.iter().find(|e| e["session_id"] == "auth").unwrap();
    assert_eq!(auth["class"], "needs_person");
    assert_eq!(auth["severity"], "critical");
    assert_eq!(auth["error"], "authentication_failed");
}

#[test]
fn a_reset_time_in_the_message_sets_when_and_a_person_can_cancel() {
    let h = home("");
    h.hook(
        stop(
            "s1",
            "rate_limit",
            Some("Claude AI usage limit reached|4102444800"),
            None,
        )
        .to_string()
        .as_bytes(),
    );
    // 4102444800 is in 2100: beyond the 7-day window, so ignored: backoff.
    let j = jobs(&h);
    assert!(j[0]["wait"].as_str().unwrap().contains("backoff"), "{j:#?}");
    let soon = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 7200;
    h.hook(
        stop(
            "s2",
            "rate_limit",
            Some(&format!("Claude AI usage limit reached|{soon}")),
            None,
        )
        .to_string()
        .as_bytes(),
    );
    let j = jobs(&h);
    let s2 = j.iter().find(|x| x["session"] == "s2").unwrap();
    assert!(
        s2["wait"].as_str().unwrap().contains("the message said"),
        "{s2}"
    );
    let due = s2["due"].as_str().unwrap();
    assert!(due.starts_with(&hookwatch_time(soon + 15)[..16]), "{due}");
    let id = s2["id"].to_string();
    let out = h.run(&["recover", "cancel", &id]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j = jobs(&h);
    assert_eq!(
        j.iter().find(|x| x["session"] == "s2").unwrap()["state"],
        "cancelled"
    );
    assert!(!h.run(&["recover", "cancel", &id]).status.success());
}

/// RFC 3339 of unix seconds, the way hookwatch prints times.
fn hookwatch_time(s: u64) -> String {
    let out = std::process::Command::new("date")
        .args(["-u", "-d", &format!("@{s}"), "+%Y-%m-%dT%H:%M:%S"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn a_session_a_person_continued_is_not_resumed_and_run_now_runs_at_once() {
    let h = home("");
    h.hook(
        stop("s1", "overloaded", Some("API Error: 529 Overloaded"), None)
            .to_string()
            .as_bytes(),
    );
    h.hook(
        stop("s2", "overloaded", Some("API Error: 529 Overloaded"), None)
            .to_string()
            .as_bytes(),
    );
    let j = jobs(&h);
    assert_eq!(j.len(), 2);
    // The person typed into s1 after the failure.
    h.hook(
        json!({"session_id": "s1", "transcript_path": "/tmp/t", "cwd": "/work/shop",
        "hook_event_name": "UserPromptSubmit", "prompt": "let me look"})
        .to_string()
        .as_bytes(),
    );
    let _ = h.run(&["ingest"]);
    for s in ["s1", "s2"] {
        let id = j.iter().find(|x| x["session"] == s).unwrap()["id"].to_string();
        assert!(h.run(&["recover", "run-now", &id]).status.success());
    }
    let start = Instant::now();
    let done = |j: &[Value]| {
        j.iter()
            .all(|x| x["state"] != "scheduled" && x["state"] != "running")
    };
    let mut j = jobs(&h);
    while !done(&j) && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(100));
        j = jobs(&h);
    }
    let s1 = j.iter().find(|x| x["session"] == "s1").unwrap();
    assert_eq!(s1["state"], "skipped", "{j:#?}");
    assert!(s1["outcome"].as_str().unwrap().contains("UserPromptSubmit"));
    let s2 = j.iter().find(|x| x["session"] == "s2").unwrap();
    // `claude = "true"` in this config: the resume "succeeds" at once.
    assert_eq!(s2["state"], "succeeded", "{j:#?}");
    assert_eq!(s2["exit_code"], 0);
    let stats = json_lines(&h.run(&["stats", "--json"]));
    assert_eq!(stats[0]["recovery"]["succeeded"], 1);
    assert_eq!(stats[0]["recovery"]["skipped"], 1);
}

#[test]
fn recovery_off_decides_nothing() {
    let h = Home::new();
    h.hook(
        stop("s1", "rate_limit", Some("API Error: 429"), None)
            .to_string()
            .as_bytes(),
    );
    let j = jobs(&h);
    assert!(j.is_empty(), "{j:#?}");
    let out = h.run(&["recover", "list"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("recovery is off"));
}

#[test]
fn the_daily_cap_gives_up_with_one_notice_per_session() {
    let h = home("max_per_day = 1\n");
    h.hook(
        stop("a", "rate_limit", Some("API Error: 429"), None)
            .to_string()
            .as_bytes(),
    );
    h.hook(
        stop("b", "rate_limit", Some("API Error: 429"), None)
            .to_string()
            .as_bytes(),
    );
    h.hook(
        stop("b", "rate_limit", Some("API Error: 429"), None)
            .to_string()
            .as_bytes(),
    );
    let j = jobs(&h);
    let a: Vec<&Value> = j.iter().filter(|x| x["session"] == "a").collect();
    let b: Vec<&Value> = j.iter().filter(|x| x["session"] == "b").collect();
    assert_eq!(a.len(), 1);
    assert_eq!(a[0]["state"], "scheduled");
    assert_eq!(b.len(), 1, "one give-up per session: {j:#?}");
    assert_eq!(b[0]["state"], "gave_up");
    assert!(b[0]["outcome"].as_str().unwrap().contains("max_per_day"));
    let notices = h.events(&["--event", "RecoveryGaveUp"]);
    assert_eq!(notices.len(), 1, "{notices:#?}");
    assert_eq!(notices[0]["session_id"], "b");
}

/// Claude Code 2.1.330 resumes an interactive session that stopped on a
/// quota itself (Notification quota_auto_resume_*): hookwatch never adds a
/// second resume. Decided when the job is due, so a Notification that came
/// after the failure counts. `claude -p` runs (unattended), overloads and
/// sessions where Claude Code said its auto-resume is disabled are resumed.
#[test]
fn a_session_claude_code_resumes_itself_is_left_to_it() {
    let h = home("");
    let hook = |v: Value, attended: &str| {
        let out = run_with_stdin(
            h.cmd()
                .arg("hook")
                .env("CLAUDE_CODE_SESSION_ATTENDED", attended),
            v.to_string().as_bytes(),
        );
        assert!(out.status.success());
    };
    let note = |session: &str, ty: &str, attended: &str| {
        hook(
            json!({"session_id": session, "transcript_path": "/tmp/t", "cwd": "/work/shop",
                "hook_event_name": "Notification", "notification_type": ty, "message": ty}),
            attended,
        )
    };
    let msg = Some("API Error: Request rejected (429) · Rate limited");
    hook(stop("tty", "rate_limit", msg, None), "1");
    hook(stop("ci", "rate_limit", msg, None), "0");
    hook(stop("off", "rate_limit", msg, None), "1");
    hook(
        stop(
            "busy",
            "overloaded",
            Some("API Error: 529 Overloaded"),
            None,
        ),
        "1",
    );
    hook(stop("fired", "rate_limit", msg, None), "0");
    let j = jobs(&h);
    assert!(j.iter().all(|x| x["state"] == "scheduled"), "{j:#?}");
    // After the failure, Claude Code says what its auto-resume does.
    note("off", "quota_auto_resume_disabled", "1");
    note("fired", "quota_auto_resume_fired", "0");
    let _ = h.run(&["ingest"]);
    for x in &j {
        assert!(h
            .run(&["recover", "run-now", &x["id"].to_string()])
            .status
            .success());
    }
    let start = Instant::now();
    let j = loop {
        let j = jobs(&h);
        if j.iter()
            .all(|x| x["state"] != "scheduled" && x["state"] != "running")
        {
            break j;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "{j:#?}");
        std::thread::sleep(Duration::from_millis(100));
    };
    let by = |s: &str| j.iter().find(|x| x["session"] == s).unwrap().clone();
    assert_eq!(by("tty")["state"], "skipped", "{j:#?}");
    assert!(by("tty")["outcome"]
        .as_str()
        .unwrap()
        .contains("quota auto-resume"));
    assert_eq!(by("fired")["state"], "skipped");
    assert!(by("fired")["outcome"]
        .as_str()
        .unwrap()
        .contains("quota_auto_resume_fired"));
    // `claude = "true"` in this config: a resume "succeeds" at once.
    for s in ["ci", "off", "busy"] {
        assert_eq!(by(s)["state"], "succeeded", "{s}: {j:#?}");
    }
}
