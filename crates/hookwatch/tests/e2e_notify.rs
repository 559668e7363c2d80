//! Attention notifications end to end: the real Claude Code CLI (2.1.330)
//! against the repository's API stand-in, hookwatch installed as a user
//! would, [notify] sending to a real webhook receiver on 127.0.0.1.
//! `claude -p` is an unattended run (Claude Code tells its hooks
//! CLAUDE_CODE_SESSION_ATTENDED=0), so these configs say `headless = true`
//! except where that rule itself is under test.

mod common;
#[path = "common/tmux.rs"]
mod tmux;
use common::{json_lines, BIN};
use hookwatch_testkit::receiver::{Plan, Received, Receiver};
use hookwatch_testkit::{require_claude, Action, ApiStandin, ClaudeRun, TempProject};
use serde_json::{json, Value};
use std::process::Command;
use std::time::{Duration, Instant};
use tmux::Tmux;

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

fn setup(notify: &str) -> Setup {
    let claude = require_claude();
    let tp = TempProject::new().unwrap();
    let rx = Receiver::start(Plan::always(200, "{}"));
    let project = tp.project().to_str().unwrap().to_owned();
    let out = hw(&tp)
        .args(["install", "--scope", "project", "--project-dir", &project])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(
        tp.hookwatch_home().join("config.toml"),
        format!(
            r#"
[notify]
targets = ["hook"]
settle = "300ms"
{notify}

[alerts.delivery]
timeout = "2s"
linger = "3s"

[alerts.targets.hook]
type = "webhook"
url = "{}/hook"
alerts = false
"#,
            rx.url()
        ),
    )
    .unwrap();
    Setup { tp, claude, rx }
}

impl Setup {
    fn run(&self, script: Vec<Action>, prompt: &str, tools: &str) -> (ClaudeRun, ApiStandin) {
        let api = ApiStandin::start(script).unwrap();
        let run = self
            .tp
            .run_claude(
                &self.claude,
                &api.base_url(),
                prompt,
                tools,
                &[],
                Duration::from_secs(120),
            )
            .unwrap();
        (run, api)
    }

