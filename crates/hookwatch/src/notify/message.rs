//! What an attention notification says: a title a person understands in a
//! preview, and the facts behind it, from the stored (scrubbed) events.

use super::{payload, Notifier};
use hookwatch_attention::config::{default_priority, parse_priority};
use hookwatch_attention::text::{excerpt, fill, project_name, session_name, strip_markdown};
use hookwatch_attention::{Kind, Trigger};
use hookwatch_sink::{Attention, Notification, Priority, Severity, Status};
use hookwatch_store::attention::TurnFacts;
use hookwatch_store::{EventRow, Store};
use serde_json::Value;

/// Characters of the main text: enough for a preview on a phone.
const MESSAGE_CHARS: usize = 400;

pub fn build(
    store: &Store,
    n: &Notifier,
    row: &EventRow,
    trigger: &Trigger,
    facts: Option<TurnFacts>,
    now_us: i64,
) -> Notification {
    let kind = trigger.kind;
    let p = payload(row);
    let project_path = row.project.as_deref().or(row.cwd.as_deref());
    let project = project_path.map(project_name).unwrap_or("unknown project");
    let name = row.session_id.as_deref().map(|s| {
        store
            .first_prompt(s)
            .ok()
            .flatten()
            .and_then(|prompt| session_name(&prompt))
            .unwrap_or_else(|| s.chars().take(8).collect())
    });
    let branch = row.cwd.as_deref().and_then(git_branch);
    let kc = n.config.kind(kind);
    let priority = match parse_priority(kc.priority.as_deref().unwrap_or(default_priority(kind))) {
        Ok("low") => Priority::Low,
        Ok("high") => Priority::High,
        Ok("urgent") => Priority::Urgent,
        _ => Priority::Default,
    };
    let mut alerts = Vec::new();
    let message = match kind {
        Kind::Done => p
            .get("last_assistant_message")
            .and_then(Value::as_str)
            .map(|m| excerpt(&strip_markdown(m), MESSAGE_CHARS)),
        Kind::NeedsYou if trigger.cause == "AskUserQuestion" => question(&p),
        Kind::NeedsYou if trigger.cause == "ExitPlanMode" => p
            .pointer("/tool_input/plan")
            .and_then(Value::as_str)
            .map(|m| excerpt(&strip_markdown(m), MESSAGE_CHARS)),
        Kind::Failed => {
            let labels = crate::alerting::labels_of(row);
            let mut item = crate::alerting::notification::item(row, &labels);
            if row.event == "StopFailure" {
                let summary = crate::recover::diagnosis::of(store, row).summary();
                item.error = Some(match item.error.take() {
                    Some(e) => format!("{e}\n\n{summary}"),
                    None => summary,
                });
            }
            let m = item.error.as_deref().map(|e| excerpt(e, MESSAGE_CHARS));
            alerts.push(item);
            m
        }
        _ => p
            .get("message")
            .and_then(Value::as_str)
            .map(|m| excerpt(&strip_markdown(m), MESSAGE_CHARS)),
    };
    let error_type = row.error.as_deref().unwrap_or("API error");
    let default_title = match (kind, trigger.cause.as_str()) {
        (Kind::Done, _) => "Claude is done in {project}".to_string(),
        (Kind::NeedsYou, "permission_prompt") => "Claude needs your permission in {project}".into(),
        (Kind::NeedsYou, "AskUserQuestion") => "Claude has a question in {project}".into(),
        (Kind::NeedsYou, "ExitPlanMode") => {
            "Claude has a plan for you to review in {project}".into()
        }
        (Kind::NeedsYou, "elicitation_dialog" | "elicitation_url_dialog") => {
            "An MCP server needs your input in {project}".into()
        }
        (Kind::NeedsYou, "agent_needs_input") => "An agent needs your input in {project}".into(),
        (Kind::NeedsYou, "worker_permission_prompt") => {
            "A worker needs your permission in {project}".into()
        }
        (Kind::NeedsYou, _) => "Claude needs you in {project} ({cause})".into(),
        (Kind::Idle, _) => "Claude is waiting for your input in {project}".into(),
        (Kind::Failed, "RecoveryGaveUp") => {
            format!("hookwatch gave up resuming a session in {{project}} ({error_type})")
        }
        (Kind::Failed, _) => format!("Claude Code stopped in {{project}}: {error_type}"),
    };
    let template = kc.title.clone().unwrap_or(default_title);
    let title = fill(
        &template,
        &[
            ("project", project),
            ("session", name.as_deref().unwrap_or("")),
            ("branch", branch.as_deref().unwrap_or("")),
            ("cause", &trigger.cause),
        ],
    );
    let scrub = |s: String| hookwatch_scrub::scrub_str(&s).into_owned();
    let mut labels = std::collections::BTreeMap::new();
    labels.insert("kind".to_string(), kind.as_str().to_string());
    labels.insert("cause".to_string(), trigger.cause.clone());
    labels.insert("project".to_string(), project.to_string());
    Notification {
        status: Status::Firing,
        title: scrub(title),
        severity: match kind {
            Kind::Done | Kind::Idle => Severity::Info,
            Kind::NeedsYou => Severity::Warning,
            Kind::Failed => alerts
                .first()
                .map(|a| a.severity)
                .unwrap_or(Severity::Error),
        },
        created_us: now_us,
        route: format!("notify.{kind}"),
        project: project_path.map(str::to_string),
        session: row.session_id.clone(),
        labels,
        alerts,
        attention: Some(Attention {
            kind: kind.as_str().into(),
            cause: trigger.cause.clone(),
            session_name: name.map(scrub),
            branch: branch.map(scrub),
            message: message.map(scrub),
            turn_ms: facts
                .and_then(|f| f.start_us)
                .map(|s| (row.time_us - s) / 1000),
            tool_calls: facts.map(|f| f.tool_calls),
            files_written: facts.map(|f| f.files_written),
            failures: facts.map(|f| f.failures),
            priority,
            sound: kc.sound.clone(),
        }),
        ..Notification::default()
    }
}

