//! End-to-end StopFailure recovery with the real Claude Code CLI (2.1.330)
//! and the repository's API stand-in: the stand-in answers 429 (or 401),
//! hookwatch resumes the session with `claude --resume`, and the stand-in
//! sees the resumed conversation. Backoffs are shortened in the test config.

mod common;
use common::{json_lines, BIN};
use hookwatch_testkit::receiver::{Plan, Receiver};
use hookwatch_testkit::{require_claude, Action, ApiStandin, TempProject};
use serde_json::Value;
use std::process::Command;
use std::time::{Duration, Instant};

const PROMPT: &str = "hookwatch-continue: carry on";

struct Setup {
    tp: TempProject,
    claude: std::path::PathBuf,
    rx: Receiver,
}

fn hw(tp: &TempProject) -> Command {
    let mut c = Command::new(BIN);
    c.env("HOOKWATCH_HOME", tp.hookwatch_home())
        .env("HOME", tp.home());
    c
}

/// Installed with `--recover`, alerts to a webhook receiver, short waits.
fn setup(max_attempts: u32) -> Setup {
    let claude = require_claude();
    let tp = TempProject::new().unwrap();
    let rx = Receiver::start(Plan::always(200, "ok"));
    std::fs::write(
        tp.hookwatch_home().join("config.toml"),
        format!(
            "[recover]\nclaude = {claude:?}\nargs = [\"--allowedTools\", \"Bash\"]\n\
             continue_prompt = \"{PROMPT} ({{error}})\"\nbackoff_base = \"1s\"\nbackoff_cap = \"1s\"\n\
             reset_margin = \"0s\"\nmax_attempts_per_session = {max_attempts}\n\n\
             [alerts.route]\ngroup_wait = \"0s\"\ngroup_interval = \"1s\"\n\n[alerts.delivery]\nlinger = \"20s\"\n\n\
             [alerts.targets.team]\ntype = \"webhook\"\nurl = \"{}/hook\"\n",
            rx.url()
        ),
    )
    .unwrap();
    let project = tp.project().to_str().unwrap().to_owned();
    let out = hw(&tp)
        .args([
            "install",
            "--scope",
            "project",
            "--project-dir",
            &project,
            "--recover",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cfg = std::fs::read_to_string(tp.hookwatch_home().join("config.toml")).unwrap();
    assert!(cfg.contains("projects = ["), "{cfg}");
    Setup { tp, claude, rx }
}

impl Setup {
    fn claude_p(&self, api: &ApiStandin) -> hookwatch_testkit::ClaudeRun {
        self.tp
            .run_claude(
                &self.claude,
                &api.base_url(),
                "do the task",
                "Bash",
                &[],
                Duration::from_secs(120),
            )
            .unwrap()
    }

    fn jobs(&self) -> Vec<Value> {
        json_lines(
            &hw(&self.tp)
                .args(["recover", "list", "--json"])
                .output()
                .unwrap(),
        )
    }

    fn wait_jobs(&self, what: &str, done: impl Fn(&[Value]) -> bool, secs: u64) -> Vec<Value> {
        let start = Instant::now();
        loop {
            let j = self.jobs();
            if done(&j) {
                return j;
            }
            if start.elapsed() > Duration::from_secs(secs) {
                panic!(
                    "timed out waiting for {what}: {j:#?}\nworker log: {}",
                    self.worker_log()
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn worker_log(&self) -> String {
        std::fs::read_to_string(self.tp.hookwatch_home().join("worker.log")).unwrap_or_default()
    }

    fn alerts(&self) -> Vec<Value> {
        self.rx.requests().iter().map(|r| r.json()).collect()
    }
}

fn saw_prompt(api: &ApiStandin) -> usize {
    api.main_requests()
        .iter()
        .filter(|r| r.messages_text().contains(PROMPT))
        .count()
}

#[test]
fn a_429_is_resumed_automatically_and_the_resumed_conversation_reaches_the_api() {
    let s = setup(3);
    let api = ApiStandin::start(vec![
        Action::rate_limited("Rate limited. Please try again later"),
        Action::text("resumed and done"),
    ])
    .unwrap();
    let run = s.claude_p(&api);
    assert!(!run.status.success(), "the first run ends on the 429");
    let sid = run.session_id().unwrap().to_owned();
    let jobs = s.wait_jobs(
        "a succeeded resume",
        |j| j.iter().any(|x| x["state"] == "succeeded"),
        60,
    );
    assert_eq!(jobs.len(), 1, "{jobs:#?}");
    let j = &jobs[0];
    assert_eq!(j["session"], sid.as_str());
    assert_eq!(j["attempt"], 1);
    assert_eq!(j["error"], "rate_limit");
    assert_eq!(j["exit_code"], 0);
    assert!(j["wait"].as_str().unwrap().contains("backoff"), "{j}");
    // The resumed run carried the original conversation and the prompt.
    let reqs = api.main_requests();
    assert_eq!(reqs.len(), 2, "one 429, one resumed turn");
    let resumed = reqs[1].messages_text();
    assert!(resumed.contains("do the task"), "{resumed}");
    assert!(
        resumed.contains(PROMPT) && resumed.contains("(rate_limit)"),
        "{resumed}"
    );
    // `show` prints the diagnosis with the recovery outcome.
    let sf = j["stop_failure_event_id"].to_string();
    let show = hw(&s.tp).args(["show", &sf]).output().unwrap();
    let text = String::from_utf8_lossy(&show.stdout);
    assert!(
        text.contains("diagnosis:") && text.contains("retryable") && text.contains("succeeded"),
        "{text}"
    );
}

#[test]
fn a_401_is_never_resumed_and_a_person_is_alerted() {
    let s = setup(3);
    let api = ApiStandin::start(vec![Action::error(
        401,
        "authentication_error",
        "invalid x-api-key",
    )])
    .unwrap();
    let run = s.claude_p(&api);
    assert!(!run.status.success());
    let jobs = s.wait_jobs("the decision", |j| !j.is_empty(), 30);
    assert_eq!(jobs[0]["state"], "not_retried", "{jobs:#?}");
    assert!(jobs[0]["outcome"]
        .as_str()
        .unwrap()
        .contains("a person must act"));
    let start = Instant::now();
    while s.alerts().is_empty() && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(200));
    }
    let alerts = s.alerts();
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    let a = &alerts[0]["data"]["alerts"][0];
    assert_eq!(a["error_type"], "authentication_failed");
    assert_eq!(a["labels"]["class"], "needs_person");
    assert_eq!(a["severity"], "critical");
    // The alert carries the diagnostic record's summary.
    let err = a["error"].as_str().unwrap();
    assert!(
        err.contains("needs person")
            && err.contains("API failures in the last hour: 1 in this session"),
        "{err}"
    );
    assert!(err.contains("Recovery: not_retried"), "{err}");
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(api.main_requests().len(), 1, "no resume");
}

#[test]
fn a_429_every_time_is_resumed_exactly_the_capped_number_of_times_then_given_up() {
    let s = setup(2);
    let api = ApiStandin::start(
        (0..8)
            .map(|_| Action::rate_limited("Rate limited. Please try again later"))
            .collect(),
    )
    .unwrap();
    let run = s.claude_p(&api);
    assert!(!run.status.success());
    let jobs = s.wait_jobs(
        "the give-up",
        |j| j.iter().any(|x| x["state"] == "gave_up"),
        90,
    );
    let gave_up_alert = || {
        s.alerts().iter().any(|b| {
            b["data"]["alerts"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x["event"] == "RecoveryGaveUp"))
        })
    };
    let start = Instant::now();
    while !gave_up_alert() && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(gave_up_alert(), "no give-up alert: {:#?}", s.alerts());
    // Then nothing more.
    std::thread::sleep(Duration::from_secs(4));
    let resumes = jobs
        .iter()
        .filter(|j| j["attempt"].as_i64().unwrap_or(0) > 0)
        .count();
    assert_eq!(resumes, 2, "{jobs:#?}");
    assert_eq!(api.main_requests().len(), 3, "the run and two resumes");
    assert_eq!(saw_prompt(&api), 2);
    let jobs = s.jobs();
    assert_eq!(
        jobs.iter().filter(|j| j["state"] == "gave_up").count(),
        1,
        "{jobs:#?}"
    );
    assert!(jobs
        .iter()
        .all(|j| j["state"] != "scheduled" && j["state"] != "running"));
}

#[test]
fn two_stop_failures_of_one_session_within_a_second_give_one_resume() {
    let s = setup(3);
    let api = ApiStandin::start(vec![
        Action::rate_limited("Rate limited. Please try again later"),
        Action::text("resumed once"),
        Action::text("a second resume would get this"),
    ])
    .unwrap();
    // Both StopFailures reach the same worker pass: the hooks' own workers
    // are kept out by holding the worker lock until both are spooled.
    let lock = std::fs::File::create(s.tp.hookwatch_home().join("worker.lock")).unwrap();
    lock.lock().unwrap();
    let run = s.claude_p(&api);
    assert!(!run.status.success());
    let sid = run.session_id().unwrap().to_owned();
    // A second StopFailure for the same session right away, as Claude Code
    // sends for a helper query of the same turn (with a message, so it is
    // not discarded as a bare helper failure).
    let dup = serde_json::json!({
        "session_id": sid, "transcript_path": "/tmp/t.jsonl", "cwd": s.tp.project(),
        "hook_event_name": "StopFailure", "error": "rate_limit",
        "last_assistant_message": "API Error: Request rejected (429) · Rate limited"
    });
    let out = common::run_with_stdin(
        hw(&s.tp)
            .env("CLAUDE_PROJECT_DIR", s.tp.project().canonicalize().unwrap())
            .arg("hook"),
        dup.to_string().as_bytes(),
    );
    assert!(out.status.success());
    drop(lock);
    // The worker runs with the session's environment, as when a hook starts
    // it (the resume inherits it).
    let mut drain = hw(&s.tp);
    hookwatch_testkit::claude::hermetic_env(&mut drain, s.tp.home(), &api.base_url());
    drain.env("HOOKWATCH_HOME", s.tp.hookwatch_home());
    let _ = drain.arg("drain").output().unwrap();
    s.wait_jobs(
        "a finished resume",
        |j| j.iter().any(|x| x["state"] == "succeeded"),
        60,
    );
    std::thread::sleep(Duration::from_secs(3));
    let jobs = s.jobs();
    let resumes: Vec<&Value> = jobs
        .iter()
        .filter(|j| j["attempt"].as_i64().unwrap_or(0) > 0)
        .collect();
    assert_eq!(resumes.len(), 1, "{jobs:#?}");
    assert_eq!(saw_prompt(&api), 1);
    assert_eq!(api.main_requests().len(), 2);
}

#[test]
fn hookwatch_run_recovers_a_429_in_the_foreground_and_exits_0() {
    let s = setup(3);
    let api = ApiStandin::start(vec![
        Action::rate_limited("Rate limited. Please try again later"),
        Action::text("finished after the resume"),
    ])
    .unwrap();
    // The same hermetic environment the testkit gives the CLI, around
    // `hookwatch run`.
    let mut cmd = Command::new(BIN);
    cmd.args(["run", "--"])
        .arg(&s.claude)
        .args([
            "-p",
            "do the task",
            "--allowedTools",
            "Bash",
            "--output-format",
            "json",
        ])
        .current_dir(s.tp.project())
        .stdin(std::process::Stdio::null());
    hookwatch_testkit::claude::hermetic_env(&mut cmd, s.tp.home(), &api.base_url());
    cmd.env("HOOKWATCH_HOME", s.tp.hookwatch_home());
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr: {err}");
    assert!(err.contains("resuming session"), "{err}");
    assert!(err.contains("recovered after 1 resume"), "{err}");
    let reqs = api.main_requests();
    assert_eq!(reqs.len(), 2);
    assert!(reqs[1].messages_text().contains(PROMPT));
    // Supervised runs are not also resumed in the background; the
    // foreground resume is listed like any other.
    std::thread::sleep(Duration::from_secs(2));
    let jobs = s.jobs();
    assert_eq!(jobs.len(), 1, "{jobs:#?}");
    assert_eq!(jobs[0]["state"], "succeeded");
    assert_eq!(jobs[0]["attempt"], 1);
    assert!(jobs[0]["wait"].as_str().unwrap().contains("hookwatch run"));
    assert_eq!(api.main_requests().len(), 2);
}
