//! Which events need a person, and how urgently. Notification types come
//! from Claude Code 2.1.330's own list (../shared/reference/claude-code-hooks.md
//! §3); each is mapped to a kind or deliberately ignored, and the table is
//! printed by `hookwatch notify types` and docs/notify.md.

use serde::{Deserialize, Serialize};

/// The kinds of attention, each switched on or off with its own targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A main session finished a turn (Stop).
    Done,
    /// Claude waits for a person: a permission prompt, a question, a plan.
    NeedsYou,
    /// Claude has waited for input for a while (Notification idle_prompt).
    Idle,
    /// StopFailure and recovery giving up: today's alerts, for people.
    Failed,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Done, Kind::NeedsYou, Kind::Idle, Kind::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Done => "done",
            Kind::NeedsYou => "needs_you",
            Kind::Idle => "idle",
            Kind::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.as_str().replace('_', "-") == s)
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every Notification type of Claude Code 2.1.330: the kind it becomes, or
/// None and why it is ignored.
pub const NOTIFICATION_TYPES: &[(&str, Option<Kind>, &str)] = &[
    (
        "permission_prompt",
        Some(Kind::NeedsYou),
        "Claude asks permission to use a tool",
    ),
    (
        "elicitation_dialog",
        Some(Kind::NeedsYou),
        "an MCP server asks the person for input (form)",
    ),
    (
        "elicitation_url_dialog",
        Some(Kind::NeedsYou),
        "an MCP server asks the person to open a URL",
    ),
    (
        "agent_needs_input",
        Some(Kind::NeedsYou),
        "a background agent waits for input",
    ),
    (
        "worker_permission_prompt",
        Some(Kind::NeedsYou),
        "a worker (teammate) asks permission",
    ),
    (
        "idle_prompt",
        Some(Kind::Idle),
        "the prompt has waited for input for a while",
    ),
    (
        "agent_completed",
        None,
        "a background agent finished: its parent's Stop says \"done\" once, for the whole turn",
    ),
    (
        "auth_success",
        None,
        "login succeeded while the person is at the terminal",
    ),
    (
        "elicitation_complete",
        None,
        "the person just answered the dialog",
    ),
    (
        "elicitation_response",
        None,
        "the person just answered the dialog",
    ),
    (
        "push_notification",
        None,
        "Claude Code's own push notification: it reaches the person already",
    ),
    (
        "computer_use_enter",
        None,
        "status of a computer-use session, not a request",
    ),
    (
        "computer_use_exit",
        None,
        "status of a computer-use session, not a request",
    ),
    (
        "quota_auto_resume_fired",
        None,
        "Claude Code resumed the session itself; recorded, and recovery leaves the session alone",
    ),
    (
        "quota_auto_resume_stale",
        None,
        "Claude Code's own auto-resume expired; StopFailure alerts cover the stop",
    ),
    (
        "quota_auto_resume_disabled",
        None,
        "Claude Code's own auto-resume is off; StopFailure alerts cover the stop",
    ),
    (
        "model_refusal_fallback",
        None,
        "Claude Code switched model and went on: informational",
    ),
    (
        "auth_storage_failure",
        None,
        "shown in the terminal; a failed request follows as StopFailure (failed)",
    ),
    (
        "plugin_notification",
        None,
        "a plugin's own message: plugins notify through their own channel",
    ),
];

/// What made an event worth a person's attention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trigger {
    pub kind: Kind,
    /// `Stop`, the Notification type, the tool name, `StopFailure`, ...
    pub cause: String,
}

/// The facts of an event that decide its kind (all from the stored row).
#[derive(Debug, Clone, Copy, Default)]
pub struct EventFacts<'a> {
    pub event: &'a str,
    pub notification_type: Option<&'a str>,
    pub tool: Option<&'a str>,
    /// Set inside a subagent: its Stop is SubagentStop, but a Notification
    /// or PreToolUse from a subagent still needs the person.
    pub agent_id: Option<&'a str>,
}