    /// The decisions, once the worker has looked at the session's Stop.
    fn decisions_after_stop(&self) -> Vec<Value> {
        let start = Instant::now();
        loop {
            let out = hw(&self.tp).args(["drain", "--wait"]).output().unwrap();
            assert!(out.status.success(), "{out:?}");
            let d = json_lines(
                &hw(&self.tp)
                    .args(["notify", "log", "--json"])
                    .output()
                    .unwrap(),
            );
            if d.iter()
                .any(|r| r["kind"] == "done" && r["state"] != "held")
            {
                return d;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "no done decided: {d:?}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

fn attention(r: &Received) -> Value {
    r.json()["data"]["attention"].clone()
}

#[test]
fn a_turn_longer_than_min_turn_sends_exactly_one_done() {
    let s = setup("min_turn = \"1s\"\nheadless = true");
    let (run, _api) = s.run(
        vec![
            Action::bash("sleep 1.5; echo built"),
            Action::text("## Built\nThe build **passes** now; see `target/`."),
        ],
        "Please build the project",
        "Bash",
    );
    assert!(run.status.success(), "{}", run.stderr);
    let d = s.decisions_after_stop();
    assert!(s.rx.wait_for(1, Duration::from_secs(10)), "{d:?}");
    std::thread::sleep(Duration::from_millis(500));
    let got = s.rx.requests();
    assert_eq!(got.len(), 1, "exactly one: {d:?}");
    let a = attention(&got[0]);
    assert_eq!(a["kind"], "done");
    assert_eq!(a["message"], "Built\nThe build passes now; see target/.");
    assert_eq!(a["tool_calls"], 1);
    assert!(a["turn_ms"].as_i64().unwrap() >= 1500, "{a}");
    assert_eq!(a["session_name"], "build-project");
    assert_eq!(got[0].json()["data"]["session"], run.session_id().unwrap());
}

#[test]
fn a_short_turn_and_an_unattended_run_send_nothing() {
    let s = setup("min_turn = \"1h\"\nheadless = true");
    let (run, _api) = s.run(vec![Action::text("hi")], "say hi", "Bash");
    assert!(run.status.success(), "{}", run.stderr);
    let d = s.decisions_after_stop();
    let done = d.iter().find(|r| r["kind"] == "done").unwrap();
    assert_eq!(done["state"], "suppressed");
    assert!(
        done["reason"].as_str().unwrap().contains("min_turn"),
        "{done}"
    );

    // Without headless = true, `claude -p` is left alone: Claude Code
    // itself says nobody attends it.
    let s = setup("min_turn = \"0s\"");
    let (run, _api) = s.run(vec![Action::text("hi")], "say hi", "Bash");
    assert!(run.status.success(), "{}", run.stderr);
    let d = s.decisions_after_stop();
    let done = d.iter().find(|r| r["kind"] == "done").unwrap();
    assert_eq!(done["state"], "suppressed");
    assert!(
        done["reason"].as_str().unwrap().contains("unattended"),
        "{done}"
    );
    std::thread::sleep(Duration::from_millis(300));
    assert!(s.rx.requests().is_empty());
}

#[test]
fn a_subagents_stop_is_not_done() {
    let s = setup("min_turn = \"0s\"\nheadless = true");
    let (run, api) = s.run(
        vec![
            Action::tool_use(
                "Task",
                json!({"description": "look around", "prompt": "list the files", "subagent_type": "general-purpose"}),
            ),
            Action::text("the subagent's answer"),
            Action::text("main: done"),
        ],
        "delegate it",
        "Task,Bash",
    );
    assert!(run.status.success(), "{}", run.stderr);
    let events = json_lines(
        &hw(&s.tp)
            .args(["events", "--json", "--limit", "1000"])
            .output()
            .unwrap(),
    );
    let names: Vec<&str> = events.iter().filter_map(|e| e["event"].as_str()).collect();
    assert!(
        names.contains(&"SubagentStop"),
        "{names:?} {}",
        api.requests().len()
    );
    let d = s.decisions_after_stop();
    // The subagent's SubagentStop is never a decision; the main agent's
    // Stops are (the Task may run in the background, its completion then
    // starts a turn of its own, and the first turn's "done" yields to it).
    let stop_ids: Vec<&Value> = events
        .iter()
        .filter(|e| e["event"] == "Stop" && e["agent_id"].is_null())
        .map(|e| &e["id"])
        .collect();
    assert!(!d.is_empty());
    for r in &d {
        assert!(stop_ids.contains(&&r["event_id"]), "{r} is not a main Stop");
    }
    assert!(s.rx.wait_for(1, Duration::from_secs(10)));
    std::thread::sleep(Duration::from_millis(500));
    let got = s.rx.requests();
    assert_eq!(got.len(), 1, "one done: {d:?}");
    assert_eq!(attention(&got[0])["kind"], "done");
}

fn artifact(name: &str, text: &str) {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("test-artifacts/notify");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), text).unwrap();
}

/// AskUserQuestion exists only with a person at the terminal (`claude -p`
/// disables it), so this runs the real CLI interactively in tmux, as a
/// person would, and answers the question with a key press.
#[test]
fn ask_user_question_reaches_the_person_within_two_seconds() {
    let s = setup("");
    let project = s.tp.project().to_str().unwrap().to_owned();
    // What a person's first runs leave behind: onboarding done, the
    // project trusted, the API key approved.
    std::fs::write(
        s.tp.home().join(".claude.json"),
        json!({"hasCompletedOnboarding": true, "theme": "dark", "numStartups": 3,
               "customApiKeyResponses": {"approved": ["sk-ant-test"], "rejected": []},
               "projects": {project.clone(): {"hasTrustDialogAccepted": true,
                                              "hasCompletedProjectOnboarding": true}}})
        .to_string(),
    )
    .unwrap();
    let api = ApiStandin::start(vec![
        Action::tool_use(
            "AskUserQuestion",
            json!({"questions": [{"question": "Which database should the cache use?", "header": "DB",
                "multiSelect": false, "options": [
                    {"label": "Postgres", "description": "the one we run"},
                    {"label": "SQLite", "description": "a file"}]}]}),
        ),
        Action::text("Postgres it is."),
    ])
    .unwrap();
    let tmux = Tmux::new("cc", Duration::from_secs(30));
    let mut env = vec![
        format!("HOME={}", s.tp.home().display()),
        format!("HOOKWATCH_HOME={}", s.tp.hookwatch_home().display()),
        format!("ANTHROPIC_BASE_URL={}", api.base_url()),
        "ANTHROPIC_API_KEY=sk-ant-test".into(),
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1".into(),
        "DISABLE_AUTOUPDATER=1".into(),
        "CLAUDE_CODE_MAX_RETRIES=0".into(),
        "NO_PROXY=127.0.0.1,localhost".into(),
    ];
    env.push(format!(
        "PATH={}",
        std::env::var("PATH").unwrap_or_default()
    ));
    let started = tmux
        .cmd()
        .args([
            "new-session",
            "-d",
            "-s",
            "cc",
            "-x",
            "120",
            "-y",
            "40",
            "-c",
            &project,
            "env",
            "-i",
        ])
        .args(&env)
        .arg(s.claude.to_str().unwrap())
        .status()
        .unwrap();
    assert!(started.success());
    tmux.wait_for("the prompt", |t| {
        t.contains("❯") && t.contains("Claude Code")
    });
    tmux.keys(&["-l", "set up the cache"]);
    std::thread::sleep(Duration::from_millis(300));
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the question", |t| {
        t.contains("Which database should the cache use?")
    });
    artifact("ask-user-question.txt", &screen);
    assert!(
        s.rx.wait_for(1, Duration::from_secs(10)),
        "no needs_you; screen:\n{}",
        tmux.capture()
    );
    let arrived_us = {
        let r = &s.rx.requests()[0];
        let ago = Instant::now().duration_since(r.at);
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_micros() as i64
            - ago.as_micros() as i64
    };
    let r = s.rx.requests().remove(0);
    let a = attention(&r);
    assert_eq!(a["kind"], "needs_you");
    assert_eq!(a["cause"], "AskUserQuestion");
    assert_eq!(
        a["message"],
        "Which database should the cache use? (Postgres / SQLite)"
    );
    assert!(r.json()["data"]["title"]
        .as_str()
        .unwrap()
        .contains("has a question"));
    let events = json_lines(
        &hw(&s.tp)
            .args(["events", "--json", "--limit", "1000"])
            .output()
            .unwrap(),
    );
    let pre = events
        .iter()
        .find(|e| e["event"] == "PreToolUse" && e["tool_name"] == "AskUserQuestion")
        .expect("PreToolUse of AskUserQuestion recorded");
    let hook_us = hookwatch_sink::time::parse_rfc3339_us(pre["time"].as_str().unwrap()).unwrap();
    assert!(
        arrived_us - hook_us < 2_000_000,
        "arrived {} ms after the hook",
        (arrived_us - hook_us) / 1000
    );
    // Claude Code follows its dialog with a Notification permission_prompt
    // (after ~6 s): the same wait, told once (cooldown).
    let start = Instant::now();
    let note = loop {
        let _ = hw(&s.tp).args(["drain"]).output();
        let d = json_lines(
            &hw(&s.tp)
                .args(["notify", "log", "--json"])
                .output()
                .unwrap(),
        );
        if let Some(n) = d.iter().find(|r| r["cause"] == "permission_prompt") {
            break n.clone();
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no permission_prompt seen: {d:?}"
        );
        std::thread::sleep(Duration::from_millis(250));
    };
    assert_eq!(note["state"], "suppressed");
    assert!(
        note["reason"].as_str().unwrap().contains("cooldown"),
        "{note}"
    );
    // Answer; the turn ends right after the person was there: no "done".
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the answer", |t| t.contains("Postgres it is."));
    artifact("answered.txt", &screen);
    let d = s.decisions_after_stop();
    let done = d.iter().find(|r| r["kind"] == "done").unwrap();
    assert_eq!(done["state"], "suppressed", "{d:?}");
    assert_eq!(
        s.rx.requests().len(),
        1,
        "one notification for the whole wait"
    );
    // A person attends an interactive session: Claude Code says so.
    assert!(
        events.iter().all(|e| e["outcome"]["attended"] != false),
        "{events:?}"
    );
}
