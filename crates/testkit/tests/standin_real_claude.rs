//! The stand-in against the real Claude Code CLI. These tests fail (not
//! skip) when the CLI is missing: CI installs it, and a silently skipped
//! end-to-end test would prove nothing. See `require_claude` for setup.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use hookwatch_testkit::claude::run_claude_args;
use hookwatch_testkit::{require_claude, Action, ApiStandin, ClaudeRun, TempProject};
use serde_json::{json, Value};

const TIMEOUT: Duration = Duration::from_secs(90);

struct Setup {
    claude: PathBuf,
    tp: TempProject,
    standin: ApiStandin,
}

fn setup(script: Vec<Action>) -> Setup {
    Setup {
        claude: require_claude(),
        tp: TempProject::new().unwrap(),
        standin: ApiStandin::start(script).unwrap(),
    }
}

impl Setup {
    fn run(&self, prompt: &str, tools: &str, env: &[(&str, &str)]) -> ClaudeRun {
        let run = self
            .tp
            .run_claude(
                &self.claude,
                &self.standin.base_url(),
                prompt,
                tools,
                env,
                TIMEOUT,
            )
            .unwrap();
        eprintln!("claude run took {:?}", run.elapsed);
        run
    }
}

fn tool_result_text(block: &Value) -> String {
    match &block["content"] {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p["text"].as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        other => other.to_string(),
    }
}

#[test]
fn bash_tool_use_round_trip() {
    let t = Instant::now();
    let s = setup(vec![
        Action::bash("echo hello-from-standin"),
        Action::text("finished"),
    ]);
    let run = s.run("say hello", "Bash", &[]);
    assert!(run.status.success(), "{run:#?}");
    let session = run.session_id().expect("session_id in JSON result");
    assert_eq!(run.result_text(), Some("finished"), "{run:#?}");
    assert_eq!(run.terminal_reason(), Some("completed"));

    let main = s.standin.main_requests();
    assert_eq!(main.len(), 2, "{main:#?}");
    assert_eq!(main[0].body["stream"], true);
    assert!(main[0].messages_text().contains("say hello"));
    let results = main[1].tool_results();
    assert_eq!(results.len(), 1, "{:#?}", main[1].messages());
    assert_eq!(tool_result_text(results[0]), "hello-from-standin");
    assert_eq!(results[0]["is_error"], false);
    assert_eq!(s.standin.remaining_actions(), 0);

    let transcript = s.tp.transcript_path(session);
    assert!(transcript.is_file(), "no transcript at {transcript:?}");
    eprintln!("bash_tool_use_round_trip: {:?}", t.elapsed());
}

#[test]
fn rate_limit_ends_the_run_with_exit_1() {
    let t = Instant::now();
    let s = setup(vec![Action::rate_limited("slow down")]);
    let run = s.run("hi", "Bash", &[]);
    assert_eq!(run.status.code(), Some(1), "{run:#?}");
    let json = run.json.as_ref().expect("JSON result even on API error");
    assert_eq!(json["is_error"], true);
    assert_eq!(json["terminal_reason"], "api_error");
    assert_eq!(json["api_error_status"], 429);
    assert!(run.result_text().unwrap().contains("slow down"), "{run:#?}");
    // CLAUDE_CODE_MAX_RETRIES=0: exactly one attempt.
    assert_eq!(s.standin.main_requests().len(), 1);
    eprintln!("rate_limit_ends_the_run_with_exit_1: {:?}", t.elapsed());
}

