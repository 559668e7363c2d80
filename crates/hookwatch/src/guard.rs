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
use hookwatch_guard::{Decision, Guard, RealGit, Request};
use hookwatch_store::spool::GuardOutcome;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

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

pub fn check(paths: &Paths, cfg: &GuardSection, ev: &Event, project: Option<&str>) -> Checked {
    let mut errors = Vec::new();
    let none = |errors| Checked {
        outcome: None,
        answer: Answer::default(),
        errors,
    };
    // `enabled = false` still runs the guard: its self-protection (the
    // agent may not waive blocks or uninstall hookwatch) stays on.
    let Some(tool_name) = ev.tool_name() else {
        return none(errors);
    };
    let null = Value::Null;
    let tool_input = ev.tool_input().unwrap_or(&null);
    let guard = match build(cfg) {
        Ok(g) => g,
        Err(e) => {
            errors.push(format!("[guard] config: {e}"));
            if !cfg.fail_closed.is_empty() {
                // The user asked for fail-closed: a guard that cannot be
                // built must not let everything through.
                let reason = format!(
                    "hookwatch guard is misconfigured ({e}) and set to fail closed; \
                     ask the user to fix the [guard] section of the hookwatch config"
                );
                return finish(cfg, deny_outcome("config-error", &reason, None), errors);
            }
            match build_builtin_only(cfg) {
                Ok(g) => g,
                Err(e) => {
                    errors.push(format!("[guard] built-in policies: {e}"));
                    return none(errors);
                }
            }
        }
    };
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
    let home = std::env::var("HOME").ok();
    let protected = protected_dirs(paths);
    let req = Request {
        tool_name,
        tool_input,
        cwd: &cwd,
        project_dir: project,
        home: home.as_deref(),
        protected_dirs: &protected,
    };
    let git = RealGit {
        timeout: std::time::Duration::from_millis(cfg.git_timeout_ms),
    };
    let out = guard.evaluate(&req, &git);
    errors.extend(out.errors.iter().cloned());
    let Some(v) = out.verdict else {
        // No opinion: still audit a policy that could not decide.
        let outcome = errors.first().map(|e| GuardOutcome {
            decision: "error".into(),
            policy: String::new(),
            reason: e.clone(),
            command: None,
        });
        return Checked {
            outcome,
            answer: Answer::default(),
            errors,
        };
    };
    let outcome = GuardOutcome {
        decision: decision_str(v.decision).into(),
        policy: v.policy.clone(),
        reason: v.reason.clone(),
        command: v.command.clone(),
    };
    if v.decision != Decision::Allow && take_waiver(paths, tool_name, tool_input) {
        return Checked {
            outcome: Some(GuardOutcome {
                decision: "allowed-once".into(),
                ..outcome
            }),
            answer: Answer::default(),
            errors,
        };
    }
    finish(cfg, outcome, errors)
}

fn finish(cfg: &GuardSection, outcome: GuardOutcome, errors: Vec<String>) -> Checked {
    let reason = format!("hookwatch guard ({}): {}", outcome.policy, outcome.reason);
    let answer = match (outcome.decision.as_str(), cfg.deny_with) {
        ("deny", DenyWith::Exit2) => Answer {
            stdout: None,
            block_stderr: Some(reason),
        },
        (d @ ("deny" | "ask" | "allow"), _) => Answer {
            stdout: Some(json!({"hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": d,
                "permissionDecisionReason": reason,
            }})),
            block_stderr: None,
        },
        _ => Answer::default(),
    };
    Checked {
        outcome: Some(outcome),
        answer,
        errors,
    }
}

fn deny_outcome(policy: &str, reason: &str, command: Option<String>) -> GuardOutcome {
    GuardOutcome {
        decision: "deny".into(),
        policy: policy.into(),
        reason: reason.into(),
        command,
    }
}

pub fn build(cfg: &GuardSection) -> Result<Guard, String> {
    Guard::new(&cfg.policy_config())
}

fn build_builtin_only(cfg: &GuardSection) -> Result<Guard, String> {
    let mut c = cfg.policy_config();
    c.rules.clear();
    c.protected_paths.clear();
    Guard::new(&c)
}

fn decision_str(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "allow",
        Decision::Ask => "ask",
        Decision::Deny => "deny",
    }
}

/// hookwatch's own config and data: the agent may not rewrite its guard.
pub fn protected_dirs(paths: &Paths) -> Vec<PathBuf> {
    let mut v = vec![paths.data_dir.clone()];
    if let Some(dir) = paths.config_file.parent() {
        if !v.iter().any(|p| p == dir) {
            v.push(dir.to_path_buf());
        }
    }
    v
}

/// What a waiver is keyed on: the tool and the exact (scrubbed) input that
/// was blocked. Bash: the command text; file tools: the path.
pub fn waiver_key(tool_name: &str, tool_input: &Value) -> String {
    let subject = ["command", "file_path", "notebook_path", "path"]
        .iter()
        .find_map(|k| tool_input.get(*k).and_then(Value::as_str))
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
fn take_waiver(paths: &Paths, tool_name: &str, tool_input: &Value) -> bool {
    let dir = paths.allow_once();
    let key = waiver_key(tool_name, tool_input);
    let path = dir.join(&key);
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
