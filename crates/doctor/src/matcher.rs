//! Claude Code's matcher rules (claude-code-hooks.md §6): absent, `""` or
//! `"*"` match everything; a matcher of only letters, digits, `_` and `|`
//! (newer builds also `,`, `-` and space) is an exact name or a list of
//! them; anything else is an unanchored JavaScript regex, and an invalid
//! one makes Claude Code skip the hook.

/// Tools of Claude Code 2.1.330 (seen in its tool list and deferred tools).
pub const TOOLS: &[&str] = &[
    "Agent",
    "AskUserQuestion",
    "Bash",
    "BashOutput",
    "CronCreate",
    "CronDelete",
    "CronList",
    "Edit",
    "EnterPlanMode",
    "EnterWorktree",
    "ExitPlanMode",
    "ExitWorktree",
    "Glob",
    "Grep",
    "KillShell",
    "LS",
    "ListAgents",
    "Monitor",
    "MultiEdit",
    "NotebookEdit",
    "NotebookRead",
    "Read",
    "ReportFindings",
    "ScheduleWakeup",
    "SendMessage",
    "Skill",
    "SlashCommand",
    "Task",
    "TaskOutput",
    "TaskStop",
    "TodoRead",
    "TodoWrite",
    "ToolSearch",
    "WebFetch",
    "WebSearch",
    "Workflow",
    "Write",
];

#[derive(Debug, Clone)]
pub enum Matcher {
    All,
    /// Exact names.
    Names(Vec<String>),
    Regex(regex_lite::Regex),
    /// Not a valid regex: the hook is skipped.
    Invalid(String),
}

pub fn parse(m: Option<&str>) -> Matcher {
    let Some(m) = m else { return Matcher::All };
    if m.is_empty() || m == "*" {
        return Matcher::All;
    }
    let exact = m
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'|' | b',' | b'-' | b' '));
    if exact {
        return Matcher::Names(
            m.split(['|', ','])
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
        );
    }
    match regex_lite::Regex::new(m) {
        Ok(r) => Matcher::Regex(r),
        Err(e) => Matcher::Invalid(e.to_string().lines().last().unwrap_or("").to_string()),
    }
}

impl Matcher {
    pub fn matches(&self, value: &str) -> bool {
        match self {
            Matcher::All => true,
            Matcher::Names(n) => n.iter().any(|x| x == value),
            Matcher::Regex(r) => r.is_match(value),
            Matcher::Invalid(_) => false,
        }
    }
}

/// A tool name Claude Code can call: a built-in, or an MCP tool
/// (`mcp__<server>__<tool>`, plugin servers `mcp__plugin_<plugin>_<server>__<tool>`).
pub fn is_tool_name(name: &str) -> bool {
    TOOLS.contains(&name) || mcp_parts(name).is_some()
}

/// `mcp__server__tool` → (server, tool).
pub fn mcp_parts(name: &str) -> Option<(&str, &str)> {
    let rest = name.strip_prefix("mcp__")?;
    let (server, tool) = rest.split_once("__")?;
    (!server.is_empty() && !tool.is_empty()).then_some((server, tool))
}

/// Values Claude Code compares non-tool matchers with, where the set is
/// closed (2.1.330).
pub fn closed_values(event: &str) -> Option<&'static [&'static str]> {
    Some(match event {
        "SessionStart" => &["startup", "resume", "clear", "compact", "fork"],
        "SessionEnd" => &["clear", "resume", "logout", "prompt_input_exit", "other"],
        "PreCompact" | "PostCompact" => &["manual", "auto"],
        "Setup" => &["init", "maintenance"],
        "ConfigChange" => &[
            "user_settings",
            "project_settings",
            "local_settings",
            "policy_settings",
            "skills",
        ],
        "StopFailure" => hookwatch_event::STOP_FAILURE_ERRORS,
        "Notification" => hookwatch_event::NOTIFICATION_TYPES,
        "InstructionsLoaded" => &[
            "session_start",
            "nested_traversal",
            "path_glob_match",
            "include",
            "compact",
        ],
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claude_codes_rules() {
        assert!(parse(None).matches("Bash"));
        assert!(parse(Some("*")).matches("x"));
        assert!(parse(Some("Write|Edit")).matches("Edit"));
        assert!(
            !parse(Some("Write|Edit")).matches("MultiEdit"),
            "exact, not a regex"
        );
        assert!(
            !parse(Some("mcp__memory")).matches("mcp__memory__create"),
            "exact name"
        );
        assert!(parse(Some("mcp__memory__.*")).matches("mcp__memory__create"));
        assert!(
            parse(Some("Edit.*")).matches("NotebookEdit"),
            "regexes are unanchored"
        );
        assert!(matches!(parse(Some("Bash(")), Matcher::Invalid(_)));
        assert_eq!(mcp_parts("mcp__plugin_p_s__t"), Some(("plugin_p_s", "t")));
        assert!(is_tool_name("Bash") && !is_tool_name("bash") && !is_tool_name("mcp__x"));
    }
}