/// AskUserQuestion's questions and their options: "Which database?
/// (Postgres / SQLite)".
fn question(p: &Value) -> Option<String> {
    let qs = p.pointer("/tool_input/questions")?.as_array()?;
    let text: Vec<String> = qs
        .iter()
        .filter_map(|q| {
            let text = q.get("question").and_then(Value::as_str)?;
            let options: Vec<&str> = q
                .get("options")
                .and_then(Value::as_array)
                .map(|o| {
                    o.iter()
                        .filter_map(|o| o.get("label").and_then(Value::as_str))
                        .collect()
                })
                .unwrap_or_default();
            Some(if options.is_empty() {
                text.to_string()
            } else {
                format!("{text} ({})", options.join(" / "))
            })
        })
        .collect();
    (!text.is_empty()).then(|| excerpt(&text.join("\n"), MESSAGE_CHARS))
}

/// The branch checked out at `dir` (or above it), read from `.git/HEAD`
/// (worktrees: the `gitdir:` a `.git` file points to). None when detached
/// or not a repository.
pub fn git_branch(dir: &str) -> Option<String> {
    let mut d = std::path::Path::new(dir);
    loop {
        let git = d.join(".git");
        let head_dir = if git.is_dir() {
            Some(git)
        } else if git.is_file() {
            std::fs::read_to_string(&git)
                .ok()
                .and_then(|s| s.trim().strip_prefix("gitdir:").map(|p| d.join(p.trim())))
        } else {
            None
        };
        if let Some(h) = head_dir {
            let head = std::fs::read_to_string(h.join("HEAD")).ok()?;
            return head
                .trim()
                .strip_prefix("ref: refs/heads/")
                .map(str::to_string);
        }
        d = d.parent()?;
    }
}
