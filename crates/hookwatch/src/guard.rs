//! The hook's answer to a PreToolUse: run the guard policies
//! (`hookwatch_guard`), honour a person's one-time waiver, and say the
//! decision the way Claude Code reads it.
//!
//! Every decision, waiver and internal error is written into the event's
//! spool header (`Outcome.guard`), so the audit log is the event store
//! itself: `hookwatch guard log` reads it back, and nothing extra is written
//! on the hot path.

use crate::config::{DenyWith, GuardSection};
use crate::paths::Paths;
use hookwatch_event::Event;
use hookwatch_guard::{Budgeted, Decision, Guard, GuardConfig, Outcome, RealGit, Request};
use hookwatch_store::spool::GuardOutcome;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What the hook prints and how it exits.
#[derive(Debug, Default)]
pub struct Answer {
    pub stdout: Option<Value>,
    /// Exit 2 with this on stderr (the reason Claude is shown).
    pub block_stderr: Option<String>,
}

pub struct Checked {
    pub outcome: Option<GuardOutcome>,
    pub answer: Answer,
    pub errors: Vec<String>,
}

/// The built guard, or a decision when it cannot be built.
enum Built {
    Guard(Guard),
    /// The config is broken and the user asked for fail-closed ("*").
    DenyAll(String),
}

/// The guard the config asks for. A broken config never turns the guard
/// off: it falls back to the built-in pack, and at worst to self-protection
/// alone (the agent still cannot waive blocks or uninstall hookwatch).
fn build(cfg: &GuardSection, errors: &mut Vec<String>) -> Built {
    let fail_closed_all = cfg.fail_closed.iter().any(|f| f == "*");
    let problem = match (&cfg.config_error, Guard::new(&cfg.policy_config())) {
        (None, Ok(g)) => return Built::Guard(g),
        (Some(e), _) => e.clone(),
        (None, Err(e)) => e,
    };
    errors.push(format!("[guard] config: {problem}"));
    if fail_closed_all {
        return Built::DenyAll(format!(
            "hookwatch guard is misconfigured ({problem}) and set to fail closed; \
             ask the user to fix the [guard] section of the hookwatch config"
        ));
    }
    let builtin = GuardConfig {
        enabled: cfg.enabled,
        ..GuardConfig::default()
    };
    let last_resort = GuardConfig {
        enabled: false,
        ..GuardConfig::default()
    };
    match Guard::new(&builtin).or_else(|_| Guard::new(&last_resort)) {
        Ok(g) => Built::Guard(g),
        Err(e) => Built::DenyAll(format!("hookwatch guard cannot start: {e}")),
    }
}

/// Evaluate one tool call (the hook, and `hookwatch guard test`).
pub fn evaluate(
    paths: &Paths,
    cfg: &GuardSection,
    tool_name: &str,
    tool_input: &Value,
    cwd: &str,
    project: Option<&str>,
    errors: &mut Vec<String>,
) -> Outcome {
    let guard = match build(cfg, errors) {
        Built::Guard(g) => g,
        Built::DenyAll(reason) => {
            return Outcome {
                verdict: Some(hookwatch_guard::Verdict {
                    decision: Decision::Deny,
                    policy: "config-error".into(),
                    reason,
                    command: None,
                }),
                errors: Vec::new(),
            }
        }
    };
    let home = std::env::var("HOME").ok();
    let protected = protected_dirs(paths);
    let req = Request {
        tool_name,
        tool_input,
        cwd,
        project_dir: project,
        home: home.as_deref(),
        protected_dirs: &protected,
    };
    let budget = Duration::from_millis(cfg.git_timeout_ms);
    let git = Budgeted::new(RealGit { timeout: budget }, budget);
    guard.evaluate(&req, &git)
}

