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
    pub live: bool,
    pub spend_tokens: bool,
    pub claude: String,
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
        // Found only through this shell's PATH: a warning, not an error.
        shell_path: std::env::var("PATH").ok(),
    };
    let report = diagnose(&env);
    let live_rows = match (a.live || a.spend_tokens, &env.project) {
        (true, Some(p)) => Some(live(&report, p, &a.claude, a.spend_tokens)?),
        _ => None,
    };
    if a.json {
        let mut v = serde_json::to_value(&report)?;
        if let Some(l) = &live_rows {
            v["live"] = serde_json::to_value(l)?;
        }
        println!("{v}");
    } else {
        print_report(&report, &env);
        if let Some(l) = &live_rows {
            print_live(l);
        }
    }
    let dead = live_rows
        .iter()
        .flatten()
        .filter(|l| l.status == "did-not-run")
        .count();
    if dead > 0 {
        bail!("{dead} registered hook(s) did not run when their event happened");
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

/// What `--live` saw of one registered hook.
#[derive(Debug, serde::Serialize)]
pub struct Live {
    pub event: String,
    pub matcher: Option<String>,
    pub command: String,
    pub file: PathBuf,
    pub line: usize,
    /// ran, did-not-run, not-probed
    pub status: &'static str,
    pub exit: Option<i32>,
    pub ms: Option<u64>,
    pub note: String,
}

/// One "Hooks: Event[:value] [command] finished with status N (Xms)" line
/// of Claude Code's debug log.
fn fired(log: &str) -> Vec<(String, String, i32, u64)> {
    let mut out = Vec::new();
    for line in log.lines() {
        let Some(rest) = line.split_once("Hooks: ").map(|(_, r)| r) else {
            continue;
        };
        let Some((head, tail)) = rest.split_once(" [") else {
            continue;
        };
        let Some((command, after)) = tail.rsplit_once("] finished with status ") else {
            continue;
        };
        let event = head.split(':').next().unwrap_or("").to_string();
        let (status, ms) = after.split_once(" (").unwrap_or((after, ""));
        out.push((
            event,
            command.to_string(),
            status.trim().parse().unwrap_or(-1),
            ms.trim_end_matches(')')
                .trim_end_matches("ms")
                .parse()
                .unwrap_or(0),
        ));
    }
    out
}

/// Run Claude Code for real and see which registered hooks fire: `claude
/// --init-only` (Setup and SessionStart, no model call), and with
/// `spend_tokens` one `claude -p` turn that runs `true` with Bash.
pub fn live(
    report: &Report,
    project: &std::path::Path,
    claude: &str,
    spend_tokens: bool,
) -> Result<Vec<Live>> {
    let dir = tempfile_dir()?;
    let mut logs = String::new();
    let mut run = |args: &[&str], name: &str| -> Result<()> {
        let file = dir.join(name);
        let mut c = std::process::Command::new(claude);
        c.args(args)
            .arg("--debug-file")
            .arg(&file)
            .current_dir(project)
            .env_remove("CLAUDECODE")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        let mut child = c.spawn().map_err(|e| {
            anyhow::anyhow!("cannot run {claude} ({e}): install Claude Code or pass --claude PATH")
        })?;
        let start = std::time::Instant::now();
        while child.try_wait()?.is_none() {
            if start.elapsed() > std::time::Duration::from_secs(180) {
                let _ = child.kill();
                bail!(
                    "{claude} {} did not finish within 3 minutes",
                    args.join(" ")
                );
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        logs.push_str(&std::fs::read_to_string(&file).unwrap_or_default());
        Ok(())
    };
    eprintln!("hookwatch: running `{claude} --init-only` in {} (your Setup and SessionStart hooks run, as at every start)", project.display());
    run(&["--init-only"], "init.log")?;
    if spend_tokens {
        eprintln!(
            "hookwatch: running one `{claude} -p` turn (a Bash call of `true`; this spends tokens)"
        );
        run(
            &[
                "-p",
                "Run the shell command `true` with the Bash tool, then answer with the word done.",
                "--allowedTools",
                "Bash",
            ],
            "turn.log",
        )?;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let seen = fired(&logs);
    let mut probed: Vec<&str> = vec!["Setup", "SessionStart"];
    if spend_tokens {
        probed.extend([
            "UserPromptSubmit",
            "PreToolUse",
            "PostToolUse",
            "PostToolBatch",
            "Stop",
        ]);
    }
    let mut out = Vec::new();
    for h in &report.hooks {
        let ran: Vec<&(String, String, i32, u64)> = seen
            .iter()
            .filter(|(e, c, _, _)| *e == h.event && *c == h.what)
            .collect();
        let tool_event = matches!(h.event.as_str(), "PreToolUse" | "PostToolUse");
        let m = hookwatch_doctor::matcher::parse(h.matcher.as_deref());
        // What the probe's event is compared with: a Bash call, a fresh
        // start (`startup`), `--init-only` (`init`).
        let value = match h.event.as_str() {
            "SessionStart" => Some("startup"),
            "Setup" => Some("init"),
            _ if tool_event => Some("Bash"),
            _ => None,
        };
        let expected = probed.contains(&h.event.as_str())
            // `if` conditions and skill/agent hooks need more than the probe.
            && h.condition.is_none()
            && h.layer != hookwatch_doctor::Layer::Frontmatter
            && value.is_none_or(|v| {
                m.matches(v)
                    || (tool_event
                        && h.matcher.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(v)))
            });
        let (status, note) = match (ran.last(), expected) {
            (Some(_), _) => ("ran", String::new()),
            (None, true) => (
                "did-not-run",
                if tool_event {
                    "the probe called Bash and this hook did not run".to_string()
                } else {
                    format!("{} happened and this hook did not run", h.event)
                },
            ),
            (None, false) => (
                "not-probed",
                if spend_tokens || !probed.contains(&h.event.as_str()) && !tool_event {
                    format!("the probe does not cause {}", h.event)
                } else {
                    "add --spend-tokens to probe tool, prompt and Stop hooks with one real turn"
                        .to_string()
                },
            ),
        };
        out.push(Live {
            event: h.event.clone(),
            matcher: h.matcher.clone(),
            command: h.what.clone(),
            file: h.file.clone(),
            line: h.line,
            status,
            exit: ran.last().map(|r| r.2),
            ms: ran.last().map(|r| r.3),
            note,
        });
    }
    Ok(out)
}

fn tempfile_dir() -> Result<PathBuf> {
    let d = std::env::temp_dir().join(format!("hookwatch-doctor-live-{}", std::process::id()));
    std::fs::create_dir_all(&d)?;
    Ok(d)
}

pub fn print_live(rows: &[Live]) {
    println!();
    println!("Live (which hooks really ran):");
    for r in rows {
        let mark = match r.status {
            "ran" => "✓ ran        ",
            "did-not-run" => "✗ did not run",
            _ => "- not probed ",
        };
        let how = match (r.exit, r.ms) {
            (Some(e), Some(ms)) => format!(" (exit {e}, {ms} ms)"),
            _ => String::new(),
        };
        println!(
            "  {mark} {}{}  `{}`{how}  ({}:{}){}",
            r.event,
            r.matcher
                .as_deref()
                .filter(|m| !m.is_empty())
                .map(|m| format!(" [{m}]"))
                .unwrap_or_default(),
            crate::cmd::query::safe(&r.command),
            r.file.display(),
            r.line,
            if r.note.is_empty() {
                String::new()
            } else {
                format!("  {}", r.note)
            }
        );
    }
}
