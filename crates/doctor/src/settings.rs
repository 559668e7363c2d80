//! One settings file (or plugin hooks.json): its hooks, checked against
//! the 2.1.330 schema and contract. A schema failure is the worst finding:
//! Claude Code drops every hook of a file with one invalid entry, silently
//! under `-p` (anthropics/claude-code#75081).

use crate::json::{parse, Json, Node};
use crate::matcher::{self, Matcher};
use crate::{finding, Env, Finding, Hook, Layer, Report, Severity};
use hookwatch_event::EVENTS;
use std::path::Path;

pub struct FileCheck {
    pub hooks: Vec<Hook>,
    pub findings: Vec<Finding>,
    pub managed_only: bool,
}

const DROPS_ALL: &str = "Claude Code drops every hook of this file when one entry fails its schema (silently under `claude -p`; anthropics/claude-code#75081)";

const HANDLER_KEYS: &[&str] = &[
    "type",
    "if",
    "timeout",
    "statusMessage",
    "once",
    "command",
    "args",
    "shell",
    "onFailure",
    "async",
    "asyncRewake",
    "url",
    "headers",
    "allowedEnvVars",
    "prompt",
    "model",
    "continueOnBlock",
    "server",
    "tool",
    "input",
];

fn is_tool_event(event: &str) -> bool {
    matches!(
        event,
        "PreToolUse"
            | "PostToolUse"
            | "PostToolUseFailure"
            | "PermissionRequest"
            | "PermissionDenied"
    )
}