#[test]
fn two_reads_in_one_turn() {
    let t = Instant::now();
    let tp = TempProject::new().unwrap();
    let a = tp.project().join("a.txt");
    let b = tp.project().join("b.txt");
    std::fs::write(&a, "contents-of-a\n").unwrap();
    std::fs::write(&b, "contents-of-b\n").unwrap();
    let s = Setup {
        claude: require_claude(),
        standin: ApiStandin::start(vec![
            Action::ToolUses(vec![
                ("Read".into(), json!({ "file_path": a })),
                ("Read".into(), json!({ "file_path": b })),
            ]),
            Action::text("read both"),
        ])
        .unwrap(),
        tp,
    };
    let run = s.run("read a and b", "Read", &[]);
    assert!(run.status.success(), "{run:#?}");

    let main = s.standin.main_requests();
    assert_eq!(main.len(), 2, "{main:#?}");
    let msgs = main[1].messages();
    let assistant = msgs
        .iter()
        .rev()
        .find(|m| m["role"] == "assistant")
        .expect("assistant turn echoed back");
    let ids: Vec<&str> = assistant["content"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["type"] == "tool_use")
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "{assistant:#?}");
    assert_ne!(ids[0], ids[1]);
    let results = main[1].tool_results();
    assert_eq!(results.len(), 2, "{msgs:#?}");
    for (id, want) in ids.iter().zip(["contents-of-a", "contents-of-b"]) {
        let r = results
            .iter()
            .find(|r| r["tool_use_id"] == *id)
            .unwrap_or_else(|| panic!("no tool_result for {id}: {results:#?}"));
        assert!(tool_result_text(r).contains(want), "{r:#?}");
    }
    eprintln!("two_reads_in_one_turn: {:?}", t.elapsed());
}

#[test]
fn project_hooks_fire() {
    let t = Instant::now();
    let s = setup(vec![Action::bash("echo hooked"), Action::text("done")]);
    let out = s.tp.root().join("hook-events.jsonl");
    // Each payload is one JSON object; the trailing newline keeps them
    // apart even if a payload ever lacks one.
    let hook = json!([{ "hooks": [{ "type": "command", "command": "cat >> \"$OUT_FILE\"; echo >> \"$OUT_FILE\"" }] }]);
    let events = [
        "SessionStart",
        "UserPromptSubmit",
        "PreToolUse",
        "PostToolUse",
        "Stop",
        "SessionEnd",
    ];
    let hooks: serde_json::Map<String, Value> = events
        .iter()
        .map(|e| (e.to_string(), hook.clone()))
        .collect();
    s.tp.write_project_settings(&json!({ "hooks": hooks }))
        .unwrap();

    let run = s.run("run it", "Bash", &[("OUT_FILE", out.to_str().unwrap())]);
    assert!(run.status.success(), "{run:#?}");
    let session = run.session_id().unwrap();

    let text = std::fs::read_to_string(&out).expect("hooks wrote nothing");
    let payloads: Vec<Value> = serde_json::Deserializer::from_str(&text)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    let names: Vec<&str> = payloads
        .iter()
        .map(|p| p["hook_event_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, events, "{payloads:#?}");
    for p in &payloads {
        assert_eq!(p["session_id"], session);
        assert_eq!(p["cwd"], s.tp.project().to_str().unwrap());
    }
    let pre = &payloads[2];
    assert_eq!(pre["tool_name"], "Bash");
    assert_eq!(pre["tool_input"]["command"], "echo hooked");
    let post = &payloads[3];
    assert_eq!(post["tool_use_id"], pre["tool_use_id"]);
    assert!(post["tool_use_id"].as_str().unwrap().starts_with("toolu_"));
    assert_eq!(post["tool_response"]["stdout"], "hooked", "{post:#?}");
    eprintln!("project_hooks_fire: {:?}", t.elapsed());
}

#[test]
fn resume_continues_the_session() {
    let t = Instant::now();
    let s = setup(vec![
        Action::bash("echo before-resume"),
        Action::rate_limited("quota"),
        Action::text("resumed fine"),
    ]);
    let first = s.run("first prompt", "Bash", &[]);
    assert_eq!(first.status.code(), Some(1), "{first:#?}");
    let session = first.session_id().unwrap().to_owned();

    let second = run_claude_args(
        &s.claude,
        s.tp.project(),
        s.tp.home(),
        &s.standin.base_url(),
        &[
            "--resume",
            &session,
            "-p",
            "continue please",
            "--allowedTools",
            "Bash",
            "--output-format",
            "json",
        ],
        &[],
        TIMEOUT,
    )
    .unwrap();
    assert!(second.status.success(), "{second:#?}");
    assert_eq!(second.session_id(), Some(session.as_str()));
    let main = s.standin.main_requests();
    assert_eq!(main.len(), 3);
    let seen = main[2].messages_text();
    for needle in ["first prompt", "before-resume", "continue please"] {
        assert!(seen.contains(needle), "{needle} missing from {seen}");
    }
    eprintln!("resume_continues_the_session: {:?}", t.elapsed());
}
