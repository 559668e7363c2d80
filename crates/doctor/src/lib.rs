//! `hookwatch doctor`: why a hook never fires, fires without effect, or
//! blocks what it should not. Reads every settings layer Claude Code
//! 2.1.330 merges (../shared/reference/claude-code-hooks.md §6), lists the
//! effective hooks with where each came from, and reports findings with
//! severity, file, line and the fix.
//!
//! - [`json`]: JSON with line numbers and duplicate keys kept;
//! - [`sources`]: which files Claude Code reads (and look-alikes it does not);
//! - [`settings`]: the hooks of one file, checked against the schema;
//! - [`matcher`]: Claude Code's matcher rules, simulated;
//! - [`command`]: a command hook's command and script.

pub mod command;
pub mod contract;
pub mod frontmatter;
pub mod health;
pub mod json;
pub mod matcher;
pub mod settings;
pub mod sources;

use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One problem, where it is, and what to do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable id, e.g. `unknown-event`, `exit-1-does-not-block`.
    pub id: &'static str,
    pub severity: Severity,
    pub file: PathBuf,
    pub line: Option<usize>,
    pub message: String,
    pub fix: String,
}

/// Where a settings file sits in Claude Code's merge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    User,
    Project,
    Local,
    Managed,
    Plugin,
    /// A skill's or agent's frontmatter: active while it runs.
    Frontmatter,
}

/// One hook handler as Claude Code would load it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hook {
    pub event: String,
    pub matcher: Option<String>,
    /// command, http, prompt, agent, mcp_tool.
    pub kind: String,
    /// The command, URL, prompt or tool it runs.
    pub what: String,
    pub is_async: bool,
    pub timeout_s: Option<f64>,
    pub condition: Option<String>,
    pub layer: Layer,
    pub file: PathBuf,
    pub line: usize,
}

/// What the doctor looks at: where the files are, and what the machine
/// has (the PATH a non-interactive shell gets, the tools the store saw).
#[derive(Debug, Clone, Default)]
pub struct Env {
    /// The user's Claude config dir (`$CLAUDE_CONFIG_DIR` or `~/.claude`).
    pub claude_dir: PathBuf,
    pub home: PathBuf,
    pub project: Option<PathBuf>,
    /// Managed settings (`/etc/claude-code/managed-settings.json`) and its
    /// `managed-settings.d/` directory.
    pub managed_file: PathBuf,
    /// PATH of Claude Code's non-interactive shell.
    pub path: String,
    /// The PATH of the shell the doctor runs in, if known.
    pub shell_path: Option<String>,
    /// Tool names recorded in the last days (hookwatch's store), to show
    /// matchers that never matched; empty: not known.
    pub recorded_tools: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Files read, in merge order, and whether each exists.
    pub files: Vec<(PathBuf, bool)>,
    pub hooks: Vec<Hook>,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// Read every source and check it.
pub fn diagnose(env: &Env) -> Report {
    let mut report = Report::default();
    let srcs = sources::discover(env);
    let mut managed_only = false;
    for s in &srcs {
        report.files.push((s.path.clone(), s.text.is_some()));
        let Some(text) = &s.text else { continue };
        let file = settings::check_file(&s.path, text, s.layer.clone(), s.read_by_claude, env);
        if s.layer == Layer::Managed && file.managed_only {
            managed_only = true;
        }
        report.hooks.extend(file.hooks);
        report.findings.extend(file.findings);
    }
    for (path, is_agent) in frontmatter::files(&env.claude_dir, env.project.as_deref()) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        match frontmatter::read(&text, is_agent) {
            frontmatter::Frontmatter::None => {}
            frontmatter::Frontmatter::Invalid(line, msg) => report.findings.push(finding(
                "invalid-frontmatter",
                Severity::Error,
                &path,
                Some(line),
                format!("the frontmatter is not valid YAML ({msg}): its hooks never register"),
                "fix the YAML between the --- lines",
            )),
            frontmatter::Frontmatter::Hooks(json, line) => {
                report.files.push((path.clone(), true));
                let mut file = settings::check_file(&path, &json, Layer::Frontmatter, true, env);
                // Positions are the YAML's: point at its `hooks:`.
                for f in &mut file.findings {
                    f.line = Some(line);
                }
                for h in &mut file.hooks {
                    h.line = line;
                }
                report.hooks.extend(file.hooks);
                report.findings.extend(file.findings);
            }
        }
    }
    if managed_only {
        let ignored = report
            .hooks
            .iter()
            .filter(|h| !matches!(h.layer, Layer::Managed))
            .count();
        if ignored > 0 {
            report.findings.push(Finding {
                id: "managed-hooks-only",
                severity: Severity::Error,
                file: env.managed_file.clone(),
                line: None,
                message: format!(
                    "allowManagedHooksOnly is set in managed settings: the {ignored} hook(s) of user, project, local and non-managed plugin settings never run"
                ),
                fix: "ask whoever manages this machine to add the hooks to managed settings, or to lift allowManagedHooksOnly".into(),
            });
        }
        report.hooks.retain(|h| matches!(h.layer, Layer::Managed));
    }
    settings::cross_file(&mut report, env);
    report.findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.file.cmp(&b.file))
            .then_with(|| a.line.cmp(&b.line))
    });
    report
}

pub(crate) fn finding(
    id: &'static str,
    severity: Severity,
    file: &Path,
    line: Option<usize>,
    message: String,
    fix: impl Into<String>,
) -> Finding {
    Finding {
        id,
        severity,
        file: file.to_path_buf(),
        line,
        message,
        fix: fix.into(),
    }
}