pub fn check(paths: &Paths, cfg: &GuardSection, ev: &Event, project: Option<&str>) -> Checked {
    // `enabled = false` still runs the guard: its self-protection (the
    // agent may not waive blocks or uninstall hookwatch) stays on.
    let mut errors = Vec::new();
    let Some(tool_name) = ev.tool_name() else {
        return Checked {
            outcome: None,
            answer: Answer::default(),
            errors,
        };
    };
    let null = Value::Null;
    let tool_input = ev.tool_input().unwrap_or(&null);
    let cwd = ev
        .common
        .cwd
        .clone()
        .or_else(|| {
            std::env::current_dir()
                .ok()
                .map(|p| p.display().to_string())
        })
        .unwrap_or_else(|| "/".into());
    let out = evaluate(
        paths,
        cfg,
        tool_name,
        tool_input,
        &cwd,
        project,
        &mut errors,
    );
    errors.extend(out.errors.iter().cloned());
    let Some(v) = out.verdict else {
        // No opinion: still audit a policy that could not decide.
        let outcome = errors.first().map(|e| GuardOutcome {
            decision: "error".into(),
            reason: e.clone(),
            ..GuardOutcome::default()
        });
        return Checked {
            outcome,
            answer: Answer::default(),
            errors,
        };
    };
    let key = waiver_key(tool_name, tool_input);
    let outcome = GuardOutcome {
        decision: decision_str(v.decision).into(),
        policy: v.policy.clone(),
        reason: v.reason.clone(),
        command: v.command.clone(),
        waiver_key: Some(key.clone()),
        ..GuardOutcome::default()
    };
    // Self-protection is exactly what a waiver must not open: otherwise one
    // waiver for "the last denied call" could be the agent's own allow-once.
    if v.decision != Decision::Allow && v.policy != "self-protect" && take_waiver(paths, &key) {
        return Checked {
            outcome: Some(GuardOutcome {
                decision: "allowed-once".into(),
                ..outcome
            }),
            answer: Answer::default(),
            errors,
        };
    }
    let answer = answer_for(v.decision, cfg.deny_with, &outcome.policy, &outcome.reason);
    Checked {
        outcome: Some(outcome),
        answer,
        errors,
    }
}

/// A decision the way Claude Code reads it. Also used by the hook's panic
/// handler, whose fail-closed deny must look like any other.
pub fn answer_for(decision: Decision, deny_with: DenyWith, policy: &str, reason: &str) -> Answer {
    let reason = format!("hookwatch guard ({policy}): {reason}");
    match (decision, deny_with) {
        (Decision::Deny, DenyWith::Exit2) => Answer {
            stdout: None,
            block_stderr: Some(reason),
        },
        (d, _) => Answer {
            stdout: Some(json!({"hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": decision_str(d),
                "permissionDecisionReason": reason,
            }})),
            block_stderr: None,
        },
    }
}

fn decision_str(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "allow",
        Decision::Ask => "ask",
        Decision::Deny => "deny",
    }
}

/// hookwatch's own config, data and rescue spool: the agent may not
/// rewrite its guard or forge its records.
pub fn protected_dirs(paths: &Paths) -> Vec<PathBuf> {
    let mut v = vec![paths.data_dir.clone()];
    for dir in [paths.config_file.parent(), paths.rescue_spool().parent()]
        .into_iter()
        .flatten()
    {
        if !v.iter().any(|p| p == dir) {
            v.push(dir.to_path_buf());
        }
    }
    v
}

/// The part of a tool input a waiver and the logs name: the Bash command,
/// else the file path.
pub fn subject(tool_input: &Value) -> Option<&str> {
    ["command", "file_path", "notebook_path", "path"]
        .iter()
        .find_map(|k| tool_input.get(*k).and_then(Value::as_str))
}

/// What a waiver is keyed on: the tool and the exact (scrubbed) subject.
pub fn waiver_key(tool_name: &str, tool_input: &Value) -> String {
    let subject = subject(tool_input)
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|| tool_input.to_string());
    let mut h = blake3::Hasher::new();
    h.update(tool_name.as_bytes());
    h.update(b"\0");
    h.update(subject.as_bytes());
    h.finalize().to_hex()[..32].to_string()
}

/// Consume a waiver the user granted with `hookwatch guard allow-once`.
/// Renaming is atomic: of several calls racing for one waiver, one wins.
fn take_waiver(paths: &Paths, key: &str) -> bool {
    let dir = paths.allow_once();
    let path = dir.join(key);
    let taken = dir.join(format!("{key}.used-{}", std::process::id()));
    if std::fs::rename(&path, &taken).is_err() {
        return false;
    }
    let valid = waiver_valid(&taken);
    let _ = std::fs::remove_file(&taken);
    valid
}

fn waiver_valid(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    let expires = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v["expires_us"].as_i64())
        .unwrap_or(0);
    crate::timefmt::now_us() < expires
}
