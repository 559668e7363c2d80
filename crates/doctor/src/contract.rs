//! The output contract of each event (claude-code-hooks.md §3, §7): what
//! Claude Code 2.1.330 does with a hook's exit code, stdout and stderr.
//! `hookwatch test` runs a hook and asks this what the run means.

use crate::Severity;
use serde::Serialize;
use serde_json::Value;

/// What one run of a hook did.
#[derive(Debug, Clone)]
pub struct Run<'a> {
    pub event: &'a str,
    /// None: killed by the timeout.
    pub exit: Option<i32>,
    pub stdout: &'a str,
    pub stderr: &'a str,
    pub millis: u64,
    pub timeout_s: f64,
    /// The input had `stop_hook_active: true`.
    pub stop_hook_active: bool,
}

/// One observation about the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub severity: Severity,
    pub message: String,
}

/// What Claude Code makes of the run, in a word: allow, deny, ask, block,
/// context, error, nothing, …
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub outcome: String,
    pub checks: Vec<Check>,
    /// The parsed JSON answer, if any.
    pub json: Option<Value>,
}

const EXIT2_BLOCKS: &[&str] = &[
    "PreToolUse",
    "PermissionRequest",
    "UserPromptSubmit",
    "UserPromptExpansion",
    "Stop",
    "SubagentStop",
    "PreCompact",
    "ConfigChange",
    "TaskCreated",
    "TaskCompleted",
    "TeammateIdle",
    "PreModelSwitch",
    "Elicitation",
    "ElicitationResult",
    "WorktreeCreate",
];

/// Events whose plain stdout reaches Claude's context.
const PLAIN_TO_CONTEXT: &[&str] = &[
    "UserPromptSubmit",
    "UserPromptExpansion",
    "SessionStart",
    "PostModelSwitch",
    "Setup",
];

/// `hookSpecificOutput` members per event.
fn specific_fields(event: &str) -> &'static [&'static str] {
    match event {
        "PreToolUse" => &[
            "hookEventName",
            "permissionDecision",
            "permissionDecisionReason",
            "updatedInput",
            "additionalContext",
        ],
        "PostToolUse" => &[
            "hookEventName",
            "additionalContext",
            "updatedToolOutput",
            "updatedMCPToolOutput",
            "classifierContext",
        ],
        "SessionStart" => &[
            "hookEventName",
            "additionalContext",
            "initialUserMessage",
            "sessionTitle",
            "watchPaths",
            "reloadSkills",
        ],
        "UserPromptSubmit" => &[
            "hookEventName",
            "additionalContext",
            "sessionTitle",
            "suppressOriginalPrompt",
        ],
        "UserPromptExpansion" => &[
            "hookEventName",
            "additionalContext",
            "suppressOriginalPrompt",
        ],
        "PermissionDenied" => &["hookEventName", "retry"],
        "PostToolUseFailure" | "Notification" | "PostModelSwitch" | "Setup" | "SubagentStart"
        | "PostToolBatch" | "Stop" | "SubagentStop" => &["hookEventName", "additionalContext"],
        "PermissionRequest" => &["hookEventName", "decision"],
        "PreModelSwitch" => &[
            "hookEventName",
            "permissionDecision",
            "permissionDecisionReason",
        ],
        "Elicitation" | "ElicitationResult" => &["hookEventName", "action", "content"],
        "CwdChanged" | "FileChanged" => &["hookEventName", "watchPaths"],
        "WorktreeCreate" => &["hookEventName", "worktreePath"],
        "MessageDisplay" => &["hookEventName", "displayContent"],
        _ => &["hookEventName"],
    }
}

