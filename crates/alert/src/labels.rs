//! The labels of an alert: what routes, silences and inhibition rules match
//! on, and what group keys and fingerprints are made of. Built from the same
//! facts whether they come from a stored event row (the worker) or from the
//! event the hook is holding (its wake-up decision).

use std::collections::BTreeMap;

pub type Labels = BTreeMap<String, String>;

/// What the store knows about one event, borrowed.
#[derive(Debug, Clone, Default)]
pub struct EventFacts<'a> {
    pub event: &'a str,
    pub session: Option<&'a str>,
    pub project: Option<&'a str>,
    pub tool: Option<&'a str>,
    pub mcp_server: Option<&'a str>,
    pub agent_id: Option<&'a str>,
    /// PostToolUseFailure error text or StopFailure error type.
    pub error: Option<&'a str>,
    pub class: Option<&'a str>,
    pub severity: Option<&'a str>,
    pub expected: Option<bool>,
    pub fingerprint: Option<&'a str>,
    pub command_head: Option<&'a str>,
    pub is_interrupt: Option<bool>,
    pub guard_decision: Option<&'a str>,
}

/// Every label an event can carry. Absent facts are absent labels, which
/// matchers treat as the empty string (as Alertmanager does).
pub fn of(f: &EventFacts) -> Labels {
    let mut l = Labels::new();
    let mut put = |k: &str, v: Option<&str>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            l.insert(k.to_string(), v.to_string());
        }
    };
    put("event", Some(f.event));
    put("session", f.session);
    put("project", f.project);
    put(
        "project_name",
        f.project
            .map(|p| p.trim_end_matches('/').rsplit('/').next().unwrap_or(p)),
    );
    put("tool", f.tool);
    put("mcp_server", f.mcp_server);
    put("agent", f.agent_id);
    put("class", f.class);
    put("command_head", f.command_head);
    put("guard", f.guard_decision);
    put("fingerprint", f.fingerprint);
    if f.event == "RecoveryGaveUp" {
        // hookwatch's own notice: resuming a session was given up.
        put("error_type", f.error);
        put("severity", Some("critical"));
        put("class", Some("needs_person"));
    } else if f.event == "StopFailure" {
        // The stored class (from the message too, for "unknown") wins over
        // the one the error type alone gives.
        let kind = f.error.unwrap_or("unknown");
        put("error_type", Some(kind));
        put(
            "severity",
            Some(f.severity.unwrap_or(stop_failure_severity(kind))),
        );
        put("class", Some(f.class.unwrap_or(stop_failure_class(kind))));
    } else {
        put("severity", f.severity);
    }
    if f.event == "PostToolUseFailure" || f.expected.is_some() {
        put(
            "expected",
            Some(if f.expected == Some(true) {
                "true"
            } else {
                "false"
            }),
        );
    }
    if f.is_interrupt == Some(true) {
        put("interrupted", Some("true"));
    }
    l
}

/// The severity of a StopFailure error type (crates/recover decides).
pub fn stop_failure_severity(error_type: &str) -> &'static str {
    hookwatch_recover::classify(error_type).severity()
}

/// The recovery classes (crates/recover): retryable, needs_person,
/// bad_request, output_limited, unknown.
pub fn stop_failure_class(error_type: &str) -> &'static str {
    hookwatch_recover::classify(error_type).as_str()
}

/// The identity used to deduplicate alerts: the failure fingerprint when the
/// event has one (same failure, same fingerprint, across sessions), else the
/// labels that name the condition (never raw text).
pub fn fingerprint(l: &Labels) -> String {
    if let Some(fp) = l.get("fingerprint") {
        return fp.clone();
    }
    let get = |k: &str| l.get(k).map(String::as_str).unwrap_or("");
    match get("event") {
        // A stuck session is its own condition: two unattended sessions
        // stopping on the same error are two alerts.
        "StopFailure" => format!(
            "stop:{}:{}:{}",
            get("error_type"),
            get("project"),
            get("session")
        ),
        "RecoveryGaveUp" => format!("gave-up:{}:{}", get("project"), get("session")),
        ev => format!("{ev}:{}:{}:{}", get("tool"), get("class"), get("project")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_failure_labels() {
        let l = of(&EventFacts {
            event: "StopFailure",
            session: Some("s1"),
            project: Some("/home/u/proj/"),
            error: Some("rate_limit"),
            ..Default::default()
        });
        assert_eq!(l["error_type"], "rate_limit");
        assert_eq!(l["severity"], "warning");
        assert_eq!(l["class"], "retryable");
        assert_eq!(l["project_name"], "proj");
        assert!(!l.contains_key("expected"));
        assert_eq!(fingerprint(&l), "stop:rate_limit:/home/u/proj/:s1");
    }

    #[test]
    fn tool_failure_labels() {
        let l = of(&EventFacts {
            event: "PostToolUseFailure",
            tool: Some("Bash"),
            expected: None,
            fingerprint: Some("fp1"),
            ..Default::default()
        });
        assert_eq!(l["expected"], "false");
        assert_eq!(fingerprint(&l), "fp1");
        assert_eq!(stop_failure_severity("authentication_failed"), "critical");
        assert_eq!(stop_failure_severity("something_new"), "error");
    }
}