pub fn check_file(
    path: &Path,
    text: &str,
    layer: Layer,
    read_by_claude: bool,
    env: &Env,
) -> FileCheck {
    let mut out = FileCheck {
        hooks: Vec::new(),
        findings: Vec::new(),
        managed_only: false,
    };
    macro_rules! push {
        ($f:expr) => {
            out.findings.push($f)
        };
    }
    let root = match parse(text) {
        Ok(r) => r,
        Err(e) => {
            if read_by_claude {
                push!(finding(
                    "invalid-json",
                    Severity::Error,
                    path,
                    Some(e.line),
                    format!("not valid JSON at line {}, column {}: {}; Claude Code ignores the whole file", e.line, e.column, e.msg),
                    "fix the JSON there (`python3 -m json.tool FILE` shows the same place)",
                ));
            }
            return out;
        }
    };
    let Some(obj) = root.as_obj() else {
        push!(finding(
            "schema-invalid",
            Severity::Error,
            path,
            Some(root.line),
            format!("the file holds {}, not an object", root.type_name()),
            "settings are one JSON object: {\"hooks\": {…}}"
        ));
        return out;
    };
    let event_keys: Vec<&(String, Node)> = obj
        .iter()
        .filter(|(k, _)| EVENTS.iter().any(|e| e.name == k))
        .collect();
    if !read_by_claude {
        if root.get("hooks").is_some() || !event_keys.is_empty() {
            push!(finding(
                "unread-file",
                Severity::Warning,
                path,
                Some(root.get("hooks").map_or(root.line, |h| h.line)),
                "has hooks, but Claude Code never reads this file: they never run".into(),
                "move them to .claude/settings.json (shared), .claude/settings.local.json (yours) or ~/.claude/settings.json (every project)",
            ));
        }
        return out;
    }
    for (k, v) in &event_keys {
        let _ = k;
        push!(finding(
            if layer == Layer::Plugin { "plugin-hooks-missing-key" } else { "hooks-outside-hooks-key" },
            Severity::Error,
            path,
            Some(v.line),
            format!("`{k}` is at the top level of the file: Claude Code reads hooks only under \"hooks\""),
            "wrap the events: {\"hooks\": {\"PreToolUse\": […]}}",
        ));
    }
    if obj.iter().filter(|(k, _)| k == "hooks").count() > 1 {
        push!(finding(
            "duplicate-key",
            Severity::Warning,
            path,
            root.get("hooks").map(|h| h.line),
            "\"hooks\" appears twice: only the last one counts".into(),
            "merge them into one \"hooks\" object"
        ));
    }
    if root.get("disableAllHooks").and_then(Node::as_bool) == Some(true) {
        let (sev, msg) = if layer == Layer::Managed {
            (
                Severity::Error,
                "disableAllHooks is true in managed settings: no hook runs at all".to_string(),
            )
        } else {
            (Severity::Error, "disableAllHooks is true: every hook of user, project and local settings is off (managed hooks still run)".to_string())
        };
        push!(finding(
            "hooks-disabled",
            sev,
            path,
            root.get("disableAllHooks").map(|n| n.line),
            msg,
            "remove disableAllHooks, or set it to false"
        ));
    }
    if root.get("allowManagedHooksOnly").and_then(Node::as_bool) == Some(true) {
        if layer == Layer::Managed {
            out.managed_only = true;
        } else {
            push!(finding(
                "managed-only-outside-managed",
                Severity::Info,
                path,
                root.get("allowManagedHooksOnly").map(|n| n.line),
                "allowManagedHooksOnly works only in managed settings: here it does nothing".into(),
                "remove it"
            ));
        }
    }
    let Some(hooks) = root.get("hooks") else {
        if layer == Layer::Plugin && event_keys.is_empty() {
            push!(finding("plugin-hooks-missing-key", Severity::Error, path, Some(root.line), "a plugin's hooks.json without the top-level \"hooks\" key: the plugin has no hooks".into(), "write {\"description\": \"…\", \"hooks\": {\"PreToolUse\": […]}}"));
        }
        return out;
    };
    let Some(events) = hooks.as_obj() else {
        push!(finding("schema-invalid", Severity::Error, path, Some(hooks.line), format!("\"hooks\" is {}, not an object; {DROPS_ALL}", hooks.type_name()), "\"hooks\": {\"PreToolUse\": [{\"matcher\": \"Bash\", \"hooks\": [{\"type\": \"command\", \"command\": \"…\"}]}]}"));
        return out;
    };
    let plugin_root = (layer == Layer::Plugin)
        .then(|| path.parent().and_then(Path::parent))
        .flatten();
    for (event, groups) in events {
        let Some(info) = EVENTS.iter().find(|e| e.name == event) else {
            match EVENTS.iter().find(|e| e.name.eq_ignore_ascii_case(event)) {
                Some(e) => push!(finding("event-miscased", Severity::Error, path, Some(groups.line), format!("`{event}` is not an event: names are case-sensitive; Claude Code ignores the entry"), format!("write `{}`", e.name))),
                None => push!(finding("unknown-event", Severity::Error, path, Some(groups.line), format!("`{event}` is not a Claude Code 2.1.330 event; the entry is ignored"), "use one of the 33 events (`hookwatch doctor --events` lists them)")),
            }
            continue;
        };
        let Some(groups) = groups.as_arr() else {
            push!(finding("schema-invalid", Severity::Error, path, Some(groups.line), format!("{event} is {}, not a list of matcher groups; {DROPS_ALL}", groups.type_name()), format!("\"{event}\": [{{\"matcher\": \"…\", \"hooks\": [{{\"type\": \"command\", \"command\": \"…\"}}]}}]")));
            continue;
        };
        if event == "MessageDisplay" {
            push!(finding("per-delta-event", Severity::Warning, path, Some(groups.first().map_or(0, |g| g.line)), "MessageDisplay fires for every streamed piece of every assistant message: a process per delta slows the display".into(), "use Stop (the whole message, once) unless you rewrite the display"));
        }
        for g in groups {
            check_group(
                path,
                &layer,
                event,
                info.matcher.is_some(),
                g,
                plugin_root,
                env,
                &mut out,
            );
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn check_group(
    path: &Path,
    layer: &Layer,
    event: &str,
    has_matcher: bool,
    g: &Node,
    plugin_root: Option<&Path>,
    env: &Env,
    out: &mut FileCheck,
) {
    let mut push = |f: Finding| out.findings.push(f);
    let Some(gobj) = g.as_obj() else {
        push(finding(
            "schema-invalid",
            Severity::Error,
            path,
            Some(g.line),
            format!(
                "a {event} entry is {}, not a matcher group; {DROPS_ALL}",
                g.type_name()
            ),
            "{\"matcher\": \"…\", \"hooks\": [ … ]}",
        ));
        return;
    };
    if g.get("hooks").is_none() && (g.get("type").is_some() || g.get("command").is_some()) {
        push(finding("handler-outside-hooks-array", Severity::Error, path, Some(g.line), format!("a {event} handler sits directly in the event's list; it belongs in a group's \"hooks\" array; {DROPS_ALL}"), "wrap it: {\"matcher\": \"…\", \"hooks\": [ {\"type\": \"command\", …} ]}"));
        return;
    }
    for (k, v) in gobj {
        if k != "matcher" && k != "hooks" {
            push(finding(
                "unknown-key",
                Severity::Warning,
                path,
                Some(v.line),
                format!("`{k}` in a {event} group is not a group field: ignored"),
                "groups have only \"matcher\" and \"hooks\"",
            ));
        }
    }
    let matcher_node = g.get("matcher");
    let matcher_text = match matcher_node {
        Some(m) => match m.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                push(finding(
                    "schema-invalid",
                    Severity::Error,
                    path,
                    Some(m.line),
                    format!(
                        "a {event} matcher is {}, not a string; {DROPS_ALL}",
                        m.type_name()
                    ),
                    "write the matcher as a string: \"Write|Edit\"",
                ));
                return;
            }
        },
        None => None,
    };
    let mline = matcher_node.map(|m| m.line).unwrap_or(g.line);
    let m = matcher::parse(matcher_text.as_deref());
    if let Some(mt) = matcher_text
        .as_deref()
        .filter(|s| !s.is_empty() && *s != "*")
    {
        if !has_matcher {
            push(finding(
                "matcher-ignored",
                Severity::Warning,
                path,
                Some(mline),
                format!(
                    "{event} has no matcher: `{mt}` is ignored and the hook runs for every {event}"
                ),
                "remove the matcher (or filter inside the hook)",
            ));
        } else {
            check_matcher(path, event, mt, &m, mline, env, &mut push);
        }
    }
    let Some(handlers) = g.get("hooks").and_then(Node::as_arr) else {
        let line = g.get("hooks").map_or(g.line, |h| h.line);
        push(finding(
            "schema-invalid",
            Severity::Error,
            path,
            Some(line),
            format!("a {event} group without a \"hooks\" list; {DROPS_ALL}"),
            "\"hooks\": [{\"type\": \"command\", \"command\": \"…\"}]",
        ));
        return;
    };
    if handlers.is_empty() {
        push(finding(
            "empty-group",
            Severity::Info,
            path,
            Some(g.line),
            format!("a {event} group with no hooks"),
            "remove it",
        ));
    }
    for h in handlers {
        check_handler(
            path,
            layer,
            event,
            matcher_text.as_deref(),
            h,
            plugin_root,
            env,
            out,
        );
    }
}

fn check_matcher(
    path: &Path,
    event: &str,
    mt: &str,
    m: &Matcher,
    line: usize,
    env: &Env,
    push: &mut dyn FnMut(Finding),
) {
    if event == "StopFailure"
        && !mt
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'|')
    {
        push(finding(
            "matcher-invalid-charset",
            Severity::Error,
            path,
            Some(line),
            format!(
                "StopFailure matchers take only letters, digits, `_` and `|`: `{mt}` never matches"
            ),
            "list error types: \"rate_limit|overloaded\"",
        ));
        return;
    }
    match m {
        Matcher::Invalid(why) => push(finding(
            "matcher-invalid-regex",
            Severity::Error,
            path,
            Some(line),
            format!(
                "`{mt}` is not a valid regular expression ({why}): Claude Code skips this hook"
            ),
            "fix the pattern, or list names: \"Write|Edit\"",
        )),
        Matcher::Names(names) => {
            if mt.contains(',') || mt.contains(' ') {
                push(finding("matcher-list-separator", Severity::Warning, path, Some(line), format!("`{mt}` separates names with commas or spaces: older Claude Code builds read it as one name that matches nothing"), format!("write `{}`", names.join("|"))));
            }
            if is_tool_event(event) {
                for n in names {
                    if matcher::is_tool_name(n) || env.recorded_tools.iter().any(|t| t == n) {
                        continue;
                    }
                    if let Some(t) = matcher::TOOLS.iter().find(|t| t.eq_ignore_ascii_case(n)) {
                        push(finding(
                            "matcher-tool-case",
                            Severity::Error,
                            path,
                            Some(line),
                            format!("`{n}` never matches: tool names are case-sensitive"),
                            format!("write `{t}`"),
                        ));
                    } else if n.starts_with("mcp__") {
                        push(finding("matcher-mcp-incomplete", Severity::Error, path, Some(line), format!("`{n}` is an exact name and MCP tools are called mcp__<server>__<tool>: it never matches"), format!("match the server's tools with a regex: \"{}__.*\"", n.trim_end_matches('_'))));
                    } else {
                        push(finding("matcher-unknown-tool", Severity::Warning, path, Some(line), format!("`{n}` is not a Claude Code tool (nor one recorded here): the hook never runs for it"), "use a tool name (Bash, Read, Write, Edit, Glob, Grep, WebFetch, Task, mcp__server__tool …)"));
                    }
                }
            } else if let Some(values) = matcher::closed_values(event) {
                for n in names {
                    if !values.contains(&n.as_str()) {
                        push(finding(
                            "matcher-unknown-value",
                            Severity::Warning,
                            path,
                            Some(line),
                            format!(
                                "{event} matchers compare with {}; `{n}` is none of them",
                                values.join(", ")
                            ),
                            "use one of those values",
                        ));
                    }
                }
            }
        }
        _ => {}
    }
    if is_tool_event(event)
        && !env.recorded_tools.is_empty()
        && !matches!(m, Matcher::Invalid(_))
        && !env.recorded_tools.iter().any(|t| m.matches(t))
    {
        push(finding(
            "matcher-never-matched",
            Severity::Info,
            path,
            Some(line),
            format!(
                "`{mt}` matched none of the {} tool names recorded here recently",
                env.recorded_tools.len()
            ),
            "check the name against `hookwatch stats` (per tool)",
        ));
    }
}

