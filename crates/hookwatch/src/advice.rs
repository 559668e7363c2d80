//! The hook's answer to a PostToolUseFailure: classify it, count it, and
//! tell the agent what is known about it, within caps that no retry loop can
//! get around.
//!
//! Why the caps are counted the way they are: every failure is a new hook
//! process, and parallel tool calls fail at the same moment. Each failure
//! takes a ticket from a per-(session, fingerprint) counter
//! (`hookwatch_store::counter`, an atomic append): the n-th failure knows it
//! is the n-th without a lock. Advice is given to tickets 1..=cap, the
//! repeat warning to tickets threshold..threshold+cap, so a hundred
//! simultaneous failures get the advice exactly `cap` times. A per-session
//! character budget, reserved the same way, bounds everything together.

use crate::config::FailureConfig;
use crate::paths::Paths;
use hookwatch_event::Event;
use hookwatch_failure::{Failure, Rules, Verdict};
use hookwatch_store::counter;
use hookwatch_store::spool::FailureOutcome;
use serde_json::{json, Value};

pub struct Analysis {
    pub outcome: FailureOutcome,
    /// The JSON to print on stdout, if the agent or the user is told anything.
    pub answer: Option<Value>,
    pub errors: Vec<String>,
}

/// Classify one failure with the configured rules (also used at ingestion
/// and by `hookwatch rules test`, without counting or answering).
pub fn classify(
    rules: &Rules,
    ev: &Event,
    project: Option<&str>,
) -> (Verdict, Option<String>, Vec<String>) {
    let tool_name = ev.tool_name().unwrap_or("");
    let mcp = ev
        .mcp_server()
        .or_else(|| hookwatch_failure::mcp_server_of(tool_name));
    let f = Failure {
        tool_name,
        tool_input: ev.tool_input(),
        error: ev.error().unwrap_or(""),
        is_interrupt: ev.is_interrupt().unwrap_or(false),
        mcp_server: mcp,
        cwd: ev.common.cwd.as_deref(),
        project_dir: project,
    };
    let (verdict, errors) = rules.classify(&f);
    (verdict, mcp.map(str::to_owned), errors)
}

/// The record of a verdict, before counting.
pub fn outcome_of(v: &Verdict, mcp_server: Option<String>) -> FailureOutcome {
    FailureOutcome {
        fingerprint: v.fingerprint.id.clone(),
        class: v.class.as_str().to_owned(),
        severity: severity_str(v),
        expected: v.expected,
        rule: v.rule.clone(),
        command_head: v.fingerprint.head.clone(),
        mcp_server,
        ..FailureOutcome::default()
    }
}

fn severity_str(v: &Verdict) -> String {
    serde_json::to_value(v.severity)
        .ok()
        .and_then(|s| s.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Rules from config; a broken user rule must not cost the built-ins.
pub fn rules(cfg: &FailureConfig, errors: &mut Vec<String>) -> Rules {
    Rules::new(&cfg.rules).unwrap_or_else(|e| {
        errors.push(format!("[[failure.rules]] ignored: {e}"));
        Rules::new(&[]).expect("built-in rules are valid")
    })
}

pub fn analyse(paths: &Paths, cfg: &FailureConfig, ev: &Event, project: Option<&str>) -> Analysis {
    let mut errors = Vec::new();
    let rules = rules(cfg, &mut errors);
    let (verdict, mcp, errs) = classify(&rules, ev, project);
    errors.extend(errs);
    let mut outcome = outcome_of(&verdict, mcp);

    // The user stopped the call: nothing to advise, nothing repeated.
    if verdict.class == hookwatch_failure::Class::Interrupted {
        return Analysis {
            outcome,
            answer: None,
            errors,
        };
    }
    // Advice lands in the context of the agent that made the call, and
    // subagents share their parent's session: count per (session, agent).
    // Without a session there is nothing to scope a cap to: no answer.
    let Some(session) = ev
        .common
        .session_id
        .as_deref()
        .or(ev.common.transcript_path.as_deref())
        .filter(|s| !s.is_empty())
    else {
        return Analysis {
            outcome,
            answer: None,
            errors,
        };
    };
    let scope = format!("{session}\0{}", ev.common.agent_id.as_deref().unwrap_or(""));
    let n = match counter::add(&paths.failure_counter(&scope, &outcome.fingerprint), 1) {
        Ok(n) => n,
        Err(e) => {
            // Without a ticket the caps cannot be proven: say nothing.
            errors.push(format!("failure counter: {e}; no advice given"));
            return Analysis {
                outcome,
                answer: None,
                errors,
            };
        }
    };
    outcome.occurrence = n;

    let cap = u64::from(cfg.advice_cap);
    let threshold = u64::from(cfg.repeat_threshold.max(2));
    let mut pieces: Vec<(String, String)> = Vec::new(); // (id, text)
    if let Some(a) = &verdict.advice {
        if cfg.advice && n <= cap {
            pieces.push((a.rule.clone(), a.text.clone()));
        } else {
            outcome.withheld.push(a.rule.clone());
        }
    }
    let repeating = n >= threshold && n < threshold + cap;
    if repeating && cfg.advice {
        pieces.push(("repeat".into(), repeat_warning(&verdict, n)));
    }

    let mut answer = serde_json::Map::new();
    if !pieces.is_empty() {
        let mut text = format!(
            "hookwatch: {}",
            pieces
                .iter()
                .map(|(_, t)| t.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
        let max = cfg.max_answer_chars as usize;
        let chars = text.chars().count();
        if chars > max {
            text = text.chars().take(max.saturating_sub(1)).collect::<String>() + "…";
        }
        let chars = chars.min(max);
        let within_budget = match counter::add(&paths.advice_budget(&scope), chars) {
            Ok(total) => total <= u64::from(cfg.session_budget_chars),
            Err(e) => {
                errors.push(format!("advice budget counter: {e}; no advice given"));
                false
            }
        };
        if within_budget {
            outcome.advice = pieces.into_iter().map(|(id, _)| id).collect();
            answer.insert(
                "hookSpecificOutput".into(),
                json!({"hookEventName": "PostToolUseFailure", "additionalContext": text}),
            );
        } else {
            outcome
                .withheld
                .extend(pieces.into_iter().map(|(id, _)| format!("{id} (budget)")));
        }
    }
    let user_msg = match &verdict.system_message {
        Some(m) if n <= cap => Some(m.clone()),
        _ if cfg.notify_user_on_repeat && n == threshold => Some(format!(
            "{} failed {n} times in this session with the same error{}",
            describe(&verdict),
            if verdict.expected {
                " (expected failure)"
            } else {
                ""
            }
        )),
        _ => None,
    };
    if let Some(m) = user_msg {
        outcome.system_message = true;
        answer.insert(
            "systemMessage".into(),
            Value::String(format!("hookwatch: {m}")),
        );
    }
    Analysis {
        outcome,
        answer: (!answer.is_empty()).then_some(Value::Object(answer)),
        errors,
    }
}

fn describe(v: &Verdict) -> String {
    match &v.fingerprint.head {
        Some(h) => format!("`{h}` ({})", v.fingerprint.tool),
        None => v.fingerprint.tool.clone(),
    }
}

fn repeat_warning(v: &Verdict, n: u64) -> String {
    format!(
        "{} has now failed {n} times in this session with the same error (fingerprint {}, class {}). \
         Repeating the same action will fail the same way: change the approach, check the \
         assumption behind it, or ask the user.",
        describe(v),
        v.fingerprint.id,
        v.class.as_str()
    )
}