pub fn judge(r: &Run<'_>) -> Verdict {
    let mut checks = Vec::new();
    let mut note = |severity: Severity, message: String| checks.push(Check { severity, message });
    let blocks = EXIT2_BLOCKS.contains(&r.event);
    let Some(exit) = r.exit else {
        note(Severity::Error, format!(
            "timed out after {:.0} s: Claude Code cancels the hook and goes on without its answer{}",
            r.timeout_s,
            if r.event == "PreToolUse" { " (a PreToolUse that times out makes no decision: the tool call is not blocked)" } else { "" }
        ));
        return Verdict {
            outcome: "timeout".into(),
            checks,
            json: None,
        };
    };
    if r.millis as f64 > r.timeout_s * 1000.0 * 0.5 {
        note(
            Severity::Warning,
            format!(
                "took {} ms, more than half its {:.0} s timeout",
                r.millis, r.timeout_s
            ),
        );
    }
    let out = r.stdout.trim();
    let mut json = None;
    let mut outcome = String::from("nothing");
    if out.starts_with('{') {
        let mut docs = serde_json::Deserializer::from_str(out).into_iter::<Value>();
        match (docs.next(), docs.next()) {
            (Some(Ok(v)), None) if v.is_object() => json = Some(v),
            (Some(Ok(_)), Some(_)) => note(Severity::Error, "stdout holds more than one JSON document: Claude Code reads it as plain text and ignores every field".into()),
            (Some(Err(e)), _) => note(Severity::Error, format!("stdout starts with '{{' but is not valid JSON ({e}): Claude Code reports a hook error and ignores it")),
            _ => note(Severity::Error, "stdout is not a JSON object".into()),
        }
    } else if !out.is_empty() {
        if out.contains("{\"") {
            note(Severity::Error, "something is printed before the JSON answer (a shell profile's echo, a debug print?): Claude Code reads the whole stdout as plain text and ignores the JSON".into());
        } else if r.event == "WorktreeCreate" {
            if !out.starts_with('/') || out.lines().count() != 1 {
                note(
                    Severity::Error,
                    "WorktreeCreate must print one absolute path".into(),
                );
            } else {
                outcome = "worktree path".into();
            }
        } else if PLAIN_TO_CONTEXT.contains(&r.event) {
            outcome = "context".into();
            note(
                Severity::Info,
                format!(
                    "plain stdout ({} chars) is added to Claude's context",
                    out.chars().count()
                ),
            );
        } else if exit == 0 {
            note(
                Severity::Info,
                format!(
                    "plain stdout on {} goes only to the debug log and transcript, not to Claude",
                    r.event
                ),
            );
        }
    } else if r.event == "WorktreeCreate" && exit == 0 {
        note(
            Severity::Error,
            "WorktreeCreate printed nothing: creating the worktree fails".into(),
        );
    }
    if let Some(v) = &json {
        check_json(r.event, v, &mut note, &mut outcome);
    }
    match exit {
        0 => {}
        2 if blocks => {
            outcome = "block".into();
            if r.stderr.trim().is_empty() {
                note(Severity::Warning, "exit 2 with nothing on stderr: Claude reads \"No stderr output\" as the reason".into());
            }
            if matches!(r.event, "Stop" | "SubagentStop") && r.stop_hook_active {
                note(Severity::Error, "blocks again with stop_hook_active true: this hook keeps Claude from stopping until Claude Code's cap (8 blocks) ends the turn".into());
            }
        }
        2 => {
            outcome = "stderr to Claude".into();
            note(Severity::Info, format!("exit 2 on {}: stderr is shown, but nothing is blocked (the action already happened or cannot be blocked)", r.event));
        }
        code if json.is_some() => {
            note(
                Severity::Info,
                format!(
                    "exit {code} with a valid JSON answer: the JSON decides and no error is shown"
                ),
            );
        }
        code => {
            outcome = "error".into();
            let hint = if blocks {
                " If it meant to block, exit 2 (only 2 blocks)."
            } else {
                ""
            };
            note(Severity::Warning, format!(
                "exit {code}: a non-blocking error; Claude Code shows \"{} hook error\" and goes on.{hint}{}",
                r.event,
                match code {
                    126 => " (126: the script is not executable)",
                    127 => " (127: command not found — a PATH or path problem)",
                    _ => "",
                }
            ));
        }
    }
    if matches!(r.event, "Stop" | "SubagentStop")
        && r.stop_hook_active
        && json
            .as_ref()
            .and_then(|v| v.get("decision"))
            .and_then(Value::as_str)
            == Some("block")
    {
        note(
            Severity::Error,
            "answers decision \"block\" with stop_hook_active true: a stop loop".into(),
        );
    }
    Verdict {
        outcome,
        checks,
        json,
    }
}