#[allow(clippy::too_many_arguments)]
fn check_handler(
    path: &Path,
    layer: &Layer,
    event: &str,
    matcher_text: Option<&str>,
    h: &Node,
    plugin_root: Option<&Path>,
    env: &Env,
    out: &mut FileCheck,
) {
    let mut fs: Vec<Finding> = Vec::new();
    let schema = |line: usize, msg: String, fix: &str| {
        finding(
            "schema-invalid",
            Severity::Error,
            path,
            Some(line),
            format!("{msg}; {DROPS_ALL}"),
            fix,
        )
    };
    let Some(hobj) = h.as_obj() else {
        out.findings.push(schema(
            h.line,
            format!("a {event} hook is {}, not an object", h.type_name()),
            "{\"type\": \"command\", \"command\": \"…\"}",
        ));
        return;
    };
    let kind = match h.get("type") {
        None => {
            out.findings.push(schema(
                h.line,
                format!("a {event} hook has no \"type\""),
                "add \"type\": \"command\" (or http, prompt, agent, mcp_tool)",
            ));
            return;
        }
        Some(t) => match t.as_str() {
            Some(k @ ("command" | "http" | "prompt" | "agent" | "mcp_tool")) => k.to_string(),
            _ => {
                out.findings.push(schema(
                    t.line,
                    format!(
                        "a {event} hook has type {}, which Claude Code 2.1.330 does not know",
                        render(t)
                    ),
                    "use command, http, prompt, agent or mcp_tool",
                ));
                return;
            }
        },
    };
    let required: &[&str] = match kind.as_str() {
        "command" => &["command"],
        "http" => &["url"],
        "prompt" | "agent" => &["prompt"],
        _ => &["server", "tool"],
    };
    for r in required {
        match h.get(r) {
            Some(v) if v.as_str().is_some() => {}
            Some(v) => {
                out.findings.push(schema(
                    v.line,
                    format!(
                        "\"{r}\" of a {kind} hook is {}, not a string",
                        v.type_name()
                    ),
                    "write it as a string",
                ));
                return;
            }
            None => {
                out.findings.push(schema(
                    h.line,
                    format!("a {kind} hook on {event} without \"{r}\""),
                    &format!("add \"{r}\""),
                ));
                return;
            }
        }
    }
    for (k, v) in hobj {
        match k.as_str() {
            "timeout" => match v.as_f64() {
                Some(t) if t > 0.0 => {}
                _ => {
                    out.findings.push(schema(
                        v.line,
                        format!(
                            "timeout is {}: it must be a positive number of seconds",
                            render(v)
                        ),
                        "\"timeout\": 30",
                    ));
                    return;
                }
            },
            "async" | "asyncRewake" | "once" | "continueOnBlock" if v.as_bool().is_none() => {
                out.findings.push(schema(
                    v.line,
                    format!("\"{k}\" is {}, not true or false", v.type_name()),
                    &format!("\"{k}\": true"),
                ));
                return;
            }
            "matcher" => fs.push(finding(
                "unknown-key",
                Severity::Warning,
                path,
                Some(v.line),
                "\"matcher\" inside a hook is ignored: the matcher belongs to the group".into(),
                "move it next to \"hooks\" in the group",
            )),
            k if !HANDLER_KEYS.contains(&k) => fs.push(finding(
                "unknown-key",
                Severity::Warning,
                path,
                Some(v.line),
                format!("`{k}` is not a hook field: ignored"),
                "fields: type, command, timeout, async, if, statusMessage, …",
            )),
            _ => {}
        }
    }
    let is_async = h.get("async").and_then(Node::as_bool) == Some(true)
        || h.get("asyncRewake").and_then(Node::as_bool) == Some(true);
    let timeout = h.get("timeout").and_then(Node::as_f64);
    let condition = h.get("if").and_then(Node::as_str).map(str::to_string);
    if condition.is_some() && !is_tool_event(event) {
        fs.push(finding(
            "if-on-non-tool-event",
            Severity::Error,
            path,
            h.get("if").map(|n| n.line),
            format!(
                "`if` is evaluated only on tool events; on {event} a hook with `if` never runs"
            ),
            "remove `if` (or move the hook to PreToolUse/PostToolUse)",
        ));
    }
    if let Some(t) = timeout {
        if t >= 1000.0 {
            fs.push(finding(
                "timeout-looks-like-ms",
                Severity::Warning,
                path,
                h.get("timeout").map(|n| n.line),
                format!(
                    "timeout {t} is in seconds ({:.0} minutes): it looks like milliseconds",
                    t / 60.0
                ),
                format!("\"timeout\": {}", (t / 1000.0).ceil()),
            ));
        }
        if event == "SessionEnd" && t > 60.0 {
            fs.push(finding("session-end-budget", Severity::Warning, path, h.get("timeout").map(|n| n.line), "SessionEnd hooks share a budget capped at 60 s (1.5 s without a timeout): this one is cancelled sooner than it says".into(), "keep SessionEnd work short, or raise CLAUDE_CODE_SESSIONEND_HOOKS_TIMEOUT_MS"));
        }
    } else if matches!(
        event,
        "PreToolUse" | "UserPromptSubmit" | "PermissionRequest"
    ) && !is_async
    {
        fs.push(finding(
            "timeout-default",
            Severity::Info,
            path,
            Some(h.line),
            format!("no timeout: a hung {event} hook holds the session for the default 600 s"),
            "set \"timeout\" to what the work needs, e.g. 10",
        ));
    }
    if h.get("once").and_then(Node::as_bool) == Some(true) && *layer != Layer::Frontmatter {
        fs.push(finding(
            "once-ignored",
            Severity::Info,
            path,
            h.get("once").map(|n| n.line),
            "`once` is honoured only in skill frontmatter; in settings the hook runs every time"
                .into(),
            "remove it",
        ));
    }
    if h.get("onFailure").and_then(Node::as_str) == Some("block")
        && (is_async
            || matches!(
                event,
                "Stop" | "SubagentStop" | "TaskCompleted" | "TeammateIdle"
            ))
    {
        fs.push(finding(
            "on-failure-ignored",
            Severity::Info,
            path,
            h.get("onFailure").map(|n| n.line),
            format!(
                "onFailure \"block\" is ignored for {}",
                if is_async {
                    "async hooks".to_string()
                } else {
                    event.to_string()
                }
            ),
            "remove it",
        ));
    }
    let what = required
        .iter()
        .filter_map(|r| h.get(r).and_then(Node::as_str))
        .collect::<Vec<_>>()
        .join(" ");
    if kind == "command" {
        // A hook run through `hookwatch wrap` is checked as itself.
        let original = crate::command::unwrapped(&what).unwrap_or_else(|| what.clone());
        fs.extend(crate::command::check(
            &crate::command::Cmd {
                event,
                command: &original,
                is_async,
                plugin_root,
                project: env.project.as_deref(),
                home: &env.home,
                path: &env.path,
                shell_path: env.shell_path.as_deref(),
            },
            path,
            h.line,
        ));
    }
    out.findings.extend(fs);
    out.hooks.push(Hook {
        event: event.to_string(),
        matcher: matcher_text.map(str::to_string),
        kind,
        what,
        is_async,
        timeout_s: timeout,
        condition,
        layer: layer.clone(),
        file: path.to_path_buf(),
        line: h.line,
    });
}

