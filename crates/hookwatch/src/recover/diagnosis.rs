//! The diagnostic record of a StopFailure: what failed, what the session
//! was doing, how often the API failed lately, and what recovery did.
//! Built from the store when asked (`hookwatch show`, alerts), so it is
//! never stale and costs the hook nothing.

use hookwatch_store::{EventRow, Store};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct ToolCall {
    pub event_id: i64,
    pub tool: String,
    pub what: Option<String>,
    pub failed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Diagnosis {
    pub error_type: String,
    pub kind: String,
    pub project: Option<String>,
    pub session: Option<String>,
    pub prompt_id: Option<String>,
    pub time_us: i64,
    pub message: Option<String>,
    /// A reset time or retry delay found in the message.
    pub hint: Option<String>,
    /// The session's last tool calls before the failure, newest first.
    pub last_tools: Vec<ToolCall>,
    pub tool_failures_in_session: usize,
    pub api_failures_session_last_hour: i64,
    pub api_failures_machine_last_hour: i64,
    /// What recovery decided (state and outcome), if it looked at it.
    pub recovery: Option<String>,
}

pub fn of(store: &Store, row: &EventRow) -> Diagnosis {
    let error_type = row.error.clone().unwrap_or_else(|| "unknown".into());
    let texts = super::texts(row);
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let kind = hookwatch_recover::classify_text(&error_type, &refs);
    let hint = hookwatch_recover::parse_hint(&refs, row.time_us / 1_000_000).map(|h| {
        format!(
            "{} ({:?})",
            crate::timefmt::rfc3339(h.reset_at_unix_s * 1_000_000),
            h.source
        )
    });
    let mut last_tools = Vec::new();
    let mut tool_failures = 0;
    if let Some(s) = &row.session_id {
        for e in store
            .session_events_before(s, row.time_us, 400)
            .unwrap_or_default()
        {
            let failed = e.event == "PostToolUseFailure";
            if failed {
                tool_failures += 1;
            }
            if (failed || e.event == "PostToolUse") && last_tools.len() < 8 {
                last_tools.push(ToolCall {
                    event_id: e.id,
                    tool: e.tool_name.clone().unwrap_or_default(),
                    what: e.command_head.clone().or_else(|| {
                        super::payload_str(&e, "tool_input").or_else(|| {
                            e.payload
                                .as_deref()
                                .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
                                .and_then(|v| {
                                    v["tool_input"]["command"]
                                        .as_str()
                                        .or(v["tool_input"]["file_path"].as_str())
                                        .map(|s| s.chars().take(80).collect())
                                })
                        })
                    }),
                    failed,
                });
            }
        }
    }
    let hour = 3_600_000_000;
    let session_fails = row
        .session_id
        .as_deref()
        .map(|s| {
            store
                .count_stop_failures(Some(s), row.time_us - hour, row.time_us)
                .unwrap_or(0)
        })
        .unwrap_or(0);
    let recovery = row.session_id.as_deref().and_then(|_| {
        store
            .jobs(None, 100_000)
            .ok()?
            .into_iter()
            .rev()
            .find(|j| j.event_id == row.id)
            .map(|j| {
                format!(
                    "{} (job {}{}){}",
                    j.state,
                    j.id,
                    if j.attempt > 0 {
                        format!(", attempt {}", j.attempt)
                    } else {
                        String::new()
                    },
                    j.outcome
                        .or(j.wait)
                        .map(|o| format!(": {o}"))
                        .unwrap_or_default()
                )
            })
    });
    Diagnosis {
        error_type,
        kind: kind.as_str().into(),
        project: row.project.clone().or(row.cwd.clone()),
        session: row.session_id.clone(),
        prompt_id: super::payload_str(row, "prompt_id"),
        time_us: row.time_us,
        message: texts.last().cloned(),
        hint,
        last_tools,
        tool_failures_in_session: tool_failures,
        api_failures_session_last_hour: session_fails,
        api_failures_machine_last_hour: store
            .count_stop_failures(None, row.time_us - hour, row.time_us)
            .unwrap_or(0),
        recovery,
    }
}

impl Diagnosis {
    /// One paragraph for alerts.
    pub fn summary(&self) -> String {
        let tools = if self.last_tools.is_empty() {
            "no tool calls before it".to_string()
        } else {
            let list: Vec<String> = self
                .last_tools
                .iter()
                .take(3)
                .map(|t| {
                    format!(
                        "{}{}{}",
                        t.tool,
                        t.what
                            .as_deref()
                            .map(|w| format!(" `{w}`"))
                            .unwrap_or_default(),
                        if t.failed { " (failed)" } else { "" }
                    )
                })
                .collect();
            format!("last tool calls: {}", list.join(", "))
        };
        format!(
            "{} ({}). {}; {} tool failure(s) in the session. API failures in the last hour: {} in this session, {} on this machine.{}{}",
            self.error_type,
            self.kind.replace('_', " "),
            tools,
            self.tool_failures_in_session,
            self.api_failures_session_last_hour,
            self.api_failures_machine_last_hour,
            self.hint.as_deref().map(|h| format!(" Reset: {h}.")).unwrap_or_default(),
            self.recovery.as_deref().map(|r| format!(" Recovery: {r}.")).unwrap_or_default(),
        )
    }
}
