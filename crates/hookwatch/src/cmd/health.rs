//! `hookwatch health`: every hook's runs, failures, blocks, timeouts and
//! durations, from Claude Code's own transcripts (crates/doctor `health`),
//! next to the hooks the settings register.

use anyhow::Result;
use hookwatch_doctor::health::{Health, HookHealth};
use std::io::BufRead;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

pub struct Args {
    pub days: u32,
    pub project: Option<PathBuf>,
    pub json: bool,
}

fn scrub(s: &str) -> String {
    hookwatch_scrub::scrub_str(s).into_owned()
}

pub fn run(a: Args) -> Result<()> {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let claude_dir = std::env::var_os("CLAUDE_CONFIG_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".claude"));
    let since = SystemTime::now() - Duration::from_secs(u64::from(a.days) * 86_400);
    let mut health = Health::default();
    let mut files = 0;
    let projects = claude_dir.join("projects");
    let only_cwd = a
        .project
        .as_ref()
        .map(|p| p.canonicalize().unwrap_or(p.clone()).display().to_string());
    let only = a
        .project
        .as_ref()
        .map(|p| claude_dir_name(&p.canonicalize().unwrap_or(p.clone())));
    for dir in std::fs::read_dir(&projects).into_iter().flatten().flatten() {
        if let Some(o) = &only {
            if dir.file_name().to_string_lossy() != *o {
                continue;
            }
        }
        for f in std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let p = f.path();
            let recent = f
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t >= since);
            if !recent || p.extension().is_none_or(|e| e != "jsonl") {
                continue;
            }
            files += 1;
            let Ok(file) = std::fs::File::open(&p) else {
                continue;
            };
            for line in std::io::BufReader::new(file).lines().map_while(Result::ok) {
                health.add_line(&line);
            }
        }
    }
    // Runs of hooks under `hookwatch wrap` (install --wrap): every run.
    let paths = crate::paths::Paths::resolve();
    if let Ok(store) = crate::cmd::ingest::open_fresh(&paths) {
        let since_us = crate::timefmt::now_us() - i64::from(a.days) * 86_400_000_000;
        let rows = store
            .events(&hookwatch_store::EventFilter {
                event: Some("HookRun".into()),
                since_us: Some(since_us),
                ..Default::default()
            })
            .unwrap_or_default();
        for r in rows {
            let Some(p) = r
                .payload
                .as_deref()
                .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
            else {
                continue;
            };
            let h = &p["hook"];
            let (Some(event), Some(cmd)) = (h["event"].as_str(), h["command"].as_str()) else {
                continue;
            };
            if let Some(o) = &only_cwd {
                let inside = |c: &str| c == o || c.starts_with(&format!("{o}/"));
                if !r.cwd.as_deref().is_some_and(inside) {
                    continue;
                }
            }
            health.add_run(&hookwatch_doctor::health::WrappedRun {
                event,
                command: cmd,
                exit: h["exit_code"].as_i64().unwrap_or(0) as i32,
                ms: h["duration_ms"].as_u64().unwrap_or(0),
                stderr: h["stderr"].as_str().unwrap_or(""),
                session: r.session_id.as_deref().unwrap_or(""),
                ts: Some(crate::timefmt::rfc3339(r.time_us)),
                cancelled: !h["cancelled"].is_null(),
            });
        }
    }
    // Drift: the hooks the settings register today, against what sessions ran.
    let project = a.project.clone().or_else(|| std::env::current_dir().ok());
    let now = hookwatch_doctor::diagnose(&hookwatch_doctor::Env {
        claude_dir: claude_dir.clone(),
        home: home.clone(),
        project,
        managed_file: PathBuf::from(if cfg!(target_os = "macos") {
            "/Library/Application Support/ClaudeCode/managed-settings.json"
        } else {
            "/etc/claude-code/managed-settings.json"
        }),
        path: String::new(),
        recorded_tools: Vec::new(),
        shell_path: None,
    });
    let registered = |event: &str, cmd: &str| {
        now.hooks.iter().any(|h| {
            let what =
                hookwatch_doctor::command::unwrapped(&h.what).unwrap_or_else(|| h.what.clone());
            (h.event == event || (event == "Stop" && h.event == "SubagentStop")) && what == cmd
        })
    };
    let hooks: Vec<HookHealth> = health
        .finish()
        .into_iter()
        .map(|mut h| {
            h.registered = Some(registered(&h.event, &h.command));
            h.command = scrub(&h.command);
            // Scrubbed whole, then cut for display.
            h.last_stderr = h
                .last_stderr
                .as_deref()
                .map(|e| scrub(e).chars().take(300).collect());
            h
        })
        .collect();
    let never_seen: Vec<&hookwatch_doctor::Hook> = now
        .hooks
        .iter()
        .filter(|h| h.kind == "command" && h.event == "Stop")
        .filter(|h| {
            let what =
                hookwatch_doctor::command::unwrapped(&h.what).unwrap_or_else(|| h.what.clone());
            !hooks
                .iter()
                .any(|x| x.event == "Stop" && x.command == scrub(&what))
        })
        .collect();
    if a.json {
        for h in &hooks {
            println!("{}", serde_json::to_string(h)?);
        }
        return Ok(());
    }
    println!(
        "{:<20} {:>5} {:>6} {:>6} {:>8} {:>8} {:>8}  COMMAND",
        "EVENT", "RUNS", "ERRORS", "BLOCKS", "TIMEOUTS", "P50", "P95"
    );
    let ms = |v: Option<u64>| v.map_or("-".to_string(), |m| format!("{m} ms"));
    for h in &hooks {
        let cmd: String = crate::cmd::query::safe(&h.command)
            .chars()
            .take(60)
            .collect();
        println!(
            "{:<20} {:>5} {:>6} {:>6} {:>8} {:>8} {:>8}  {cmd}",
            h.event,
            h.runs,
            h.errors,
            h.blocks,
            h.timeouts,
            ms(h.p50_ms),
            ms(h.p95_ms)
        );
        if h.registered == Some(false) {
            println!("{:<20} not in the settings now: those sessions ran an older configuration (changed or removed since)", "");
        }
        if let Some(e) = &h.last_stderr {
            if h.errors + h.blocks > 0 {
                let e: String = crate::cmd::query::safe(e).chars().take(100).collect();
                println!("{:<20} last stderr: {e}", "");
            }
        }
    }
    if files > 0 {
        for h in &never_seen {
            println!(
                "Stop hook `{}` ({}:{}) is registered but no session of these ran it (every Stop hook run is recorded): `hookwatch doctor --live --spend-tokens` checks it",
                crate::cmd::query::safe(&h.what),
                h.file.display(),
                h.line
            );
        }
    }
    let partial = hooks.iter().any(|h| !h.complete);
    println!(
        "\n{files} transcript(s) of the last {} day(s).{}",
        a.days,
        if partial {
            " Claude Code records a hook's run only when it fails, blocks, times out or prints something (Stop hooks: every run), so RUNS is a lower bound for silent hooks; `hookwatch install --wrap` counts every run."
        } else {
            ""
        }
    );
    Ok(())
}

/// Claude Code's directory name for a project under `projects/`: the
/// absolute path with every character other than a letter or digit
/// turned into `-`.
fn claude_dir_name(p: &std::path::Path) -> String {
    p.display()
        .to_string()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}