fn check_json(
    event: &str,
    v: &Value,
    note: &mut dyn FnMut(Severity, String),
    outcome: &mut String,
) {
    const UNIVERSAL: &[&str] = &[
        "continue",
        "stopReason",
        "suppressOutput",
        "systemMessage",
        "decision",
        "reason",
        "terminalSequence",
        "hookSpecificOutput",
        "async",
        "asyncTimeout",
    ];
    let Some(obj) = v.as_object() else { return };
    for (k, val) in obj {
        if !UNIVERSAL.contains(&k.as_str()) {
            note(Severity::Warning, format!("`{k}` is not an output field: ignored (did you mean it inside hookSpecificOutput?)"));
        }
        let ok = match k.as_str() {
            "continue" | "suppressOutput" => val.is_boolean(),
            "stopReason" | "systemMessage" | "reason" | "terminalSequence" => val.is_string(),
            "hookSpecificOutput" => val.is_object(),
            _ => true,
        };
        if !ok {
            note(Severity::Error, format!("`{k}` has the wrong type ({val}): the answer fails Claude Code's output schema and is ignored"));
        }
    }
    if obj.get("continue") == Some(&Value::Bool(false)) {
        if matches!(event, "PostToolUseFailure" | "StopFailure") {
            note(
                Severity::Warning,
                format!("continue: false is not honoured on {event}"),
            );
        } else {
            *outcome = "stop".into();
        }
    }
    if let Some(d) = obj.get("decision") {
        match d.as_str() {
            Some("block") => *outcome = "block".into(),
            Some("approve") => *outcome = "allow".into(),
            _ => note(Severity::Error, format!("decision {d} is not \"approve\" or \"block\": Claude Code reports a hook error")),
        }
        if event == "PreToolUse" {
            note(Severity::Info, "top-level decision on PreToolUse is deprecated: use hookSpecificOutput.permissionDecision".into());
        }
        if matches!(event, "Stop" | "SubagentStop")
            && d.as_str() == Some("block")
            && obj
                .get("reason")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
        {
            note(
                Severity::Error,
                "decision \"block\" on Stop needs a reason (it is what Claude is told to do next)"
                    .into(),
            );
        }
    }
    if obj.contains_key("systemMessage") && outcome == "nothing" {
        *outcome = "message to the user".into();
    }
    let Some(hso) = obj.get("hookSpecificOutput").and_then(Value::as_object) else {
        return;
    };
    match hso.get("hookEventName").and_then(Value::as_str) {
        None => note(Severity::Error, format!("hookSpecificOutput without hookEventName: it must be \"{event}\"")),
        Some(n) if n != event => note(Severity::Error, format!("hookSpecificOutput.hookEventName is \"{n}\" but the event is {event}: Claude Code fails the hook (\"Hook returned incorrect event name\")")),
        _ => {}
    }
    let allowed = specific_fields(event);
    for k in hso.keys() {
        if !allowed.contains(&k.as_str()) {
            note(
                Severity::Warning,
                format!("hookSpecificOutput.{k} is not used on {event}: ignored"),
            );
        }
    }
    if hso.contains_key("additionalContext") && outcome == "nothing" {
        *outcome = "context".into();
    }
    if let Some(p) = hso
        .get("permissionDecision")
        .filter(|_| matches!(event, "PreToolUse" | "PreModelSwitch"))
    {
        match p.as_str() {
            Some(d @ ("allow" | "deny" | "ask" | "defer")) => *outcome = d.into(),
            _ => note(
                Severity::Error,
                format!("permissionDecision {p} is not allow, deny, ask or defer"),
            ),
        }
        if p.as_str() == Some("deny")
            && hso
                .get("permissionDecisionReason")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
        {
            note(
                Severity::Warning,
                "deny without permissionDecisionReason: Claude is not told why".into(),
            );
        }
    }
    if let Some(u) = hso.get("updatedInput") {
        if !u.is_object() {
            note(
                Severity::Error,
                "updatedInput must be an object (it replaces the whole tool input)".into(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run<'a>(event: &'a str, exit: Option<i32>, stdout: &'a str, stderr: &'a str) -> Verdict {
        judge(&Run {
            event,
            exit,
            stdout,
            stderr,
            millis: 5,
            timeout_s: 60.0,
            stop_hook_active: false,
        })
    }

    #[test]
    fn what_claude_code_makes_of_it() {
        assert_eq!(run("PreToolUse", Some(2), "", "no").outcome, "block");
        let v = run("PreToolUse", Some(1), "", "no");
        assert_eq!(v.outcome, "error");
        assert!(v.checks[0].message.contains("only 2 blocks"));
        let deny = r#"{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"deny","permissionDecisionReason":"x"}}"#;
        assert_eq!(run("PreToolUse", Some(0), deny, "").outcome, "deny");
        let wrong =
            r#"{"hookSpecificOutput":{"hookEventName":"PostToolUse","permissionDecision":"deny"}}"#;
        assert!(run("PreToolUse", Some(0), wrong, "")
            .checks
            .iter()
            .any(|c| c.message.contains("incorrect event name")));
        let two = "{\"a\":1}\n{\"b\":2}";
        assert!(run("PreToolUse", Some(0), two, "")
            .checks
            .iter()
            .any(|c| c.message.contains("more than one")));
        let profile = "Welcome!\n{\"decision\":\"block\"}";
        assert!(run("Stop", Some(0), profile, "")
            .checks
            .iter()
            .any(|c| c.message.contains("printed before")));
        assert!(run("PreToolUse", Some(0), "{nope", "").checks[0]
            .message
            .contains("not valid JSON"));
        assert_eq!(run("PreToolUse", None, "", "").outcome, "timeout");
        assert_eq!(
            run("UserPromptSubmit", Some(0), "use pnpm", "").outcome,
            "context"
        );
        assert_eq!(
            run("PostToolUse", Some(2), "", "x").outcome,
            "stderr to Claude"
        );
        let looped = judge(&Run {
            event: "Stop",
            exit: Some(2),
            stdout: "",
            stderr: "tests fail",
            millis: 5,
            timeout_s: 60.0,
            stop_hook_active: true,
        });
        assert!(looped.checks.iter().any(|c| c.severity == Severity::Error));
        assert!(run("WorktreeCreate", Some(0), "", "").checks[0]
            .message
            .contains("printed nothing"));
    }
}