/// The kind of an event, or None. Unknown Notification types (a newer
/// Claude Code) become `needs_you` unless listed in `ignore_types`: a new
/// prompt that reaches the person late costs more than one notification
/// too many, and the type is in the message so it can be switched off.
pub fn classify(e: &EventFacts<'_>, ignore_types: &[String]) -> Option<Trigger> {
    let trigger = |kind: Kind, cause: &str| {
        Some(Trigger {
            kind,
            cause: cause.to_string(),
        })
    };
    match e.event {
        "Stop" if e.agent_id.is_none() => trigger(Kind::Done, "Stop"),
        "StopFailure" if e.agent_id.is_none() => trigger(Kind::Failed, "StopFailure"),
        "RecoveryGaveUp" => trigger(Kind::Failed, "RecoveryGaveUp"),
        "PreToolUse" => match e.tool {
            Some(t @ ("AskUserQuestion" | "ExitPlanMode")) => trigger(Kind::NeedsYou, t),
            _ => None,
        },
        "Notification" => {
            let t = e.notification_type.unwrap_or("");
            if ignore_types.iter().any(|i| i == t) {
                return None;
            }
            match NOTIFICATION_TYPES.iter().find(|(name, _, _)| *name == t) {
                Some((_, Some(kind), _)) => trigger(*kind, t),
                Some((_, None, _)) => None,
                None if t.is_empty() => trigger(Kind::NeedsYou, "notification"),
                None => trigger(Kind::NeedsYou, t),
            }
        }
        _ => None,
    }
}

/// Can this event become an attention notification at all? The hook's
/// wake-up test: names only, no lookups.
pub fn may_need_worker(event: &str, tool: Option<&str>) -> bool {
    match event {
        "Notification" | "Stop" | "StopFailure" => true,
        "PreToolUse" => matches!(tool, Some("AskUserQuestion" | "ExitPlanMode")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(t: &str) -> Option<Kind> {
        classify(
            &EventFacts {
                event: "Notification",
                notification_type: Some(t),
                ..Default::default()
            },
            &[],
        )
        .map(|t| t.kind)
    }

    #[test]
    fn every_2_1_330_type_is_in_the_table_once() {
        let types = hookwatch_event::NOTIFICATION_TYPES;
        assert_eq!(NOTIFICATION_TYPES.len(), types.len());
        for t in types.iter().copied() {
            assert_eq!(
                NOTIFICATION_TYPES
                    .iter()
                    .filter(|(n, _, _)| *n == t)
                    .count(),
                1,
                "{t}"
            );
        }
    }

    #[test]
    fn kinds() {
        assert_eq!(n("permission_prompt"), Some(Kind::NeedsYou));
        assert_eq!(n("idle_prompt"), Some(Kind::Idle));
        assert_eq!(n("auth_success"), None);
        assert_eq!(n("brand_new_type"), Some(Kind::NeedsYou));
        let ignored = classify(
            &EventFacts {
                event: "Notification",
                notification_type: Some("brand_new_type"),
                ..Default::default()
            },
            &["brand_new_type".to_string()],
        );
        assert_eq!(ignored, None);
        let sub = EventFacts {
            event: "Stop",
            agent_id: Some("a1"),
            ..Default::default()
        };
        assert_eq!(classify(&sub, &[]), None);
        let sub = EventFacts {
            event: "SubagentStop",
            ..Default::default()
        };
        assert_eq!(classify(&sub, &[]), None);
        let ask = EventFacts {
            event: "PreToolUse",
            tool: Some("AskUserQuestion"),
            agent_id: Some("a1"),
            ..Default::default()
        };
        assert_eq!(classify(&ask, &[]).unwrap().kind, Kind::NeedsYou);
        assert!(may_need_worker("PreToolUse", Some("ExitPlanMode")));
        assert!(!may_need_worker("PreToolUse", Some("Bash")));
        assert_eq!(Kind::parse("needs-you"), Some(Kind::NeedsYou));
    }
}
