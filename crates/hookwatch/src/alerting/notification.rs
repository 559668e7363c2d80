//! What a notification says: built from the stored (scrubbed) events of its
//! alerts. Alerts with the same fingerprint fold into one item with a
//! count; the item keeps the newest occurrence's details.

use hookwatch_sink::{AlertItem, Notification, Severity, Status};
use hookwatch_store::outbox::AlertRow;
use hookwatch_store::{EventRow, Store};
use serde_json::Value;

const COMMAND_CHARS: usize = 300;
const ERROR_CHARS: usize = 1000;

pub fn severity(s: Option<&str>) -> Severity {
    match s {
        Some("critical") => Severity::Critical,
        Some("warning") => Severity::Warning,
        Some("info") => Severity::Info,
        _ => Severity::Error,
    }
}

fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let mut out: String = s.chars().take(n).collect();
    out.push('…');
    out
}

/// The tool's main argument: a Bash command, a file, a URL, an MCP call's
/// first string argument.
fn command_of(payload: &Value) -> Option<String> {
    let input = payload.get("tool_input")?;
    for k in [
        "command",
        "file_path",
        "notebook_path",
        "url",
        "pattern",
        "query",
        "path",
    ] {
        if let Some(v) = input.get(k).and_then(Value::as_str) {
            return Some(cut(v, COMMAND_CHARS));
        }
    }
    input
        .as_object()?
        .values()
        .find_map(Value::as_str)
        .map(|v| cut(v, COMMAND_CHARS))
}

pub fn item(row: &EventRow, labels: &hookwatch_alert::Labels) -> AlertItem {
    let payload: Value = row
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or(Value::Null);
    let (error, error_type) = if row.event == "RecoveryGaveUp" {
        let reason = payload.get("reason").and_then(Value::as_str).unwrap_or("");
        let msg = payload
            .get("last_assistant_message")
            .and_then(Value::as_str)
            .unwrap_or("");
        (
            Some(cut(&format!("{reason}. Last error: {msg}"), ERROR_CHARS)),
            row.error.clone(),
        )
    } else if row.event == "StopFailure" {
        let details = ["error_details", "last_assistant_message"]
            .iter()
            .find_map(|k| {
                payload
                    .get(*k)
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
            })
            .map(|s| cut(s, ERROR_CHARS));
        (details, row.error.clone())
    } else {
        (row.error.as_deref().map(|e| cut(e, ERROR_CHARS)), None)
    };
    AlertItem {
        event_id: row.id,
        time_us: row.time_us,
        event: row.event.clone(),
        tool: row.tool_name.clone(),
        mcp_server: row.mcp_server.clone(),
        command: command_of(&payload),
        error,
        error_type,
        class: labels.get("class").cloned(),
        severity: severity(labels.get("severity").map(String::as_str)),
        fingerprint: labels.get("fingerprint").cloned(),
        count: 1,
        labels: labels.clone(),
    }
}

/// Build the notification for `alerts` (one target, one group), folding
/// repeats of a fingerprint. Alerts whose event has gone (deleted) are left
/// out of the text but still counted.
pub fn build(
    store: &Store,
    alerts: &[&AlertRow],
    group_labels: &hookwatch_alert::Labels,
    route: &str,
    max_items: usize,
    now_us: i64,
) -> Notification {
    let mut items: Vec<AlertItem> = Vec::new();
    for a in alerts {
        let labels: hookwatch_alert::Labels = serde_json::from_str(&a.labels).unwrap_or_default();
        let Ok(Some(row)) = store.event(a.event_id) else {
            continue;
        };
        let mut new = item(&row, &labels);
        if row.event == "StopFailure" {
            // What the session was doing and how often the API failed: the
            // diagnostic record's summary (`hookwatch show` has it all).
            let summary = crate::recover::diagnosis::of(store, &row).summary();
            new.error = Some(match new.error.take() {
                Some(e) => format!("{e}\n\n{summary}"),
                None => summary,
            });
        }
        match items
            .iter_mut()
            .find(|i| hookwatch_alert::labels::fingerprint(&i.labels) == a.fingerprint)
        {
            Some(existing) => {
                let count = existing.count + 1;
                if new.time_us >= existing.time_us {
                    *existing = new;
                }
                existing.count = count;
            }
            None => items.push(new),
        }
    }
    items.sort_by_key(|i| i.time_us);
    let omitted = items.len().saturating_sub(max_items) as u64;
    if omitted > 0 {
        // Keep the newest.
        items.drain(..omitted as usize);
    }
    let first = items.first();
    let project = group_labels
        .get("project")
        .cloned()
        .or_else(|| first.and_then(|i| i.labels.get("project").cloned()));
    let session = group_labels
        .get("session")
        .cloned()
        .or_else(|| first.and_then(|i| i.labels.get("session").cloned()));
    let mut n = Notification {
        status: Status::Firing,
        severity: items.iter().map(|i| i.severity).max().unwrap_or_default(),
        created_us: now_us,
        route: route.to_string(),
        project,
        session,
        labels: group_labels.clone(),
        omitted,
        ..Notification::default()
    };
    n.alerts = items;
    n.title = title(&n);
    n
}

fn project_name(n: &Notification) -> String {
    n.project
        .as_deref()
        .map(|p| {
            p.trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(p)
                .to_string()
        })
        .unwrap_or_else(|| "unknown project".into())
}

/// One line a person understands in a notification preview.
pub fn title(n: &Notification) -> String {
    let project = project_name(n);
    let total: u64 = n.alerts.iter().map(|a| a.count).sum::<u64>() + n.omitted;
    match n.alerts.as_slice() {
        [] => format!("hookwatch: alerts in {project}"),
        [a] if a.event == "RecoveryGaveUp" => format!(
            "hookwatch gave up resuming a session in {project} ({})",
            a.error_type.as_deref().unwrap_or("API error")
        ),
        [a] if a.event == "StopFailure" => format!(
            "Claude Code stopped in {project}: {}",
            a.error_type.as_deref().unwrap_or("API error")
        ),
        [a] => {
            let what = a.tool.as_deref().unwrap_or(&a.event);
            let times = if a.count > 1 {
                format!(" {}×", a.count)
            } else {
                String::new()
            };
            let head = a
                .labels
                .get("command_head")
                .or(a.class.as_ref())
                .map(|h| format!(": {h}"))
                .unwrap_or_default();
            let class = a
                .class
                .as_deref()
                .map(|c| format!(" ({c})"))
                .unwrap_or_default();
            format!("{what} failed{times} in {project}{head}{class}")
        }
        many => {
            let stops = many.iter().filter(|a| a.event == "StopFailure").count();
            let extra = if stops > 0 {
                format!(
                    ", Claude Code stopped ({})",
                    many.iter()
                        .filter_map(|a| a.error_type.as_deref())
                        .next()
                        .unwrap_or("API error")
                )
            } else {
                String::new()
            };
            format!("{total} failures in {project}{extra}")
        }
    }
}

pub fn resolved_title(n: &Notification) -> String {
    format!("Resolved: {} (the session completed a turn since)", n.title)
}