fn render(n: &Node) -> String {
    match &n.v {
        Json::Str(s) => format!("{s:?}"),
        Json::Num(x) => x.to_string(),
        Json::Bool(b) => b.to_string(),
        _ => n.type_name().to_string(),
    }
}

/// Findings across files: the same command registered twice.
pub fn cross_file(report: &mut Report, _env: &Env) {
    // Claude Code deduplicates on the command and its `if`.
    type Key<'a> = (&'a str, Option<&'a str>, &'a str, Option<&'a str>);
    let mut seen: Vec<(Key<'_>, &Path, usize)> = Vec::new();
    let mut dups = Vec::new();
    for h in &report.hooks {
        let key = (
            h.event.as_str(),
            h.matcher.as_deref(),
            h.what.as_str(),
            h.condition.as_deref(),
        );
        if let Some(first) = seen.iter().find(|s| s.0 == key).map(|s| (s.1, s.2)) {
            dups.push(finding("duplicate-hook", Severity::Warning, &h.file, Some(h.line), format!("the same {} hook is also registered in {} line {}: Claude Code runs identical commands once per event, so one of them is dead weight (or they differ in a way you did not mean)", h.event, first.0.display(), first.1), "keep one"));
        } else {
            seen.push((key, &h.file, h.line));
        }
    }
    report.findings.extend(dups);
}
