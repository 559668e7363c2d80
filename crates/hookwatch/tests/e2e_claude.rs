//! End-to-end: the real Claude Code CLI (2.1.330), driven offline by the
//! repository's API stand-in, with hookwatch installed by
//! `hookwatch install --scope project`, HOME and HOOKWATCH_HOME in temp dirs.
//! Each test asserts what `hookwatch events --json` returns.

mod common;
#[path = "common/web.rs"]
mod web;
use common::{contains, json_lines, BIN};
use hookwatch_testkit::{require_claude, Action, ApiStandin, ClaudeRun, TempProject};
use serde_json::{json, Value};
use std::process::Command;
use std::time::{Duration, Instant};

struct Setup {
    tp: TempProject,
    claude: std::path::PathBuf,
}

fn hw(tp: &TempProject) -> Command {
    let mut c = Command::new(BIN);
    c.env("HOOKWATCH_HOME", tp.hookwatch_home())
        .env("HOME", tp.home());
    c
}

fn setup(install_args: &[&str]) -> Setup {
    let claude = require_claude();
    let tp = TempProject::new().unwrap();
    let project = tp.project().to_str().unwrap().to_owned();
    let mut args = vec!["install", "--scope", "project", "--project-dir", &project];
    args.extend_from_slice(install_args);
    let out = hw(&tp).args(&args).output().unwrap();
    assert!(
        out.status.success(),
        "install failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Setup { tp, claude }
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

    fn events(&self) -> Vec<Value> {
        json_lines(
            &hw(&self.tp)
                .args(["events", "--json", "--limit", "10000"])
                .output()
                .unwrap(),
        )
    }

    /// Hooks may finish after the CLI exits (StopFailure fires just before
    /// it, async hooks are not awaited): poll until `done` holds.
    fn events_until(&self, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let start = Instant::now();
        loop {
            let ev = self.events();
            if done(&ev) {
                return ev;
            }
            if start.elapsed() > Duration::from_secs(15) {
                panic!("timed out waiting for {what}; events: {:#?}", names(&ev));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn names(ev: &[Value]) -> Vec<String> {
    ev.iter()
        .map(|e| e["event"].as_str().unwrap_or("").to_owned())
        .collect()
}

fn count(ev: &[Value], name: &str) -> usize {
    ev.iter().filter(|e| e["event"] == name).count()
}

fn has_session_end(ev: &[Value]) -> bool {
    count(ev, "SessionEnd") == 1
}

#[test]
fn a_successful_bash_call_is_recorded_with_all_its_events() {
    let s = setup(&[]);
    let (run, api) = s.run(
        vec![Action::bash("echo hello-hookwatch"), Action::text("done")],
        "say hello",
        "Bash",
    );
    assert!(run.status.success(), "claude failed: {}", run.stderr);
    let sid = run.session_id().unwrap().to_owned();
    let ev = s.events_until("SessionEnd", has_session_end);
    assert_eq!(
        names(&ev),
        [
            "SessionStart",
            "UserPromptSubmit",
            "PreToolUse",
            "PostToolUse",
            "PostToolBatch",
            "Stop",
            "SessionEnd"
        ],
    );
    assert!(ev.iter().all(|e| e["session_id"] == sid.as_str()));
    let post = ev.iter().find(|e| e["event"] == "PostToolUse").unwrap();
    assert_eq!(post["tool_name"], "Bash");
    assert_eq!(
        post["payload"]["tool_input"]["command"],
        "echo hello-hookwatch"
    );
    assert!(post["payload"]["tool_response"]["stdout"]
        .as_str()
        .unwrap()
        .contains("hello-hookwatch"));
    let pre = ev.iter().find(|e| e["event"] == "PreToolUse").unwrap();
    assert_eq!(pre["tool_use_id"], post["tool_use_id"]);
    assert!(post["tool_use_id"].as_str().unwrap().starts_with("toolu_"));
    assert!(post["time"].as_str().unwrap().ends_with('Z'));
    assert_eq!(post["cwd"], s.tp.project().to_str().unwrap());
    // The recorder answered nothing, so the model saw the plain tool result.
    assert!(api
        .main_requests()
        .last()
        .unwrap()
        .messages_text()
        .contains("hello-hookwatch"));
}

#[test]
fn a_failing_bash_call_is_recorded_and_its_secrets_never_reach_the_database() {
    let s = setup(&[]);
    let gh = format!("ghp_{}", "Qm7Xr2Lk9Wn4Vb8Pj3Tz6Hy1Cd5Gf0Sa2Ue4");
    let aws = format!("AKIA{}", "ZT6YH3GF7DS2QW5E");
    let ant = format!("sk-ant-api03-{}AA", "x7Kp2Qm9Lr4Wt8Yb3Nc6Vd1Hf5Gj0Sa2Ue4Io7Pz9Xk3Mq8Lw2Er6Ty1Ui5Op4As9Df3Gh7Jk2Lz6Xc1Vb5Nm0Qw8Er3Ty7Ui2Op6As1Df5Gh9Jk4");
    let pw = "Corr3ct-Horse-Battery";
    // The secrets are in the command's OUTPUT only, not in its text.
    std::fs::write(
        s.tp.project().join("leak.env"),
        format!("GITHUB_TOKEN={gh}\nAWS_ACCESS_KEY_ID={aws}\nANTHROPIC_API_KEY={ant}\nDATABASE_URL=postgres://shop:{pw}@db.internal:5432/shop\n"),
    )
    .unwrap();
    let (run, _api) = s.run(
        vec![
            Action::bash("cat leak.env; exit 3"),
            Action::text("it failed"),
        ],
        "show env",
        "Bash",
    );
    assert!(run.status.success(), "{}", run.stderr);
    let ev = s.events_until("SessionEnd", has_session_end);
    let fail = ev
        .iter()
        .find(|e| e["event"] == "PostToolUseFailure")
        .expect("PostToolUseFailure recorded");
    assert_eq!(fail["tool_name"], "Bash");
    assert_eq!(fail["is_interrupt"], false);
    let err = fail["error"].as_str().unwrap();
    assert!(err.starts_with("Exit code 3"), "{err}");
    for marker in ["[REDACTED:github-token]", "[REDACTED:"] {
        assert!(err.contains(marker), "{err}");
    }
    assert!(fail["duration_ms"].is_u64());
    // Raw bytes of everything hookwatch wrote: database, WAL, spool, logs.
    let mut bytes = Vec::new();
    for e in walk(s.tp.hookwatch_home()) {
        bytes.extend(std::fs::read(e).unwrap());
    }
    assert!(!bytes.is_empty());
    for secret in [gh.as_str(), aws.as_str(), ant.as_str(), pw] {
        assert!(
            !contains(&bytes, secret),
            "secret {secret} found in hookwatch's files"
        );
    }
}

/// A real session, then the dashboard: its timeline shows every event in
/// order, the failure with its class, in a real browser.
#[test]
fn a_real_session_shows_on_the_dashboard_timeline() {
    let s = setup(&[]);
    let (run, _api) = s.run(
        vec![
            Action::bash("echo building"),
            Action::bash("echo 'error: cannot find module lodash' >&2; exit 1"),
            Action::text("the build fails"),
        ],
        "build it",
        "Bash",
    );
    assert!(run.status.success(), "{}", run.stderr);
    let sid = run.session_id().unwrap().to_owned();
    s.events_until("SessionEnd", has_session_end);
    let port = web::free_port();
    let mut serve = hw(&s.tp)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    web::wait_listening(port, Duration::from_secs(20));
    let b = web::Browser::start();
    b.goto(&format!("http://127.0.0.1:{port}/session/{sid}"));
    let rows = b.js(
        "return [...document.querySelectorAll('[data-table=timeline] tbody tr')].map(r => r.dataset.event)",
    );
    let rows: Vec<String> = serde_json::from_value(rows).unwrap();
    let expected = [
        "SessionStart",
        "UserPromptSubmit",
        "PreToolUse",
        "PostToolUse",
        "PostToolBatch",
        "PreToolUse",
        "PostToolUseFailure",
        "PostToolBatch",
        "Stop",
        "SessionEnd",
    ];
    assert_eq!(rows, expected);
    let failure = b.text("[data-table=timeline] tr.failure");
    assert!(failure.contains("cannot find module lodash"), "{failure}");
    assert!(
        b.text("tr.failure [data-class]")
            .contains("missing_dependency"),
        "{failure}"
    );
    assert!(b.console_errors().is_empty());
    b.screenshot(&web::artifacts("dashboard").join("e2e-session.png"));
    let _ = serve.kill();
    let _ = serve.wait();
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn parallel_tool_calls_in_one_turn_are_each_recorded_once() {
    let s = setup(&[]);
    for i in 0..3 {
        std::fs::write(
            s.tp.project().join(format!("f{i}.txt")),
            format!("content {i}\n"),
        )
        .unwrap();
    }
    let p = |n: &str| s.tp.project().join(n).to_str().unwrap().to_owned();
    let reads = vec![
        ("Read".to_owned(), json!({"file_path": p("f0.txt")})),
        ("Read".to_owned(), json!({"file_path": p("f1.txt")})),
        ("Read".to_owned(), json!({"file_path": p("f2.txt")})),
        ("Read".to_owned(), json!({"file_path": p("missing.txt")})),
    ];
    let (run, _api) = s.run(
        vec![Action::ToolUses(reads), Action::text("read them")],
        "read files",
        "Read",
    );
    assert!(run.status.success(), "{}", run.stderr);
    let ev = s.events_until("SessionEnd", has_session_end);
    assert_eq!(count(&ev, "PreToolUse"), 4, "{:?}", names(&ev));
    assert_eq!(count(&ev, "PostToolUse"), 3);
    assert_eq!(count(&ev, "PostToolUseFailure"), 1);
    // Each call's events carry its own tool_use_id, each exactly once.
    let mut ids: Vec<_> = ev
        .iter()
        .filter(|e| e["event"] == "PreToolUse")
        .map(|e| e["tool_use_id"].as_str().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4);
    for id in &ids {
        let post = ev
            .iter()
            .filter(|e| e["tool_use_id"] == *id && e["event"] != "PreToolUse")
            .count();
        assert_eq!(post, 1, "tool_use_id {id}");
    }
    let fail = ev
        .iter()
        .find(|e| e["event"] == "PostToolUseFailure")
        .unwrap();
    assert_eq!(fail["tool_name"], "Read");
    assert!(fail["payload"]["tool_input"]["file_path"]
        .as_str()
        .unwrap()
        .ends_with("missing.txt"));
}

#[test]
fn a_429_is_recorded_as_stop_failure_rate_limit() {
    let s = setup(&[]);
    let (run, _api) = s.run(
        vec![Action::error(
            429,
            "rate_limit_error",
            "Number of request tokens has exceeded your per-minute rate limit",
        )],
        "hello",
        "Bash",
    );
    assert_eq!(
        run.status.code(),
        Some(1),
        "api error ends the -p run with 1"
    );
    let sid = run.session_id().unwrap().to_owned();
    // After SessionEnd has also rebuilt it from the transcript: still one.
    let ev = s.events_until("StopFailure and SessionEnd", |e| {
        count(e, "StopFailure") == 1 && has_session_end(e)
    });
    assert_eq!(count(&ev, "StopFailure"), 1, "{:?}", names(&ev));
    let sf = ev.iter().find(|e| e["event"] == "StopFailure").unwrap();
    assert_eq!(sf["error"], "rate_limit");
    assert_eq!(sf["session_id"], sid.as_str());
    assert!(sf["payload"]["last_assistant_message"]
        .as_str()
        .unwrap()
        .contains("429"));
    assert_eq!(
        count(&ev, "Stop"),
        0,
        "API-error turn ends fire StopFailure instead of Stop"
    );
}

#[test]
fn a_401_is_recorded_as_stop_failure_authentication_failed() {
    let s = setup(&[]);
    let (run, _api) = s.run(
        vec![Action::error(
            401,
            "authentication_error",
            "invalid x-api-key",
        )],
        "hello",
        "Bash",
    );
    assert_eq!(run.status.code(), Some(1));
    let ev = s.events_until("StopFailure", |e| count(e, "StopFailure") == 1);
    let sf = ev.iter().find(|e| e["event"] == "StopFailure").unwrap();
    assert_eq!(sf["error"], "authentication_failed");
    let stats = hw(&s.tp).args(["stats", "--json"]).output().unwrap();
    let stats: Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(
        stats["stop_failures"],
        json!([{"key": "authentication_failed", "count": 1}])
    );
}

/// The install decision per event allows `"async": true` for pure
/// observation events; no event may be lost that way either.
#[test]
fn with_async_recording_no_event_is_lost() {
    let s = setup(&["--async"]);
    let settings: Value = serde_json::from_slice(
        &std::fs::read(s.tp.project().join(".claude/settings.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        settings["hooks"]["PostToolUse"][0]["hooks"][0]["async"],
        true
    );
    let (run, _api) = s.run(
        vec![
            Action::bash("echo one"),
            Action::bash("ls /definitely/missing/path"),
            Action::bash("echo three"),
            Action::text("done"),
        ],
        "three commands",
        "Bash",
    );
    assert!(run.status.success(), "{}", run.stderr);
    let ev = s.events_until("all events", |e| {
        has_session_end(e)
            && count(e, "PostToolUse") == 2
            && count(e, "PostToolBatch") == 3
            && count(e, "UserPromptSubmit") == 1
            && count(e, "SessionStart") == 1
    });
    assert_eq!(count(&ev, "PreToolUse"), 3);
    assert_eq!(count(&ev, "PostToolUse"), 2);
    assert_eq!(count(&ev, "PostToolUseFailure"), 1);
    assert_eq!(count(&ev, "Stop"), 1);
    assert_eq!(count(&ev, "PostToolBatch"), 3);
    assert_eq!(ev.len(), 13, "{:?}", names(&ev));
}

/// Claude Code SIGTERMs hooks when a -p run exits right after StopFailure; a
/// hook killed before it starts loses the event. Simulated here by a
/// StopFailure entry that dies without recording: SessionEnd rebuilds the
/// event from the transcript.
#[test]
fn a_stop_failure_whose_hook_was_killed_is_rebuilt_from_the_transcript() {
    let s = setup(&[]);
    let file = s.tp.project().join(".claude/settings.json");
    let mut settings: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    settings["hooks"]["StopFailure"][0]["hooks"][0]["command"] = json!("kill -9 $$");
    std::fs::write(&file, serde_json::to_string_pretty(&settings).unwrap()).unwrap();
    let (run, _api) = s.run(
        vec![Action::error(429, "rate_limit_error", "rate limited")],
        "hello",
        "Bash",
    );
    assert_eq!(run.status.code(), Some(1));
    let ev = s.events_until("rebuilt StopFailure", |e| {
        has_session_end(e) && count(e, "StopFailure") == 1
    });
    let sf = ev.iter().find(|e| e["event"] == "StopFailure").unwrap();
    assert_eq!(sf["error"], "rate_limit");
    assert_eq!(sf["session_id"], run.session_id().unwrap());
    assert_eq!(sf["payload"]["_hookwatch"]["rebuilt_from"], "transcript");
    assert!(sf["payload"]["last_assistant_message"]
        .as_str()
        .unwrap()
        .contains("429"));
}

// ---- Answers: advice after failures, the guard before tool calls ----------

/// A pnpm project whose test command cannot find a module: hookwatch's
/// built-in advice says to run `pnpm install` first.
fn pnpm_project(s: &Setup) -> &'static str {
    std::fs::write(
        s.tp.project().join("pnpm-lock.yaml"),
        "lockfileVersion: '9.0'\n",
    )
    .unwrap();
    std::fs::write(s.tp.project().join("package.json"), r#"{"name":"shop"}"#).unwrap();
    "node -e \"require('left-pad')\""
}

fn occurrences(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

#[test]
fn advice_for_a_known_failure_reaches_the_next_model_request() {
    let s = setup(&[]);
    let cmd = pnpm_project(&s);
    let (run, api) = s.run(
        vec![Action::bash(cmd), Action::text("done")],
        "run the script",
        "Bash",
    );
    assert!(run.status.success(), "{}", run.stderr);
    let reqs = api.main_requests();
    assert_eq!(reqs.len(), 2);
    assert!(!reqs[0].messages_text().contains("pnpm install"));
    let seen = reqs[1].messages_text();
    assert!(
        seen.contains("hookwatch: Dependencies") || seen.contains("pnpm install"),
        "advice not in the model's next request: {seen}"
    );
    let ev = s.events_until("SessionEnd", has_session_end);
    let fail = ev
        .iter()
        .find(|e| e["event"] == "PostToolUseFailure")
        .unwrap();
    assert_eq!(fail["class"], "missing_dependency");
    assert_eq!(fail["expected"], false);
    assert_eq!(fail["command_head"], "node");
    assert_eq!(fail["outcome"]["failure"]["occurrence"], 1);
    assert_eq!(
        fail["outcome"]["failure"]["advice"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn ten_identical_failures_get_advice_and_the_repeat_warning_at_most_cap_times() {
    let s = setup(&[]);
    let cmd = pnpm_project(&s);
    let mut script: Vec<Action> = (0..10).map(|_| Action::bash(cmd)).collect();
    script.push(Action::text("giving up"));
    let (run, api) = s.run(script, "run the script until it works", "Bash");
    assert!(run.status.success(), "{}", run.stderr);
    let reqs = api.main_requests();
    assert_eq!(reqs.len(), 11);
    // The last request carries the whole conversation: every answer given.
    let seen = reqs[10].messages_text();
    assert_eq!(occurrences(&seen, "pnpm install"), 2, "{seen}");
    assert_eq!(occurrences(&seen, "times in this session"), 2, "{seen}");
    assert!(seen.contains("has now failed 3 times"), "{seen}");
    assert!(!seen.contains("has now failed 5 times"));
    let ev = s.events_until("SessionEnd", has_session_end);
    let fails: Vec<&Value> = ev
        .iter()
        .filter(|e| e["event"] == "PostToolUseFailure")
        .collect();
    assert_eq!(fails.len(), 10);
    assert!(fails
        .iter()
        .all(|f| f["fingerprint"] == fails[0]["fingerprint"]));
    let st: Value =
        serde_json::from_slice(&hw(&s.tp).args(["stats", "--json"]).output().unwrap().stdout)
            .unwrap();
    assert_eq!(st["repeated"][0]["count"], 10);
}

/// A project whose `data/` the guard protects (plus `extra` in `[guard]`).
fn protected_data(extra: &str) -> (Setup, std::path::PathBuf) {
    let s = setup(&[]);
    let data = s.tp.project().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("keep.txt"), "precious").unwrap();
    std::fs::write(
        s.tp.hookwatch_home().join("config.toml"),
        format!("[guard]\n{extra}protected_paths = [\"data\"]\n"),
    )
    .unwrap();
    (s, data)
}

#[test]
fn the_guard_blocks_rm_rf_of_a_protected_dir_and_the_model_gets_the_reason() {
    let (s, data) = protected_data("");
    let (run, api) = s.run(
        vec![
            Action::bash("rm -rf data"),
            Action::bash("echo after > after.txt"),
            Action::text("done"),
        ],
        "clean up",
        "Bash",
    );
    assert!(run.status.success(), "{}", run.stderr);
    assert!(
        data.join("keep.txt").exists(),
        "the protected dir was deleted"
    );
    assert!(
        s.tp.project().join("after.txt").exists(),
        "the benign command did not run"
    );
    let reqs = api.main_requests();
    assert_eq!(reqs.len(), 3);
    let seen = reqs[1].messages_text();
    assert!(
        seen.contains("hookwatch guard ("),
        "reason not shown to the model: {seen}"
    );
    let ev = s.events_until("SessionEnd", has_session_end);
    let pres: Vec<&Value> = ev.iter().filter(|e| e["event"] == "PreToolUse").collect();
    assert_eq!(pres.len(), 2);
    assert_eq!(pres[0]["guard_decision"], "deny");
    assert_eq!(pres[1]["guard_decision"], Value::Null);
    // The denied call never ran; the benign one did.
    let posts: Vec<&Value> = ev.iter().filter(|e| e["event"] == "PostToolUse").collect();
    assert_eq!(posts.len(), 1);
    assert_eq!(
        posts[0]["payload"]["tool_input"]["command"],
        "echo after > after.txt"
    );
    let log = json_lines(&hw(&s.tp).args(["guard", "log", "--json"]).output().unwrap());
    assert_eq!(log.len(), 1);
    assert_eq!(
        log[0]["command"].as_str().map(|c| c.contains("rm")),
        Some(true)
    );
}

#[test]
fn in_exit2_mode_the_guard_blocks_through_exit_code_2_and_the_model_reads_stderr() {
    let (s, data) = protected_data("deny_with = \"exit2\"\n");
    let (run, api) = s.run(
        vec![Action::bash("sudo rm -fr ./data/"), Action::text("done")],
        "clean up",
        "Bash",
    );
    assert!(run.status.success(), "{}", run.stderr);
    assert!(data.join("keep.txt").exists());
    let seen = api.main_requests()[1].messages_text();
    assert!(seen.contains("hookwatch guard (rm-root)"), "{seen}");
    let ev = s.events_until("SessionEnd", has_session_end);
    assert_eq!(
        count(&ev, "PostToolUse") + count(&ev, "PostToolUseFailure"),
        0
    );
    let pre = ev.iter().find(|e| e["event"] == "PreToolUse").unwrap();
    assert_eq!(pre["guard_decision"], "deny");
}

#[test]
fn a_failing_command_gives_exactly_one_webhook_delivery_without_its_secrets() {
    use hookwatch_testkit::receiver::{Plan, Receiver};
    let rx = Receiver::start(Plan::always(200, "ok"));
    let s = setup(&[]);
    let secret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    std::fs::write(
        s.tp.hookwatch_home().join("config.toml"),
        format!(
            "[alerts.route]\ngroup_wait = \"1s\"\n\n[alerts.delivery]\nlinger = \"10s\"\n\n\
             [alerts.targets.team]\ntype = \"webhook\"\nurl = \"{}/hook\"\nsecret_env = \"HW_E2E_SECRET\"\n",
            rx.url()
        ),
    )
    .unwrap();
    let gh = format!("ghp_{}", "Zx8Cv7Bn6Mq5Wl4Ek3Rj2Th1Yg0Uf9Id8Os7");
    let pw = "Tr0ub4dor-and-3";
    std::fs::write(
        s.tp.project().join("deploy.log"),
        format!("auth with token {gh}\npostgres://deploy:{pw}@db.internal/prod refused\n"),
    )
    .unwrap();
    let api = ApiStandin::start(vec![
        Action::bash("cat deploy.log; exit 7"),
        Action::text("the deploy failed"),
    ])
    .unwrap();
    let run =
        s.tp.run_claude(
            &s.claude,
            &api.base_url(),
            "deploy",
            "Bash",
            &[("HW_E2E_SECRET", secret)],
            Duration::from_secs(120),
        )
        .unwrap();
    assert!(run.status.success(), "{}", run.stderr);
    let sid = run.session_id().unwrap().to_owned();
    // The hook started the worker; group_wait is 1 s.
    assert!(
        rx.wait_for(1, Duration::from_secs(30)),
        "no webhook delivery"
    );
    // Nothing more arrives: one failure, one notification.
    std::thread::sleep(Duration::from_secs(3));
    let reqs = rx.requests();
    assert_eq!(
        reqs.len(),
        1,
        "{:?}",
        reqs.iter()
            .map(|r| r.body_str().to_string())
            .collect::<Vec<_>>()
    );
    let r = &reqs[0];
    let expected = hookwatch_sink::standard_webhooks_signature(
        secret,
        r.header("webhook-id").unwrap(),
        r.header("webhook-timestamp").unwrap().parse().unwrap(),
        &r.body,
    )
    .unwrap();
    assert_eq!(r.header("webhook-signature"), Some(expected.as_str()));
    for leaked in [gh.as_str(), pw] {
        assert!(!contains(&r.body, leaked), "{leaked} in the webhook body");
    }
    let v = r.json();
    let n = &v["data"];
    assert_eq!(n["session"], sid.as_str());
    assert_eq!(
        n["project"].as_str().unwrap(),
        s.tp.project().to_str().unwrap()
    );
    let a = &n["alerts"][0];
    assert_eq!(a["event"], "PostToolUseFailure");
    assert_eq!(a["tool"], "Bash");
    assert_eq!(a["command"], "cat deploy.log; exit 7");
    assert!(
        a["error"].as_str().unwrap().starts_with("Exit code 7"),
        "{a}"
    );
    assert!(a["error"].as_str().unwrap().contains("[REDACTED:"), "{a}");
    let id = a["event_id"].as_i64().unwrap();
    let ev = json_lines(
        &hw(&s.tp)
            .args(["show", &id.to_string(), "--json"])
            .output()
            .unwrap(),
    );
    assert_eq!(ev[0]["event"], "PostToolUseFailure");
    let rows = json_lines(&hw(&s.tp).args(["alerts", "--json"]).output().unwrap());
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["state"], "sent");
}

#[test]
fn the_default_pack_blocks_a_recursive_chmod_777_with_no_config_at_all() {
    use std::os::unix::fs::PermissionsExt;
    let s = setup(&[]);
    let data = s.tp.project().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("keep.txt"), "precious").unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o750)).unwrap();
    let (run, api) = s.run(
        vec![
            Action::bash("chmod -R 777 data"),
            Action::bash("chmod -R u+rwX,go+rX data"),
            Action::text("done"),
        ],
        "make data readable",
        "Bash",
    );
    assert!(run.status.success(), "{}", run.stderr);
    let seen = api.main_requests()[1].messages_text();
    assert!(
        seen.contains("chmod-world-writable") || seen.contains("writable by every user"),
        "reason not shown to the model: {seen}"
    );
    // The denied call never ran (777 would show in the mode); the narrower
    // one the reason suggested did.
    let mode = std::fs::metadata(&data).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o755, "mode {mode:o}");
    let ev = s.events_until("SessionEnd", has_session_end);
    let pres: Vec<&Value> = ev.iter().filter(|e| e["event"] == "PreToolUse").collect();
    assert_eq!(pres[0]["guard_decision"], "deny");
    assert_eq!(pres[1]["guard_decision"], Value::Null);
}
