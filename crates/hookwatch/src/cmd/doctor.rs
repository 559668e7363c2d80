//! `hookwatch doctor`: every hook Claude Code would load, where each comes
//! from, and what is wrong with it (crates/doctor).

use crate::paths::Paths;
use anyhow::{bail, Result};
use hookwatch_doctor::{diagnose, Env, Report, Severity};
use std::path::PathBuf;

/// The PATH a hook gets when Claude Code was not started from a login
/// shell: no nvm, Homebrew or pyenv additions.
const SYSTEM_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

pub struct Args {
    pub project: Option<PathBuf>,
    pub json: bool,
    pub fail_on: String,
    pub path: Option<String>,
    pub days: u32,
}

pub fn run(a: Args) -> Result<()> {
    let Some(fail_on) = Severity::parse(&a.fail_on) else {
        bail!(
            "--fail-on takes error, warning or info, not {:?}",
            a.fail_on
        );
    };
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let claude_dir = std::env::var_os("CLAUDE_CONFIG_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".claude"));
    let project = match a.project {
        Some(p) => Some(p),
        None => std::env::current_dir().ok(),
    };
    let managed_file = if cfg!(target_os = "macos") {
        PathBuf::from("/Library/Application Support/ClaudeCode/managed-settings.json")
    } else {
        PathBuf::from("/etc/claude-code/managed-settings.json")
    };
    let paths = Paths::resolve();
    // What matchers are compared with: the tools this machine recorded.
    let recorded_tools = hookwatch_view::View::open(&paths.db())
        .and_then(|v| v.tools_since(crate::timefmt::now_us() - i64::from(a.days) * 86_400_000_000))
        .unwrap_or_default();
    let env = Env {
        claude_dir,
        home,
        project,
        managed_file,
        path: a.path.unwrap_or_else(|| SYSTEM_PATH.to_string()),
        recorded_tools,
    };
    let report = diagnose(&env);
    if a.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print_report(&report, &env);
    }
    let over = report
        .findings
        .iter()
        .filter(|f| f.severity >= fail_on)
        .count();
    if over > 0 {
        bail!(
            "{over} finding(s) at or above {} (--fail-on {})",
            fail_on.as_str(),
            fail_on.as_str()
        );
    }
    Ok(())
}

fn print_report(r: &Report, env: &Env) {
    println!("Settings Claude Code reads (in merge order):");
    for (f, exists) in &r.files {
        println!("  {} {}", if *exists { "✓" } else { "-" }, f.display());
    }
    println!();
    if r.hooks.is_empty() {
        println!("No hooks.");
    } else {
        println!("Effective hooks:");
        for h in &r.hooks {
            let matcher = match h.matcher.as_deref() {
                None | Some("") | Some("*") => String::new(),
                Some(m) => format!(" [{m}]"),
            };
            let flags = [
                h.is_async.then_some("async".to_string()),
                h.timeout_s.map(|t| format!("timeout {t}s")),
                h.condition.as_ref().map(|c| format!("if {c}")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
            println!(
                "  {}{matcher}  {} `{}`{}  ({}:{})",
                h.event,
                h.kind,
                crate::cmd::query::safe(&h.what),
                if flags.is_empty() {
                    String::new()
                } else {
                    format!(" ({flags})")
                },
                h.file.display(),
                h.line
            );
        }
    }
    println!();
    if r.findings.is_empty() {
        println!("No findings.");
    }
    for f in &r.findings {
        let at = match f.line {
            Some(l) => format!("{}:{l}", f.file.display()),
            None => f.file.display().to_string(),
        };
        println!("{:<7} {at}  [{}]", f.severity.as_str(), f.id);
        println!("        {}", crate::cmd::query::safe(&f.message));
        println!("        fix: {}", f.fix);
    }
    let count = |s: Severity| r.findings.iter().filter(|f| f.severity == s).count();
    println!();
    println!(
        "{} error(s), {} warning(s), {} note(s); commands resolved with PATH={}",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
        env.path
    );
}
